"""Mail as the pool configures it: its sender and Reply-To, over real SMTP."""

from __future__ import annotations

from typing import Any

from support.factories import create_client, create_pool, strong_password, unique_email
from support.smtp import SmtpSink


def test_pool_sender_and_reply_to_are_used(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    pool = create_pool(idp, AutoVerifiedAttributes=["email"],
                       EmailConfiguration={"EmailSendingAccount": "DEVELOPER",
                                           "SourceArn": "arn:aws:ses:us-east-1:000000000000:identity/example.com",
                                           "From": "Example App <no-reply@example.com>",
                                           "ReplyToEmailAddress": "help@example.com"})
    client = create_client(idp, pool["Id"])
    email = unique_email()
    idp_public.sign_up(ClientId=client["ClientId"], Username="sender-check", Password=strong_password(),
                       UserAttributes=[{"Name": "email", "Value": email}])
    message = smtp.wait_for(email)
    assert message["From"] == "Example App <no-reply@example.com>"
    assert message["Reply-To"] == "help@example.com"


def test_default_sender_without_pool_configuration(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    pool = create_pool(idp, AutoVerifiedAttributes=["email"])
    client = create_client(idp, pool["Id"])
    email = unique_email()
    idp_public.sign_up(ClientId=client["ClientId"], Username="sender-default", Password=strong_password(),
                       UserAttributes=[{"Name": "email", "Value": email}])
    message = smtp.wait_for(email)
    assert message["From"] != "Example App <no-reply@example.com>" and message["From"]
    assert message["Reply-To"] is None
