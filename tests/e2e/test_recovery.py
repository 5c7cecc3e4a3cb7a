"""Forgotten passwords as an app sees them: ForgotPassword mails a code by the pool's AccountRecoverySetting and
verification template, ConfirmForgotPassword sets the new password (API reference of each; Developer Guide,
"Recovering user accounts" and "Managing user existence error responses")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from support.aws import error_of, secret_hash
from support.factories import create_client, create_pool, strong_password, unique_email, unique_name
from support.smtp import SmtpSink, message_text

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
TEMPLATE = {"EmailSubject": "Acme code", "EmailMessage": "Your Acme code is {####}."}
NO_CONTACT = "Cannot reset password for the user as there is no registered/verified email or phone_number"
EMAIL_DELIVERY = {"Destination": "u***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}




@dataclass
class Member:
    pool_id: str
    client_id: str
    username: str
    email: str
    password: str


def sign_in(idp_public: Any, client_id: str, username: str, password: str, **extra: str) -> dict[str, Any]:
    out: dict[str, Any] = idp_public.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password, **extra})
    return dict(out["AuthenticationResult"])


def add_user(idp: Any, pool_id: str, *extra: dict[str, str], verified: bool = True) -> tuple[str, str, str]:
    """A CONFIRMED user with an email (verified unless told otherwise): (username, email, password)."""
    username, email, password = unique_name("user"), unique_email(), strong_password()
    attrs = [{"Name": "email", "Value": email}, *extra]
    if verified:
        attrs.append({"Name": "email_verified", "Value": "true"})
    idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS", UserAttributes=attrs)
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
    return username, email, password


def member(idp: Any, client: dict[str, Any] | None = None, **pool_settings: Any) -> Member:
    settings: dict[str, Any] = {"VerificationMessageTemplate": TEMPLATE}
    settings.update(pool_settings)
    pool_id = create_pool(idp, **settings)["Id"]
    client_id = create_client(idp, pool_id, ExplicitAuthFlows=FLOWS, **(client or {}))["ClientId"]
    username, email, password = add_user(idp, pool_id)
    return Member(pool_id, client_id, username, email, password)


def forgot(idp_public: Any, smtp: SmtpSink, who: Member, **extra: Any) -> str:
    """ForgotPassword, and the code it mailed."""
    seen = smtp.count(who.email)
    out = idp_public.forgot_password(ClientId=who.client_id, Username=who.username, **extra)
    assert out["CodeDeliveryDetails"] == EMAIL_DELIVERY
    return smtp.last_code(who.email, after=seen)


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# --- the whole journey --------------------------------------------------------------------------------------


def test_forgot_then_confirm_then_sign_in_with_the_new_password(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    who = member(idp)
    seen = smtp.count(who.email)

    out = idp_public.forgot_password(ClientId=who.client_id, Username=who.username)

    assert out["CodeDeliveryDetails"] == EMAIL_DELIVERY
    message = smtp.wait_for(who.email, after=seen)
    code = smtp.last_code(who.email, after=seen)
    assert message["Subject"] == "Acme code"
    assert message_text(message).strip() == f"Your Acme code is {code}."
    # Until the code is used, the old password still works.
    assert sign_in(idp_public, who.client_id, who.username, who.password)["AccessToken"]

    new_password = strong_password()
    idp_public.confirm_forgot_password(ClientId=who.client_id, Username=who.username, ConfirmationCode=code,
                                       Password=new_password)

    assert sign_in(idp_public, who.client_id, who.username, new_password)["AccessToken"]
    assert error_of(sign_in, idp_public=idp_public, client_id=who.client_id, username=who.username,
                    password=who.password) == ("NotAuthorizedException", "Incorrect username or password.")
    assert idp.admin_get_user(UserPoolId=who.pool_id, Username=who.username)["UserStatus"] == "CONFIRMED"
    # The code is single use.
    assert error_of(idp_public.confirm_forgot_password, ClientId=who.client_id, Username=who.username,
                    ConfirmationCode=code, Password=strong_password())[0] == "CodeMismatchException"


def test_forgot_password_accepts_a_verified_email_alias(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    who = member(idp, AliasAttributes=["email"])
    seen = smtp.count(who.email)

    idp_public.forgot_password(ClientId=who.client_id, Username=who.email)
    new_password = strong_password()
    idp_public.confirm_forgot_password(ClientId=who.client_id, Username=who.email, Password=new_password,
                                       ConfirmationCode=smtp.last_code(who.email, after=seen))

    assert sign_in(idp_public, who.client_id, who.username, new_password)["AccessToken"]


def test_a_reset_required_user_becomes_confirmed(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    who = member(idp)
    seen = smtp.count(who.email)
    idp.admin_reset_user_password(UserPoolId=who.pool_id, Username=who.username)
    smtp.last_code(who.email, after=seen)
    assert error_of(sign_in, idp_public=idp_public, client_id=who.client_id, username=who.username,
                    password=who.password)[0] == "PasswordResetRequiredException"

    code = forgot(idp_public, smtp, who)
    new_password = strong_password()
    idp_public.confirm_forgot_password(ClientId=who.client_id, Username=who.username, ConfirmationCode=code,
                                       Password=new_password)

    assert idp.admin_get_user(UserPoolId=who.pool_id, Username=who.username)["UserStatus"] == "CONFIRMED"
    assert sign_in(idp_public, who.client_id, who.username, new_password)["AccessToken"]


def test_confirm_forgot_password_clears_the_sign_in_back_off(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    who = member(idp)
    code = forgot(idp_public, smtp, who)
    for _ in range(8):
        refused = error_of(sign_in, idp_public=idp_public, client_id=who.client_id, username=who.username,
                           password="Wr0ng!password")
        if refused[1] == "Password attempts exceeded":
            break
    assert refused == ("NotAuthorizedException", "Password attempts exceeded")

    new_password = strong_password()
    idp_public.confirm_forgot_password(ClientId=who.client_id, Username=who.username, Password=new_password,
                                       ConfirmationCode=code)

    # Within the back-off a sign-in would still be refused: the reset forgot the failures.
    assert sign_in(idp_public, who.client_id, who.username, new_password)["AccessToken"]


def test_a_password_reset_does_not_sign_the_user_out(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    """AWS documents no revocation for ConfirmForgotPassword; an app that wants one calls GlobalSignOut."""
    who = member(idp)
    tokens = sign_in(idp_public, who.client_id, who.username, who.password)

    idp_public.confirm_forgot_password(ClientId=who.client_id, Username=who.username, Password=strong_password(),
                                       ConfirmationCode=forgot(idp_public, smtp, who))

    assert idp_public.get_user(AccessToken=tokens["AccessToken"])["Username"] == who.username
    assert idp_public.initiate_auth(ClientId=who.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                    AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}
                                    )["AuthenticationResult"]["AccessToken"]


# --- SECRET_HASH -------------------------------------------------------------------------------------------------


def test_a_client_with_a_secret_needs_the_secret_hash(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    pool_id = create_pool(idp, VerificationMessageTemplate=TEMPLATE)["Id"]
    client = create_client(idp, pool_id, GenerateSecret=True, ExplicitAuthFlows=FLOWS)
    client_id, secret = client["ClientId"], client["ClientSecret"]
    username, email, _ = add_user(idp, pool_id)
    who = Member(pool_id, client_id, username, email, "")

    assert error_of(idp_public.forgot_password, ClientId=client_id, Username=username) == (
        "NotAuthorizedException", f"Client {client_id} is configured with secret but SECRET_HASH was not received")
    assert error_of(idp_public.forgot_password, ClientId=client_id, Username=username,
                    SecretHash=secret_hash(secret, "someone-else", client_id)) == (
        "NotAuthorizedException", f"Unable to verify secret hash for client {client_id}")

    good = secret_hash(secret, username, client_id)
    code = forgot(idp_public, smtp, who, SecretHash=good)
    new_password = strong_password()
    assert error_of(idp_public.confirm_forgot_password, ClientId=client_id, Username=username, ConfirmationCode=code,
                    Password=new_password)[0] == "NotAuthorizedException"
    idp_public.confirm_forgot_password(ClientId=client_id, Username=username, ConfirmationCode=code,
                                       Password=new_password, SecretHash=good)

    assert sign_in(idp_public, client_id, username, new_password, SECRET_HASH=good)["AccessToken"]


# --- who can recover, and where the code goes --------------------------------------------------------------------


def test_an_unknown_user_is_an_error_for_a_legacy_client(idp: Any, idp_public: Any) -> None:
    who = member(idp)

    assert error_of(idp_public.forgot_password, ClientId=who.client_id, Username=unique_name("ghost")) == (
        "UserNotFoundException", "Username/client id combination not found.")
    assert error_of(idp_public.confirm_forgot_password, ClientId=who.client_id, Username=unique_name("ghost"),
                    ConfirmationCode="123456", Password=strong_password()) == (
        "UserNotFoundException", "Username/client id combination not found.")


def test_an_unknown_user_looks_like_a_delivery_when_existence_errors_are_prevented(idp: Any,
                                                                                  idp_public: Any) -> None:
    who = member(idp, client={"PreventUserExistenceErrors": "ENABLED"})

    out = idp_public.forgot_password(ClientId=who.client_id, Username=unique_name("ghost"))

    assert out["CodeDeliveryDetails"] == EMAIL_DELIVERY
    assert error_of(idp_public.confirm_forgot_password, ClientId=who.client_id, Username=unique_name("ghost"),
                    ConfirmationCode="123456", Password=strong_password()) == (
        "CodeMismatchException", "Invalid verification code provided, please try again.")


def test_a_user_without_a_verified_contact_cannot_recover(idp: Any, idp_public: Any) -> None:
    who = member(idp)
    username, _, _ = add_user(idp, who.pool_id, verified=False)

    assert error_of(idp_public.forgot_password, ClientId=who.client_id, Username=username) == (
        "InvalidParameterException", NO_CONTACT)


def test_a_disabled_user_cannot_recover(idp: Any, idp_public: Any) -> None:
    who = member(idp)
    idp.admin_disable_user(UserPoolId=who.pool_id, Username=who.username)

    assert error_of(idp_public.forgot_password, ClientId=who.client_id, Username=who.username) == (
        "NotAuthorizedException", "User is disabled.")


def test_an_invited_user_with_a_temporary_password_cannot_recover(idp: Any, idp_public: Any) -> None:
    who = member(idp)
    username = unique_name("user")
    idp.admin_create_user(UserPoolId=who.pool_id, Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": unique_email()},
                                          {"Name": "email_verified", "Value": "true"}])

    assert error_of(idp_public.forgot_password, ClientId=who.client_id, Username=username) == (
        "NotAuthorizedException", "User password cannot be reset in the current state.")


def test_recovery_follows_the_account_recovery_setting(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    phone_first = {"RecoveryMechanisms": [{"Name": "verified_phone_number", "Priority": 1},
                                          {"Name": "verified_email", "Priority": 2}]}
    who = member(idp, AccountRecoverySetting=phone_first)
    # No phone number: the email, second in line, gets the code.
    forgot(idp_public, smtp, who)

    username, _, _ = add_user(idp, who.pool_id, {"Name": "phone_number", "Value": "+15555550123"},
                              {"Name": "phone_number_verified", "Value": "true"})
    out = idp_public.forgot_password(ClientId=who.client_id, Username=username)
    assert out["CodeDeliveryDetails"] == {"Destination": "+*******0123", "DeliveryMedium": "SMS",
                                          "AttributeName": "phone_number"}


def test_without_a_recovery_setting_sms_is_preferred_over_email(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    """CreateUserPool, AccountRecoverySetting: "In the absence of this setting, Amazon Cognito uses the legacy
    behavior to determine the recovery method where SMS is preferred over email"."""
    who = member(idp)
    username, email, _ = add_user(idp, who.pool_id, {"Name": "phone_number", "Value": "+15555550177"},
                                  {"Name": "phone_number_verified", "Value": "true"})

    out = idp_public.forgot_password(ClientId=who.client_id, Username=username)

    assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "SMS"
    assert smtp.count(email) == 0
    # A user with only a verified email gets it by email.
    forgot(idp_public, smtp, who)


def test_an_admin_only_pool_refuses_self_service_recovery(idp: Any, idp_public: Any) -> None:
    who = member(idp, AccountRecoverySetting={"RecoveryMechanisms": [{"Name": "admin_only", "Priority": 1}]})

    assert error_of(idp_public.forgot_password, ClientId=who.client_id, Username=who.username) == (
        "NotAuthorizedException", "Contact administrator to reset password.")


# --- ConfirmForgotPassword refusals -------------------------------------------------------------------------------


def test_a_new_code_replaces_the_previous_one(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    who = member(idp)
    first = forgot(idp_public, smtp, who)
    second = forgot(idp_public, smtp, who)

    if first != second:
        assert error_of(idp_public.confirm_forgot_password, ClientId=who.client_id, Username=who.username,
                        ConfirmationCode=first, Password=strong_password())[0] == "CodeMismatchException"
    idp_public.confirm_forgot_password(ClientId=who.client_id, Username=who.username, ConfirmationCode=second,
                                       Password=strong_password())


def test_a_password_against_the_policy_keeps_the_code_usable(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    who = member(idp, Policies={"PasswordPolicy": {"MinimumLength": 14}})
    code = forgot(idp_public, smtp, who)

    assert error_of(idp_public.confirm_forgot_password, ClientId=who.client_id, Username=who.username,
                    ConfirmationCode=code, Password="Sh0rt!pass") == (
        "InvalidPasswordException", "Password did not conform with policy: Password not long enough")

    new_password = strong_password() + "xyz"
    idp_public.confirm_forgot_password(ClientId=who.client_id, Username=who.username, ConfirmationCode=code,
                                       Password=new_password)
    assert sign_in(idp_public, who.client_id, who.username, new_password)["AccessToken"]


def test_wrong_codes_are_limited(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    who = member(idp)
    code = forgot(idp_public, smtp, who)

    for _ in range(5):
        assert error_of(idp_public.confirm_forgot_password, ClientId=who.client_id, Username=who.username,
                        ConfirmationCode=other_code(code), Password=strong_password()) == (
            "CodeMismatchException", "Invalid verification code provided, please try again.")
    assert error_of(idp_public.confirm_forgot_password, ClientId=who.client_id, Username=who.username,
                    ConfirmationCode=code, Password=strong_password()) == (
        "LimitExceededException", "Attempt limit exceeded, please try after some time.")
    # The old password is untouched, and a new code works again.
    assert sign_in(idp_public, who.client_id, who.username, who.password)["AccessToken"]
    idp_public.confirm_forgot_password(ClientId=who.client_id, Username=who.username, Password=strong_password(),
                                       ConfirmationCode=forgot(idp_public, smtp, who))


def test_confirm_without_a_code_requested_is_a_mismatch(idp: Any, idp_public: Any) -> None:
    who = member(idp)

    assert error_of(idp_public.confirm_forgot_password, ClientId=who.client_id, Username=who.username,
                    ConfirmationCode="123456", Password=strong_password()) == (
        "CodeMismatchException", "Invalid verification code provided, please try again.")


def test_an_unknown_client_is_not_found(idp_public: Any) -> None:
    assert error_of(idp_public.forgot_password, ClientId="a" * 26, Username="someone")[0] == \
        "ResourceNotFoundException"
