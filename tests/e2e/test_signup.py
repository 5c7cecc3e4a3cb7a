"""Self-service sign-up as an app sees it: SignUp, ConfirmSignUp and ResendConfirmationCode through boto3,
with the codes read from the mail a real SMTP sink received (API reference of each operation; Developer
Guide, "Signing up and confirming user accounts" and "Managing user existence error responses")."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import subprocess
import uuid
from typing import Any

from support.aws import attributes, error_of
from support.factories import create_client, create_pool, strong_password, unique_email, unique_name
from support.server import CognateServer, ServerFactory, cognate_executable
from support.smtp import SmtpSink, message_text

CONFIRM_TEMPLATE = {"EmailSubject": "Confirm your Acme account", "EmailMessage": "Welcome to Acme! Your code: {####}."}




def email_pool(idp: Any, **overrides: Any) -> tuple[str, str]:
    """(pool id, client id) of a pool that verifies email addresses with a code, as most apps have it."""
    settings: dict[str, Any] = {"AutoVerifiedAttributes": ["email"], "VerificationMessageTemplate": CONFIRM_TEMPLATE}
    settings.update(overrides)
    pool = create_pool(idp, **settings)
    return pool["Id"], create_client(idp, pool["Id"])["ClientId"]


def sign_up(idp_public: Any, client_id: str, username: str, email: str | None = None, **extra: Any) -> Any:
    attrs = [{"Name": "email", "Value": email}] if email else []
    return idp_public.sign_up(ClientId=client_id, Username=username, Password=strong_password(),
                              UserAttributes=attrs, **extra)


def signed_up(idp_public: Any, smtp: SmtpSink, client_id: str) -> tuple[str, str, str]:
    """A fresh UNCONFIRMED user: (username, email, code received by mail)."""
    username, email = unique_name("user"), unique_email()
    seen = smtp.count(email)
    sign_up(idp_public, client_id, username, email)
    return username, email, smtp.last_code(email, after=seen)


# --- SignUp then ConfirmSignUp ---------------------------------------------------------------------------


def test_sign_up_mails_a_code_and_confirm_sign_up_verifies_the_email(idp: Any, idp_public: Any,
                                                                    smtp: SmtpSink) -> None:
    pool_id, client_id = email_pool(idp)
    username, email = unique_name("user"), unique_email()

    out = sign_up(idp_public, client_id, username, email)

    assert out["UserConfirmed"] is False
    assert str(uuid.UUID(out["UserSub"])) == out["UserSub"]
    assert out["CodeDeliveryDetails"] == {"Destination": "u***@e***", "DeliveryMedium": "EMAIL",
                                          "AttributeName": "email"}
    message = smtp.wait_for(email)
    code = smtp.last_code(email)
    assert message["Subject"] == "Confirm your Acme account"
    assert message_text(message).strip() == f"Welcome to Acme! Your code: {code}."
    user = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    assert user["UserStatus"] == "UNCONFIRMED"
    assert "email_verified" not in attributes(user)

    idp_public.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=code)

    user = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    assert user["UserStatus"] == "CONFIRMED"
    assert user["Enabled"] is True
    assert attributes(user) == {"sub": out["UserSub"], "email": email, "email_verified": "true"}


def test_legacy_email_verification_fields_shape_the_message(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    pool = create_pool(idp, AutoVerifiedAttributes=["email"], EmailVerificationSubject="Your Legacy code",
                       EmailVerificationMessage="Legacy: {####} is your code")
    client_id = create_client(idp, pool["Id"])["ClientId"]
    email = unique_email()

    sign_up(idp_public, client_id, unique_name("user"), email)

    message = smtp.wait_for(email)
    code = smtp.last_code(email)
    assert message["Subject"] == "Your Legacy code"
    assert message_text(message).strip() == f"Legacy: {code} is your code"


def test_a_multi_line_subject_is_sent_on_one_line(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    _, client_id = email_pool(idp, VerificationMessageTemplate={"EmailSubject": "Welcome\nto Acme",
                                                                "EmailMessage": "Code: {####}"})
    email = unique_email()

    sign_up(idp_public, client_id, unique_name("user"), email)

    assert smtp.wait_for(email)["Subject"] == "Welcome to Acme"


def test_sign_up_without_auto_verification_sends_nothing(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    pool = create_pool(idp)
    client_id = create_client(idp, pool["Id"])["ClientId"]
    email = unique_email()

    out = sign_up(idp_public, client_id, unique_name("user"), email)

    assert out["UserConfirmed"] is False
    assert "CodeDeliveryDetails" not in out
    assert smtp.count(email) == 0  # delivery is synchronous: a message would have arrived before the answer


def test_sign_up_with_client_secret_needs_the_secret_hash(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    pool = create_pool(idp, AutoVerifiedAttributes=["email"])
    client = create_client(idp, pool["Id"], GenerateSecret=True)
    client_id, username, email = client["ClientId"], unique_name("user"), unique_email()
    digest = hmac.new(client["ClientSecret"].encode(), (username + client_id).encode(), hashlib.sha256).digest()
    secret_hash = base64.b64encode(digest).decode()

    code, message = error_of(sign_up, idp_public=idp_public, client_id=client_id, username=username, email=email)
    assert code == "NotAuthorizedException"
    assert message == f"Client {client_id} is configured with secret but SECRET_HASH was not received"

    sign_up(idp_public, client_id, username, email, SecretHash=secret_hash)
    idp_public.confirm_sign_up(ClientId=client_id, Username=username, SecretHash=secret_hash,
                               ConfirmationCode=smtp.last_code(email))
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username=username)["UserStatus"] == "CONFIRMED"


# --- SignUp refusals -------------------------------------------------------------------------------------


def test_sign_up_enforces_each_password_policy_rule(idp: Any, idp_public: Any) -> None:
    pool_id, client_id = email_pool(idp, Policies={"PasswordPolicy": {
        "MinimumLength": 10, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True,
        "RequireSymbols": True}})
    broken = {
        "Ab1!efghi": "Password not long enough",
        "AB1!EFGHIJ": "Password must have lowercase characters",
        "ab1!efghij": "Password must have uppercase characters",
        "Abc!efghij": "Password must have numeric characters",
        "Abc1efghij": "Password must have symbol characters",
    }
    for password, problem in broken.items():
        code, message = error_of(idp_public.sign_up, ClientId=client_id, Username=unique_name("user"),
                                 Password=password)
        assert (code, message) == ("InvalidPasswordException", f"Password did not conform with policy: {problem}")

    idp_public.sign_up(ClientId=client_id, Username=unique_name("user"), Password="Abc1!efghij")
    assert len(idp.list_users(UserPoolId=pool_id)["Users"]) == 1


def test_relaxed_password_policy_accepts_simple_passwords(idp: Any, idp_public: Any) -> None:
    _, client_id = email_pool(idp, Policies={"PasswordPolicy": {
        "MinimumLength": 6, "RequireUppercase": False, "RequireLowercase": False, "RequireNumbers": False,
        "RequireSymbols": False}})

    out = idp_public.sign_up(ClientId=client_id, Username=unique_name("user"), Password="simple")

    assert out["UserConfirmed"] is False


def test_sign_up_refuses_an_existing_username(idp: Any, idp_public: Any) -> None:
    _, client_id = email_pool(idp)
    username = unique_name("user")
    sign_up(idp_public, client_id, username, unique_email())

    assert error_of(sign_up, idp_public=idp_public, client_id=client_id, username=username,
                    email=unique_email()) == ("UsernameExistsException", "User already exists")


def test_sign_up_refuses_attributes_outside_the_schema(idp: Any, idp_public: Any) -> None:
    _, client_id = email_pool(idp, Schema=[{"Name": "plan", "AttributeDataType": "String", "Mutable": True}])

    code, message = error_of(idp_public.sign_up, ClientId=client_id, Username=unique_name("user"),
                             Password=strong_password(), UserAttributes=[{"Name": "custom:nope", "Value": "x"}])
    assert code == "InvalidParameterException"
    assert message == "Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema."

    out = idp_public.sign_up(ClientId=client_id, Username=unique_name("user"), Password=strong_password(),
                             UserAttributes=[{"Name": "custom:plan", "Value": "gold"}])
    assert out["UserConfirmed"] is False


def test_sign_up_refuses_attributes_the_client_may_not_write(idp: Any, idp_public: Any) -> None:
    pool = create_pool(idp)
    client_id = create_client(idp, pool["Id"], WriteAttributes=["email"])["ClientId"]

    code, message = error_of(idp_public.sign_up, ClientId=client_id, Username=unique_name("user"),
                             Password=strong_password(), UserAttributes=[{"Name": "given_name", "Value": "Ann"}])

    assert (code, message) == ("NotAuthorizedException", "A client attempted to write unauthorized attribute")
    idp_public.sign_up(ClientId=client_id, Username=unique_name("user"), Password=strong_password(),
                       UserAttributes=[{"Name": "email", "Value": unique_email()}])


def test_sign_up_requires_the_required_attributes(idp: Any, idp_public: Any) -> None:
    _, client_id = email_pool(idp, Schema=[
        {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
        {"Name": "given_name", "AttributeDataType": "String", "Required": True, "Mutable": True}])

    code, message = error_of(sign_up, idp_public=idp_public, client_id=client_id, username=unique_name("user"),
                             email=unique_email())

    assert code == "InvalidParameterException"
    assert message.startswith("Attributes did not conform to the schema: given_name: The attribute is required")


def test_sign_up_refuses_a_malformed_email(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    _, client_id = email_pool(idp)

    for bad in ("not-an-email", f"eve@example.test,{unique_email()}", f"eve,{unique_email()}"):
        assert error_of(sign_up, idp_public=idp_public, client_id=client_id, username=unique_name("user"),
                        email=bad) == ("InvalidParameterException", "Invalid email address format."), bad
    assert smtp.count("eve@example.test") == 0


def test_sign_up_is_refused_when_only_administrators_create_users(idp: Any, idp_public: Any) -> None:
    _, client_id = email_pool(idp, AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})

    assert error_of(sign_up, idp_public=idp_public, client_id=client_id, username=unique_name("user"),
                    email=unique_email()) == ("NotAuthorizedException", "SignUp is not permitted for this user pool")


# --- user names: username attributes, aliases, case ----------------------------------------------------


def test_email_as_username_pool(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    pool_id, client_id = email_pool(idp, UsernameAttributes=["email"])
    email = unique_email()

    out = idp_public.sign_up(ClientId=client_id, Username=email, Password=strong_password())

    user = idp.admin_get_user(UserPoolId=pool_id, Username=email)
    assert user["Username"] == out["UserSub"]  # Cognito names the user by its sub
    assert attributes(user)["email"] == email
    assert out["CodeDeliveryDetails"]["AttributeName"] == "email"
    idp_public.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=smtp.last_code(email))
    assert idp.admin_get_user(UserPoolId=pool_id, Username=out["UserSub"])["UserStatus"] == "CONFIRMED"

    assert error_of(idp_public.sign_up, ClientId=client_id, Username=email, Password=strong_password()) \
        == ("UsernameExistsException", "An account with the given email already exists.")
    assert error_of(idp_public.sign_up, ClientId=client_id, Username=unique_name("plain"),
                    Password=strong_password()) == ("InvalidParameterException", "Username should be an email.")


def test_email_alias_pool_refuses_email_shaped_usernames_and_resolves_the_verified_alias(
        idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    pool_id, client_id = email_pool(idp, AliasAttributes=["email"])

    assert error_of(sign_up, idp_public=idp_public, client_id=client_id, username=unique_email(),
                    email=unique_email()) == (
        "InvalidParameterException",
        "Username cannot be of email format, since user pool is configured for email alias.")

    username, email, code = signed_up(idp_public, smtp, client_id)
    # An unverified email is no alias yet.
    assert error_of(idp.admin_get_user, UserPoolId=pool_id, Username=email)[0] == "UserNotFoundException"
    idp_public.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=code)
    assert idp.admin_get_user(UserPoolId=pool_id, Username=email)["Username"] == username


def test_confirming_an_email_another_user_verified_needs_force_alias_creation(
        idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    pool_id, client_id = email_pool(idp, AliasAttributes=["email"])
    first, email, code = signed_up(idp_public, smtp, client_id)
    idp_public.confirm_sign_up(ClientId=client_id, Username=first, ConfirmationCode=code)
    second = unique_name("user")
    seen = smtp.count(email)
    sign_up(idp_public, client_id, second, email)  # an unverified copy of the address is allowed
    code = smtp.last_code(email, after=seen)

    assert error_of(idp_public.confirm_sign_up, ClientId=client_id, Username=second, ConfirmationCode=code) == (
        "AliasExistsException", "An account with the given email already exists.")
    assert idp.admin_get_user(UserPoolId=pool_id, Username=second)["UserStatus"] == "UNCONFIRMED"

    idp_public.confirm_sign_up(ClientId=client_id, Username=second, ConfirmationCode=code, ForceAliasCreation=True)

    assert idp.admin_get_user(UserPoolId=pool_id, Username=email)["Username"] == second
    assert attributes(idp.admin_get_user(UserPoolId=pool_id, Username=first))["email_verified"] == "false"


def test_case_insensitive_pool_treats_bob_and_BOB_as_one_user(idp: Any, idp_public: Any) -> None:
    pool_id, client_id = email_pool(idp, UsernameConfiguration={"CaseSensitive": False})
    name = unique_name("Bob")
    out = sign_up(idp_public, client_id, name, unique_email())

    assert error_of(sign_up, idp_public=idp_public, client_id=client_id, username=name.lower(),
                    email=unique_email())[0] == "UsernameExistsException"
    user = idp.admin_get_user(UserPoolId=pool_id, Username=name.upper())
    assert attributes(user)["sub"] == out["UserSub"]
    assert user["Username"].lower() == name.lower()


def test_case_sensitive_pool_keeps_bob_and_bob_apart(idp: Any, idp_public: Any) -> None:
    pool_id, client_id = email_pool(idp, UsernameConfiguration={"CaseSensitive": True})
    name = unique_name("Bob")
    first = sign_up(idp_public, client_id, name, unique_email())
    second = sign_up(idp_public, client_id, name.lower(), unique_email())

    assert first["UserSub"] != second["UserSub"]
    assert error_of(idp.admin_get_user, UserPoolId=pool_id, Username=name.upper()) == (
        "UserNotFoundException", "User does not exist.")


# --- ConfirmSignUp -----------------------------------------------------------------------------------------


def test_wrong_code_is_a_code_mismatch(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    pool_id, client_id = email_pool(idp)
    username, _, code = signed_up(idp_public, smtp, client_id)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    assert error_of(idp_public.confirm_sign_up, ClientId=client_id, Username=username, ConfirmationCode=wrong) == (
        "CodeMismatchException", "Invalid verification code provided, please try again.")
    assert idp.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"] == "UNCONFIRMED"

    idp_public.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=code)  # still good


def test_too_many_wrong_codes_burn_the_code_until_a_new_one_is_sent(idp: Any, idp_public: Any,
                                                                    smtp: SmtpSink) -> None:
    pool_id, client_id = email_pool(idp)
    username, email, code = signed_up(idp_public, smtp, client_id)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    mismatches = 0
    while True:
        error = error_of(idp_public.confirm_sign_up, ClientId=client_id, Username=username, ConfirmationCode=wrong)
        if error[0] != "CodeMismatchException":
            break
        mismatches += 1
        assert mismatches < 50, "no attempt limit"

    assert error == ("LimitExceededException", "Attempt limit exceeded, please try after some time.")
    assert mismatches >= 3
    for _ in range(2):  # the right code no longer works either
        assert error_of(idp_public.confirm_sign_up, ClientId=client_id, Username=username,
                        ConfirmationCode=code) == error
    assert idp.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"] == "UNCONFIRMED"

    seen = smtp.count(email)
    idp_public.resend_confirmation_code(ClientId=client_id, Username=username)
    idp_public.confirm_sign_up(ClientId=client_id, Username=username,
                               ConfirmationCode=smtp.last_code(email, after=seen))
    assert idp.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"] == "CONFIRMED"


def test_a_used_code_cannot_confirm_again(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    _, client_id = email_pool(idp)
    username, _, code = signed_up(idp_public, smtp, client_id)
    idp_public.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=code)

    assert error_of(idp_public.confirm_sign_up, ClientId=client_id, Username=username, ConfirmationCode=code) == (
        "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")


def test_resend_sends_a_new_code_and_the_old_one_stops_working(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    pool_id, client_id = email_pool(idp)
    username, email, old = signed_up(idp_public, smtp, client_id)
    seen = smtp.count(email)

    out = idp_public.resend_confirmation_code(ClientId=client_id, Username=username)

    assert out["CodeDeliveryDetails"] == {"Destination": "u***@e***", "DeliveryMedium": "EMAIL",
                                          "AttributeName": "email"}
    message = smtp.wait_for(email, after=seen)
    new = smtp.last_code(email, after=seen)
    assert message["Subject"] == "Confirm your Acme account"
    if new != old:  # one chance in a million that the new random code equals the old one
        assert error_of(idp_public.confirm_sign_up, ClientId=client_id, Username=username,
                        ConfirmationCode=old)[0] == "CodeMismatchException"
    idp_public.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=new)
    assert idp.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"] == "CONFIRMED"


def test_resend_to_a_confirmed_user_is_refused(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    _, client_id = email_pool(idp)
    username, email, code = signed_up(idp_public, smtp, client_id)
    idp_public.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=code)
    seen = smtp.count(email)

    assert error_of(idp_public.resend_confirmation_code, ClientId=client_id, Username=username) == (
        "InvalidParameterException", "User is already confirmed.")
    assert smtp.count(email) == seen


def test_unknown_user_is_reported_by_a_legacy_client(idp: Any, idp_public: Any) -> None:
    pool_id, _ = email_pool(idp)
    client_id = create_client(idp, pool_id, PreventUserExistenceErrors="LEGACY")["ClientId"]
    missing = unique_name("ghost")

    expected = ("UserNotFoundException", "Username/client id combination not found.")
    assert error_of(idp_public.confirm_sign_up, ClientId=client_id, Username=missing,
                    ConfirmationCode="123456") == expected
    assert error_of(idp_public.resend_confirmation_code, ClientId=client_id, Username=missing) == expected


def test_unknown_user_is_not_revealed_when_existence_errors_are_prevented(idp: Any, idp_public: Any) -> None:
    pool_id, _ = email_pool(idp)
    client_id = create_client(idp, pool_id, PreventUserExistenceErrors="ENABLED")["ClientId"]
    missing = unique_name("ghost")

    assert error_of(idp_public.confirm_sign_up, ClientId=client_id, Username=missing,
                    ConfirmationCode="123456")[0] == "CodeMismatchException"
    out = idp_public.resend_confirmation_code(ClientId=client_id, Username=missing)
    details = out["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == "EMAIL" and details["AttributeName"] == "email"
    assert re.fullmatch(r".\*\*\*@.\*\*\*", details["Destination"])


# --- no SMTP: the outbox ---------------------------------------------------------------------------------


def _outbox(server: CognateServer) -> str:
    command = [cognate_executable(), "outbox", "--data-dir", str(server.data_dir)]
    if server.database_url:
        command += ["--database-url", server.database_url]
    done = subprocess.run(command, env=server.env, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


def test_without_smtp_the_code_lands_in_the_outbox(fresh_server: ServerFactory, smtp: SmtpSink) -> None:
    server = fresh_server(extra_env={"COGNATE_SMTP_URL": ""})
    idp, idp_public = server.client(), server.client(signed=False)
    pool_id, client_id = email_pool(idp)
    username, email = unique_name("user"), unique_email()

    out = sign_up(idp_public, client_id, username, email)

    assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert smtp.count(email) == 0
    printed = _outbox(server)
    line = next(line for line in printed.splitlines() if email in line)
    found = re.search(r"Welcome to Acme! Your code: (\d{6})\.", line)
    assert found, printed
    assert line.startswith(f"EMAIL to {email} [Confirm your Acme account]")
    idp_public.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=found.group(1))
    assert idp.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"] == "CONFIRMED"
