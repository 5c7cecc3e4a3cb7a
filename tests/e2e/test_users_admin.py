"""User administration as an operator sees it, through boto3 with IAM credentials: AdminCreateUser and its
invitation mail, AdminGetUser, attribute updates and deletions, enabling, confirming, passwords and resets
(API reference of each Admin* operation)."""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from support.aws import attributes, error_of
from support.factories import (
    PASSWORD_AUTH_FLOWS,
    create_client,
    create_pool,
    strong_password,
    unique_email,
    unique_name,
)
from support.smtp import SmtpSink, message_text

# UserStatusType of the cognito-idp model: no other value may ever appear.
AWS_STATUSES = {"UNCONFIRMED", "CONFIRMED", "ARCHIVED", "COMPROMISED", "UNKNOWN", "RESET_REQUIRED",
                "FORCE_CHANGE_PASSWORD", "EXTERNAL_PROVIDER"}
SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-")
INVITE = {"EmailSubject": "Welcome to Acme", "EmailMessage": "Hello {username}, your temporary password is {####} !"}
INVITE_RE = re.compile(r"Hello (\S+), your temporary password is (\S+) !")




def admin_pool(idp: Any, **overrides: Any) -> str:
    settings: dict[str, Any] = {"AutoVerifiedAttributes": ["email"],
                                "AdminCreateUserConfig": {"InviteMessageTemplate": INVITE}}
    settings.update(overrides)
    pool_id: str = create_pool(idp, **settings)["Id"]
    return pool_id


def create_user(idp: Any, pool_id: str, username: str | None = None, *, verified: bool = True,
                **extra: Any) -> tuple[str, str]:
    """A user made by AdminCreateUser without invitation: (username, email)."""
    username, email = username or unique_name("user"), unique_email()
    attrs = [{"Name": "email", "Value": email}]
    if verified:
        attrs.append({"Name": "email_verified", "Value": "true"})
    idp.admin_create_user(UserPoolId=pool_id, Username=username, UserAttributes=attrs, MessageAction="SUPPRESS",
                          **extra)
    return username, email


def get(idp: Any, pool_id: str, username: str) -> dict[str, Any]:
    user: dict[str, Any] = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    return user


def sign_in(idp: Any, pool_id: str, username: str, password: str) -> dict[str, Any]:
    """AdminInitiateAuth with the password, through a client allowed to use it."""
    client_id = create_client(idp, pool_id, ExplicitAuthFlows=PASSWORD_AUTH_FLOWS)["ClientId"]
    out: dict[str, Any] = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id,
                                                  AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                                  AuthParameters={"USERNAME": username, "PASSWORD": password})
    return out


def sign_in_error(idp: Any, pool_id: str, username: str, password: str) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        sign_in(idp, pool_id, username, password)
    error = info.value.response["Error"]
    return error["Code"], error.get("Message", "")


def meets_default_policy(password: str, minimum: int) -> bool:
    return (len(password) >= minimum and any(c.islower() for c in password) and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password) and any(c in SYMBOLS for c in password))


# --- AdminCreateUser -------------------------------------------------------------------------------------


def test_create_user_mails_a_generated_temporary_password(idp: Any, smtp: SmtpSink) -> None:
    pool_id = admin_pool(idp, Policies={"PasswordPolicy": {"MinimumLength": 16}})
    username, email = unique_name("user"), unique_email()

    out = idp.admin_create_user(UserPoolId=pool_id, Username=username, DesiredDeliveryMediums=["EMAIL"],
                                UserAttributes=[{"Name": "email", "Value": email},
                                                {"Name": "email_verified", "Value": "true"}])

    user = out["User"]
    assert user["Username"] == username
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert user["Enabled"] is True
    assert isinstance(user["UserCreateDate"], datetime.datetime)
    assert attributes(user)["email"] == email
    uuid.UUID(attributes(user)["sub"])
    message = smtp.wait_for(email)
    assert message["Subject"] == "Welcome to Acme"
    found = INVITE_RE.fullmatch(message_text(message).strip())
    assert found, message_text(message)
    assert found.group(1) == username
    assert meets_default_policy(found.group(2), 16), found.group(2)
    assert sign_in(idp, pool_id, username, found.group(2))["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_create_user_with_a_given_temporary_password_and_the_default_invitation(idp: Any, smtp: SmtpSink) -> None:
    pool_id: str = create_pool(idp)["Id"]
    username, email, password = unique_name("user"), unique_email(), strong_password()

    idp.admin_create_user(UserPoolId=pool_id, Username=username, TemporaryPassword=password,
                          DesiredDeliveryMediums=["EMAIL"], UserAttributes=[{"Name": "email", "Value": email}])

    message = smtp.wait_for(email)
    assert message["Subject"] == "Your temporary password"
    assert message_text(message).strip() == f"Your username is {username} and temporary password is {password}."


def test_create_user_refuses_a_temporary_password_against_the_policy(idp: Any) -> None:
    pool_id = admin_pool(idp)

    assert error_of(idp.admin_create_user, UserPoolId=pool_id, Username=unique_name("user"),
                    TemporaryPassword="Sh0rt!", MessageAction="SUPPRESS") == (
        "InvalidPasswordException", "Password did not conform with policy: Password not long enough")
    assert idp.list_users(UserPoolId=pool_id)["Users"] == []


def test_invitation_without_desired_mediums_goes_to_the_email_of_a_user_without_phone(
        idp: Any, smtp: SmtpSink) -> None:
    pool_id = admin_pool(idp)
    username, email = unique_name("user"), unique_email()

    idp.admin_create_user(UserPoolId=pool_id, Username=username, UserAttributes=[{"Name": "email", "Value": email}])

    assert INVITE_RE.fullmatch(message_text(smtp.wait_for(email)).strip())


def test_email_invitation_needs_an_email(idp: Any) -> None:
    pool_id = admin_pool(idp)
    username = unique_name("user")

    assert error_of(idp.admin_create_user, UserPoolId=pool_id, Username=username, DesiredDeliveryMediums=["EMAIL"]) \
        == ("InvalidParameterException", "No email provided but desired delivery medium was Email")
    assert error_of(idp.admin_get_user, UserPoolId=pool_id, Username=username)[0] == "UserNotFoundException"


def test_a_user_without_contact_is_created_without_invitation(idp: Any) -> None:
    pool_id = admin_pool(idp)
    username = unique_name("user")

    user = idp.admin_create_user(UserPoolId=pool_id, Username=username, TemporaryPassword=strong_password())["User"]

    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert get(idp, pool_id, username)["Username"] == username


def test_suppress_sends_no_invitation(idp: Any, smtp: SmtpSink) -> None:
    pool_id = admin_pool(idp)

    username, email = create_user(idp, pool_id)

    assert smtp.count(email) == 0  # delivery is synchronous: a message would have arrived before the answer
    assert get(idp, pool_id, username)["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_resend_mails_a_new_temporary_password(idp: Any, smtp: SmtpSink) -> None:
    pool_id = admin_pool(idp)
    username, email = unique_name("user"), unique_email()
    idp.admin_create_user(UserPoolId=pool_id, Username=username, DesiredDeliveryMediums=["EMAIL"],
                          UserAttributes=[{"Name": "email", "Value": email}])
    first = INVITE_RE.fullmatch(message_text(smtp.wait_for(email)).strip())
    assert first

    out = idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="RESEND",
                                DesiredDeliveryMediums=["EMAIL"])

    assert out["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    second = INVITE_RE.fullmatch(message_text(smtp.wait_for(email, after=1)).strip())
    assert second and second.group(1) == username
    assert second.group(2) != first.group(2)
    assert smtp.count(email) == 2
    assert sign_in(idp, pool_id, username, second.group(2))["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert sign_in_error(idp, pool_id, username, first.group(2)) == (
        "NotAuthorizedException", "Incorrect username or password.")


def test_resend_needs_an_invited_user(idp: Any) -> None:
    pool_id = admin_pool(idp)
    username, _ = create_user(idp, pool_id)
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=strong_password(), Permanent=True)

    code, _ = error_of(idp.admin_create_user, UserPoolId=pool_id, Username=username, MessageAction="RESEND")
    assert code == "UnsupportedUserStateException"
    assert error_of(idp.admin_create_user, UserPoolId=pool_id, Username=unique_name("ghost"),
                    MessageAction="RESEND") == ("UserNotFoundException", "User does not exist.")


def test_create_user_refuses_an_existing_username(idp: Any) -> None:
    pool_id = admin_pool(idp)
    username, _ = create_user(idp, pool_id)

    assert error_of(idp.admin_create_user, UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS") == (
        "UsernameExistsException", "User account already exists")


def test_create_user_in_an_email_as_username_pool_names_the_user_by_its_sub(idp: Any) -> None:
    pool_id = admin_pool(idp, UsernameAttributes=["email"])
    email = unique_email()

    user = idp.admin_create_user(UserPoolId=pool_id, Username=email, MessageAction="SUPPRESS")["User"]

    assert user["Username"] == attributes(user)["sub"]
    assert attributes(user)["email"] == email
    assert get(idp, pool_id, email)["Username"] == user["Username"]
    assert error_of(idp.admin_create_user, UserPoolId=pool_id, Username=email, MessageAction="SUPPRESS") == (
        "UsernameExistsException", "An account with the given email already exists.")


def test_operations_on_an_unknown_pool_are_refused(idp: Any) -> None:
    code, _ = error_of(idp.admin_get_user, UserPoolId="us-east-1_Nonexist0", Username="nobody")
    assert code == "ResourceNotFoundException"


# --- AdminGetUser ----------------------------------------------------------------------------------------


def test_get_user_describes_the_user(idp: Any) -> None:
    pool_id = admin_pool(idp)
    username, email = create_user(idp, pool_id)

    user = get(idp, pool_id, username)

    assert user["Username"] == username
    attrs = attributes(user)
    assert user["UserAttributes"][0]["Name"] == "sub"
    assert attrs == {"sub": attrs["sub"], "email": email, "email_verified": "true"}
    assert str(uuid.UUID(attrs["sub"])) == attrs["sub"]
    assert isinstance(user["UserCreateDate"], datetime.datetime)
    assert user["UserLastModifiedDate"] >= user["UserCreateDate"]
    assert user["Enabled"] is True
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_get_unknown_user(idp: Any) -> None:
    pool_id = admin_pool(idp)

    assert error_of(idp.admin_get_user, UserPoolId=pool_id, Username=unique_name("ghost")) == (
        "UserNotFoundException", "User does not exist.")


# --- AdminUpdateUserAttributes / AdminDeleteUserAttributes ----------------------------------------------------


def test_changing_the_email_unverifies_it_and_mails_a_code_to_the_new_address(idp: Any, smtp: SmtpSink) -> None:
    pool_id = admin_pool(idp, VerificationMessageTemplate={"EmailSubject": "Verify it", "EmailMessage": "Code {####}"})
    username, old_email = create_user(idp, pool_id)
    new_email = unique_email()

    idp.admin_update_user_attributes(UserPoolId=pool_id, Username=username,
                                     UserAttributes=[{"Name": "email", "Value": new_email}])

    attrs = attributes(get(idp, pool_id, username))
    assert attrs["email"] == new_email
    assert attrs["email_verified"] == "false"
    message = smtp.wait_for(new_email)
    assert message["Subject"] == "Verify it"
    assert re.fullmatch(r"Code \d{6}", message_text(message).strip())
    assert smtp.count(old_email) == 0


def test_email_set_as_verified_needs_no_code(idp: Any, smtp: SmtpSink) -> None:
    pool_id = admin_pool(idp)
    username, _ = create_user(idp, pool_id, verified=False)
    new_email = unique_email()

    idp.admin_update_user_attributes(UserPoolId=pool_id, Username=username,
                                     UserAttributes=[{"Name": "email", "Value": new_email},
                                                     {"Name": "email_verified", "Value": "true"}])

    attrs = attributes(get(idp, pool_id, username))
    assert (attrs["email"], attrs["email_verified"]) == (new_email, "true")
    assert smtp.count(new_email) == 0


def test_email_change_without_auto_verification_sends_nothing(idp: Any, smtp: SmtpSink) -> None:
    pool_id: str = create_pool(idp)["Id"]
    username, _ = create_user(idp, pool_id)
    new_email = unique_email()

    idp.admin_update_user_attributes(UserPoolId=pool_id, Username=username,
                                     UserAttributes=[{"Name": "email", "Value": new_email}])

    assert attributes(get(idp, pool_id, username))["email_verified"] == "false"
    assert smtp.count(new_email) == 0


def test_custom_and_immutable_attributes(idp: Any) -> None:
    pool_id = admin_pool(idp, Schema=[
        {"Name": "plan", "AttributeDataType": "String", "Mutable": True},
        {"Name": "tenant", "AttributeDataType": "String", "Mutable": False},
        {"Name": "seats", "AttributeDataType": "Number", "Mutable": True,
         "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "100"}}])
    username, _ = create_user(idp, pool_id)
    idp.admin_update_user_attributes(UserPoolId=pool_id, Username=username, UserAttributes=[
        {"Name": "custom:plan", "Value": "gold"}, {"Name": "custom:tenant", "Value": "acme"},
        {"Name": "custom:seats", "Value": "5"}])
    attrs = attributes(get(idp, pool_id, username))
    assert (attrs["custom:plan"], attrs["custom:tenant"], attrs["custom:seats"]) == ("gold", "acme", "5")

    code, message = error_of(idp.admin_update_user_attributes, UserPoolId=pool_id, Username=username,
                             UserAttributes=[{"Name": "custom:tenant", "Value": "other"}])
    assert code == "InvalidParameterException"
    assert "custom:tenant" in message and "cannot be updated" in message
    code, _ = error_of(idp.admin_update_user_attributes, UserPoolId=pool_id, Username=username,
                       UserAttributes=[{"Name": "custom:seats", "Value": "500"}])
    assert code == "InvalidParameterException"
    code, message = error_of(idp.admin_update_user_attributes, UserPoolId=pool_id, Username=username,
                             UserAttributes=[{"Name": "custom:unknown", "Value": "x"}])
    assert (code, message) == ("InvalidParameterException", "Attributes did not conform to the schema: "
                               "custom:unknown: Attribute does not exist in the schema.")
    assert attributes(get(idp, pool_id, username))["custom:tenant"] == "acme"


def test_update_attributes_of_an_unknown_user(idp: Any) -> None:
    pool_id = admin_pool(idp)

    assert error_of(idp.admin_update_user_attributes, UserPoolId=pool_id, Username=unique_name("ghost"),
                    UserAttributes=[{"Name": "name", "Value": "x"}]) == (
        "UserNotFoundException", "User does not exist.")


def test_delete_attributes_removes_optional_ones_and_refuses_required_ones(idp: Any) -> None:
    pool_id = admin_pool(idp, Schema=[
        {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}])
    username, _ = create_user(idp, pool_id)
    idp.admin_update_user_attributes(UserPoolId=pool_id, Username=username, UserAttributes=[
        {"Name": "given_name", "Value": "Ann"}, {"Name": "family_name", "Value": "Lee"}])

    idp.admin_delete_user_attributes(UserPoolId=pool_id, Username=username, UserAttributeNames=["given_name"])

    attrs = attributes(get(idp, pool_id, username))
    assert "given_name" not in attrs and attrs["family_name"] == "Lee"
    code, message = error_of(idp.admin_delete_user_attributes, UserPoolId=pool_id, Username=username,
                             UserAttributeNames=["email"])
    assert code == "InvalidParameterException"
    assert "email" in message and "required" in message
    assert "email" in attributes(get(idp, pool_id, username))


# --- AdminDeleteUser, AdminDisableUser, AdminEnableUser --------------------------------------------------------


def test_delete_user(idp: Any) -> None:
    pool_id = admin_pool(idp)
    username, _ = create_user(idp, pool_id)
    kept, _ = create_user(idp, pool_id)

    idp.admin_delete_user(UserPoolId=pool_id, Username=username)

    assert error_of(idp.admin_get_user, UserPoolId=pool_id, Username=username)[0] == "UserNotFoundException"
    assert error_of(idp.admin_delete_user, UserPoolId=pool_id, Username=username) == (
        "UserNotFoundException", "User does not exist.")
    assert [u["Username"] for u in idp.list_users(UserPoolId=pool_id)["Users"]] == [kept]
    idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")  # the name is free


def test_disable_and_enable_user(idp: Any) -> None:
    pool_id = admin_pool(idp)
    username, _ = create_user(idp, pool_id)

    password = strong_password()
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)

    idp.admin_disable_user(UserPoolId=pool_id, Username=username)
    assert get(idp, pool_id, username)["Enabled"] is False
    assert sign_in_error(idp, pool_id, username, password) == ("NotAuthorizedException", "User is disabled.")
    idp.admin_disable_user(UserPoolId=pool_id, Username=username)  # idempotent
    assert get(idp, pool_id, username)["Enabled"] is False

    idp.admin_enable_user(UserPoolId=pool_id, Username=username)
    user = get(idp, pool_id, username)
    assert user["Enabled"] is True
    assert user["UserStatus"] == "CONFIRMED"
    assert "AuthenticationResult" in sign_in(idp, pool_id, username, password)
    assert error_of(idp.admin_disable_user, UserPoolId=pool_id, Username=unique_name("ghost"))[0] == \
        "UserNotFoundException"


# --- AdminConfirmSignUp -------------------------------------------------------------------------------------


def test_admin_confirm_sign_up(idp: Any, smtp: SmtpSink) -> None:
    pool_id = admin_pool(idp)
    client_id = create_client(idp, pool_id)["ClientId"]
    username = unique_name("user")
    idp.sign_up(ClientId=client_id, Username=username, Password=strong_password())
    assert get(idp, pool_id, username)["UserStatus"] == "UNCONFIRMED"

    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=username)

    assert get(idp, pool_id, username)["UserStatus"] == "CONFIRMED"
    assert error_of(idp.admin_confirm_sign_up, UserPoolId=pool_id, Username=username) == (
        "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")


# --- AdminSetUserPassword / AdminResetUserPassword ---------------------------------------------------------


def test_set_user_password_permanent_or_temporary(idp: Any) -> None:
    pool_id = admin_pool(idp)
    username, _ = create_user(idp, pool_id)

    permanent, temporary = strong_password(), strong_password()
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=permanent, Permanent=True)
    assert get(idp, pool_id, username)["UserStatus"] == "CONFIRMED"
    assert "AuthenticationResult" in sign_in(idp, pool_id, username, permanent)

    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=temporary, Permanent=False)
    assert get(idp, pool_id, username)["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert sign_in(idp, pool_id, username, temporary)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"

    assert error_of(idp.admin_set_user_password, UserPoolId=pool_id, Username=username, Password="alllowercase1!",
                    Permanent=True) == ("InvalidPasswordException",
                                        "Password did not conform with policy: Password must have uppercase characters")
    assert get(idp, pool_id, username)["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert error_of(idp.admin_set_user_password, UserPoolId=pool_id, Username=unique_name("ghost"),
                    Password=strong_password(), Permanent=True)[0] == "UserNotFoundException"


def test_reset_user_password_mails_a_code_to_the_verified_email(idp: Any, smtp: SmtpSink) -> None:
    pool_id = admin_pool(idp)
    username, email = create_user(idp, pool_id)
    password = strong_password()
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)

    idp.admin_reset_user_password(UserPoolId=pool_id, Username=username)

    assert get(idp, pool_id, username)["UserStatus"] == "RESET_REQUIRED"
    assert re.fullmatch(r"\d{6}", smtp.last_code(email))
    assert sign_in_error(idp, pool_id, username, password) == (
        "PasswordResetRequiredException", "Password reset required for the user")


def test_reset_user_password_needs_a_verified_contact(idp: Any, smtp: SmtpSink) -> None:
    pool_id = admin_pool(idp)
    username, email = create_user(idp, pool_id, verified=False)
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=strong_password(), Permanent=True)

    assert error_of(idp.admin_reset_user_password, UserPoolId=pool_id, Username=username) == (
        "InvalidParameterException",
        "Cannot reset password for the user as there is no registered/verified email or phone_number")
    assert get(idp, pool_id, username)["UserStatus"] == "CONFIRMED"
    assert smtp.count(email) == 0


def test_every_status_is_one_of_aws_values(idp: Any) -> None:
    pool_id = admin_pool(idp)
    client_id = create_client(idp, pool_id)["ClientId"]
    idp.sign_up(ClientId=client_id, Username=unique_name("user"), Password=strong_password())
    create_user(idp, pool_id)
    confirmed, _ = create_user(idp, pool_id)
    idp.admin_set_user_password(UserPoolId=pool_id, Username=confirmed, Password=strong_password(), Permanent=True)
    reset, _ = create_user(idp, pool_id)
    idp.admin_set_user_password(UserPoolId=pool_id, Username=reset, Password=strong_password(), Permanent=True)
    idp.admin_reset_user_password(UserPoolId=pool_id, Username=reset)

    statuses = {u["UserStatus"] for u in idp.list_users(UserPoolId=pool_id)["Users"]}

    assert statuses == {"UNCONFIRMED", "FORCE_CHANGE_PASSWORD", "CONFIRMED", "RESET_REQUIRED"}
    assert statuses <= AWS_STATUSES


# --- verified aliases -------------------------------------------------------------------------------------


def test_a_verified_email_alias_belongs_to_one_user(idp: Any) -> None:
    pool_id = admin_pool(idp, AliasAttributes=["email"])
    owner, email = create_user(idp, pool_id)
    verified = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
    newcomer = unique_name("user")

    assert error_of(idp.admin_create_user, UserPoolId=pool_id, Username=newcomer, UserAttributes=verified,
                    MessageAction="SUPPRESS") == (
        "AliasExistsException", "An account with the given email already exists.")
    assert error_of(idp.admin_get_user, UserPoolId=pool_id, Username=newcomer)[0] == "UserNotFoundException"

    idp.admin_create_user(UserPoolId=pool_id, Username=newcomer, UserAttributes=verified, MessageAction="SUPPRESS",
                          ForceAliasCreation=True)

    assert get(idp, pool_id, email)["Username"] == newcomer
    assert attributes(get(idp, pool_id, owner))["email_verified"] == "false"


def test_verifying_an_email_another_user_holds_is_an_alias_conflict(idp: Any) -> None:
    pool_id = admin_pool(idp, AliasAttributes=["email"])
    owner, email = create_user(idp, pool_id)
    other, _ = create_user(idp, pool_id, verified=False)

    assert error_of(idp.admin_update_user_attributes, UserPoolId=pool_id, Username=other, UserAttributes=[
        {"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]) == (
        "AliasExistsException", "An account with the given email already exists.")
    assert get(idp, pool_id, email)["Username"] == owner
    assert attributes(get(idp, pool_id, other))["email"] != email


def test_changing_the_email_of_an_email_as_username_user_to_a_taken_one_is_refused(idp: Any) -> None:
    pool_id = admin_pool(idp, UsernameAttributes=["email"])
    first, second = unique_email(), unique_email()
    for email in (first, second):
        idp.admin_create_user(UserPoolId=pool_id, Username=email, MessageAction="SUPPRESS")

    assert error_of(idp.admin_update_user_attributes, UserPoolId=pool_id, Username=second,
                    UserAttributes=[{"Name": "email", "Value": first}]) == (
        "AliasExistsException", "An account with the given email already exists.")
    assert attributes(get(idp, pool_id, second))["email"] == second


# --- naming a user by its sub, and the pool's user count ----------------------------------------------------


def test_admin_operations_accept_the_sub_for_the_username(idp: Any) -> None:
    pool_id = admin_pool(idp)
    username, _ = create_user(idp, pool_id)
    sub = attributes(get(idp, pool_id, username))["sub"]

    assert get(idp, pool_id, sub)["Username"] == username
    idp.admin_disable_user(UserPoolId=pool_id, Username=sub)
    assert get(idp, pool_id, username)["Enabled"] is False
    assert error_of(idp.admin_get_user, UserPoolId=pool_id, Username=str(uuid.uuid4()))[0] == "UserNotFoundException"


def test_estimated_number_of_users_follows_creations_and_deletions(idp: Any) -> None:
    pool_id = admin_pool(idp)
    names = [create_user(idp, pool_id)[0] for _ in range(3)]
    idp.admin_delete_user(UserPoolId=pool_id, Username=names[0])

    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["EstimatedNumberOfUsers"] == 2


def test_verified_flags_are_booleans_whatever_their_case(idp: Any) -> None:
    pool_id = admin_pool(idp, AliasAttributes=["email"])
    username, email = unique_name("user"), unique_email()

    idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS", UserAttributes=[
        {"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "True"}])

    assert attributes(get(idp, pool_id, username))["email_verified"] == "true"
    assert get(idp, pool_id, email)["Username"] == username  # a verified alias
    assert error_of(idp.admin_update_user_attributes, UserPoolId=pool_id, Username=username,
                    UserAttributes=[{"Name": "email_verified", "Value": "yes"}])[0] == "InvalidParameterException"


def test_admin_create_user_leaves_required_attributes_to_the_user(idp: Any) -> None:
    """API reference, AdminCreateUser: required attributes may be supplied by the user at first sign-in."""
    pool = create_pool(idp, Schema=[{"Name": "name", "Required": True}])
    created = idp.admin_create_user(UserPoolId=pool["Id"], Username="no-name-yet", MessageAction="SUPPRESS")
    assert created["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    names = {a["Name"] for a in created["User"]["Attributes"]}
    assert "name" not in names and "sub" in names
