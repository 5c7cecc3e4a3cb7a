"""Messages rendered from the pool's templates (``{####}`` the code, ``{username}`` the user name)."""

from __future__ import annotations

from typing import Any

from cognate.domain.context import Deps
from cognate.domain.userpool.model import OutboxMessage, User
from cognate.store.ports import UnitOfWork

DEFAULT_VERIFY_EMAIL = "Your verification code is {####}. "
DEFAULT_VERIFY_SUBJECT = "Your verification code"
DEFAULT_VERIFY_SMS = "Your verification code is {####}. "
DEFAULT_INVITE = "Your username is {username} and temporary password is {####}. "
DEFAULT_INVITE_SUBJECT = "Your temporary password"
DEFAULT_RESET = "Your password reset code is {####}. "


def render(template: str, code: str, username: str = "") -> str:
    return template.replace("{####}", code).replace("{username}", username)


def mask(channel: str, destination: str) -> str:
    """Cognito's CodeDeliveryDetails.Destination: ``j***@e***`` or ``+*******1234``."""
    if channel == "EMAIL":
        local, _, domain = destination.partition("@")
        return f"{local[:1]}***@{domain[:1]}***"
    return "+" + "*" * max(len(destination) - 5, 0) + destination[-4:]


def delivery_details(channel: str, destination: str, attribute: str) -> dict[str, str]:
    return {"Destination": mask(channel, destination), "DeliveryMedium": channel, "AttributeName": attribute}


def email_message(config: dict[str, Any], **fields: Any) -> OutboxMessage:
    """A message with the sender and Reply-To the pool configured (EmailConfigurationType.From,
    ReplyToEmailAddress); without them the server's COGNATE_EMAIL_FROM is used."""
    email = config.get("EmailConfiguration") or {}
    return OutboxMessage(sender=email.get("From"), reply_to=email.get("ReplyToEmailAddress"), **fields)


def verification_texts(config: dict[str, Any]) -> tuple[str, str, str]:
    """(email subject, email body, sms body) of a pool's verification message."""
    tpl = config.get("VerificationMessageTemplate", {})
    return (tpl.get("EmailSubject") or config.get("EmailVerificationSubject") or DEFAULT_VERIFY_SUBJECT,
            tpl.get("EmailMessage") or config.get("EmailVerificationMessage") or DEFAULT_VERIFY_EMAIL,
            tpl.get("SmsMessage") or config.get("SmsVerificationMessage") or DEFAULT_VERIFY_SMS)


def send_code(deps: Deps, uow: UnitOfWork, config: dict[str, Any], user: User, attribute: str, code: str,
              purpose: str, texts: tuple[str, str, str] | None = None) -> dict[str, str]:
    """Send ``code`` to the user's ``email`` or ``phone_number`` and describe the delivery."""
    subject, email_body, sms_body = texts or verification_texts(config)
    channel = "EMAIL" if attribute == "email" else "SMS"
    destination = user.attributes[attribute]
    body = render(email_body if channel == "EMAIL" else sms_body, code, user.username)
    deps.messenger.send(uow, email_message(config, channel=channel, destination=destination,
                                           subject=render(subject, code, user.username) if channel == "EMAIL" else None,
                                           body=body, purpose=purpose, created=deps.clock.now()))
    return delivery_details(channel, destination, attribute)
