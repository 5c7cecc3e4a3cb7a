"""The signed-in user's own profile through boto3 with an access token and no AWS credentials: GetUser,
UpdateUserAttributes, DeleteUserAttributes, DeleteUser, GetUserAttributeVerificationCode, VerifyUserAttribute
and ChangePassword (API reference of each), with codes read from the mail a real SMTP sink received."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from support.aws import attributes, error_of
from support.factories import create_client, create_pool, strong_password, unique_email, unique_name
from support.smtp import SmtpSink, message_text

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
VERIFY_TEMPLATE = {"EmailSubject": "Verify your Acme email", "EmailMessage": "Your Acme code: {####}."}
SCHEMA = [{"Name": "nickname", "AttributeDataType": "String", "Mutable": False},
          {"Name": "team", "AttributeDataType": "String", "Mutable": True}]




@dataclass
class Account:
    pool_id: str
    client_id: str
    username: str
    email: str
    password: str
    access_token: str
    refresh_token: str


def sign_in(idp_public: Any, client_id: str, username: str, password: str) -> dict[str, Any]:
    out: dict[str, Any] = idp_public.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                                   AuthParameters={"USERNAME": username, "PASSWORD": password})
    return dict(out["AuthenticationResult"])


def add_user(idp: Any, pool_id: str, *extra: dict[str, str], email: str | None = None,
             username: str | None = None) -> tuple[str, str, str]:
    """A CONFIRMED user with a verified email and a permanent password: (username, email, password)."""
    username, email, password = username or unique_name("user"), email or unique_email(), strong_password()
    idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": email},
                                          {"Name": "email_verified", "Value": "true"}, *extra])
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
    return username, email, password


def account(idp: Any, idp_public: Any, *, client: dict[str, Any] | None = None, **pool_settings: Any) -> Account:
    """A pool (auto-verifying email unless told otherwise), a password client and a signed-in user."""
    settings: dict[str, Any] = {"AutoVerifiedAttributes": ["email"], "VerificationMessageTemplate": VERIFY_TEMPLATE,
                                "Schema": SCHEMA}
    settings.update(pool_settings)
    pool_id = create_pool(idp, **settings)["Id"]
    client_id = create_client(idp, pool_id, ExplicitAuthFlows=FLOWS, **(client or {}))["ClientId"]
    username, email, password = add_user(idp, pool_id, {"Name": "nickname", "Value": "neo"})
    tokens = sign_in(idp_public, client_id, username, password)
    return Account(pool_id, client_id, username, email, password, tokens["AccessToken"], tokens["RefreshToken"])


# --- GetUser -------------------------------------------------------------------------------------------------


def test_get_user_returns_the_token_owner_with_sub_first(idp: Any, idp_public: Any) -> None:
    me = account(idp, idp_public)

    out = idp_public.get_user(AccessToken=me.access_token)

    assert out["Username"] == me.username
    assert out["UserAttributes"][0]["Name"] == "sub"
    assert attributes(out) == attributes(idp.admin_get_user(UserPoolId=me.pool_id, Username=me.username))
    assert attributes(out)["email"] == me.email
    assert attributes(out)["email_verified"] == "true"
    assert attributes(out)["nickname"] == "neo"
    # No MFA is configured for this user: none of the MFA members apply.
    assert not {"MFAOptions", "PreferredMfaSetting", "UserMFASettingList"} & set(out)


def test_get_user_shows_only_what_the_client_may_read(idp: Any, idp_public: Any) -> None:
    me = account(idp, idp_public, client={"ReadAttributes": ["email", "email_verified"]})

    out = idp_public.get_user(AccessToken=me.access_token)

    assert [a["Name"] for a in out["UserAttributes"]] == ["sub", "email", "email_verified"]


@pytest.mark.parametrize("token", ["not-a-token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"])
def test_get_user_refuses_a_token_it_did_not_issue(idp_public: Any, token: str) -> None:
    assert error_of(idp_public.get_user, AccessToken=token) == ("NotAuthorizedException", "Invalid Access Token")


def test_an_id_token_is_not_an_access_token(idp: Any, idp_public: Any) -> None:
    me = account(idp, idp_public)
    id_token = sign_in(idp_public, me.client_id, me.username, me.password)["IdToken"]

    assert error_of(idp_public.get_user, AccessToken=id_token) == ("NotAuthorizedException", "Invalid Access Token")


def test_a_disabled_user_cannot_use_its_token(idp: Any, idp_public: Any) -> None:
    me = account(idp, idp_public)
    idp.admin_disable_user(UserPoolId=me.pool_id, Username=me.username)

    for call, params in ((idp_public.get_user, {}),
                         (idp_public.update_user_attributes, {"UserAttributes": [{"Name": "name", "Value": "x"}]}),
                         (idp_public.change_password, {"PreviousPassword": me.password,
                                                       "ProposedPassword": strong_password()})):
        assert error_of(call, AccessToken=me.access_token, **params) == ("NotAuthorizedException",
                                                                         "User is disabled.")

    idp.admin_enable_user(UserPoolId=me.pool_id, Username=me.username)
    assert idp_public.get_user(AccessToken=me.access_token)["Username"] == me.username


def test_a_user_whose_password_was_reset_must_reset_it_first(idp: Any, idp_public: Any) -> None:
    """Every token-authenticated operation lists PasswordResetRequiredException for a RESET_REQUIRED user."""
    me = account(idp, idp_public)
    idp.admin_reset_user_password(UserPoolId=me.pool_id, Username=me.username)

    assert error_of(idp_public.get_user, AccessToken=me.access_token) == (
        "PasswordResetRequiredException", "Password reset required for the user")
    assert error_of(idp_public.change_password, AccessToken=me.access_token, PreviousPassword=me.password,
                    ProposedPassword=strong_password())[0] == "PasswordResetRequiredException"


# --- UpdateUserAttributes ------------------------------------------------------------------------------------


def test_update_user_attributes_changes_plain_and_custom_attributes(idp: Any, idp_public: Any) -> None:
    me = account(idp, idp_public)

    out = idp_public.update_user_attributes(AccessToken=me.access_token, UserAttributes=[
        {"Name": "name", "Value": "Jane Doe"}, {"Name": "custom:team", "Value": "blue"}])

    assert "CodeDeliveryDetailsList" not in out
    seen = attributes(idp_public.get_user(AccessToken=me.access_token))
    assert seen["name"] == "Jane Doe"
    assert seen["custom:team"] == "blue"
    assert seen["email_verified"] == "true"


def test_changing_an_auto_verified_email_sends_a_code_that_verifies_it(idp: Any, idp_public: Any,
                                                                       smtp: SmtpSink) -> None:
    me = account(idp, idp_public)
    new_email = unique_email()

    out = idp_public.update_user_attributes(AccessToken=me.access_token,
                                            UserAttributes=[{"Name": "email", "Value": new_email}])

    assert out["CodeDeliveryDetailsList"] == [{"Destination": "u***@e***", "DeliveryMedium": "EMAIL",
                                               "AttributeName": "email"}]
    message = smtp.wait_for(new_email)
    code = smtp.last_code(new_email)
    assert message["Subject"] == "Verify your Acme email"
    assert message_text(message).strip() == f"Your Acme code: {code}."
    seen = attributes(idp_public.get_user(AccessToken=me.access_token))
    assert (seen["email"], seen["email_verified"]) == (new_email, "false")

    idp_public.verify_user_attribute(AccessToken=me.access_token, AttributeName="email", Code=code)

    assert attributes(idp_public.get_user(AccessToken=me.access_token))["email_verified"] == "true"


def test_changing_an_email_that_is_not_auto_verified_only_unverifies_it(idp: Any, idp_public: Any,
                                                                       smtp: SmtpSink) -> None:
    me = account(idp, idp_public, AutoVerifiedAttributes=[])
    new_email = unique_email()

    out = idp_public.update_user_attributes(AccessToken=me.access_token,
                                            UserAttributes=[{"Name": "email", "Value": new_email}])

    assert "CodeDeliveryDetailsList" not in out
    assert attributes(idp_public.get_user(AccessToken=me.access_token))["email_verified"] == "false"
    assert smtp.count(new_email) == 0
    # The user asks for a code itself, then verifies.
    details = idp_public.get_user_attribute_verification_code(AccessToken=me.access_token, AttributeName="email")
    assert details["CodeDeliveryDetails"] == {"Destination": "u***@e***", "DeliveryMedium": "EMAIL",
                                              "AttributeName": "email"}
    idp_public.verify_user_attribute(AccessToken=me.access_token, AttributeName="email",
                                     Code=smtp.last_code(new_email))
    assert attributes(idp_public.get_user(AccessToken=me.access_token))["email_verified"] == "true"


def test_a_code_for_the_old_email_does_not_verify_the_new_one(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    me = account(idp, idp_public, AutoVerifiedAttributes=[])
    seen = smtp.count(me.email)
    idp_public.get_user_attribute_verification_code(AccessToken=me.access_token, AttributeName="email")
    old_code = smtp.last_code(me.email, after=seen)

    idp_public.update_user_attributes(AccessToken=me.access_token,
                                      UserAttributes=[{"Name": "email", "Value": unique_email()}])

    assert error_of(idp_public.verify_user_attribute, AccessToken=me.access_token, AttributeName="email",
                    Code=old_code)[0] == "CodeMismatchException"
    assert attributes(idp_public.get_user(AccessToken=me.access_token))["email_verified"] == "false"


def test_update_user_attributes_honours_the_clients_write_attributes(idp: Any, idp_public: Any) -> None:
    me = account(idp, idp_public, client={"WriteAttributes": ["name", "email"]})

    assert error_of(idp_public.update_user_attributes, AccessToken=me.access_token,
                    UserAttributes=[{"Name": "custom:team", "Value": "red"}]) == (
        "NotAuthorizedException", "A client attempted to write unauthorized attribute")
    idp_public.update_user_attributes(AccessToken=me.access_token, UserAttributes=[{"Name": "name", "Value": "ok"}])
    assert attributes(idp_public.get_user(AccessToken=me.access_token))["name"] == "ok"


def test_a_user_cannot_mark_its_own_email_verified(idp: Any, idp_public: Any) -> None:
    me = account(idp, idp_public)
    idp_public.update_user_attributes(AccessToken=me.access_token,
                                      UserAttributes=[{"Name": "email", "Value": unique_email()}])

    assert error_of(idp_public.update_user_attributes, AccessToken=me.access_token,
                    UserAttributes=[{"Name": "email_verified", "Value": "true"}]) == (
        "NotAuthorizedException", "A client attempted to write unauthorized attribute")
    assert attributes(idp_public.get_user(AccessToken=me.access_token))["email_verified"] == "false"


def test_update_user_attributes_enforces_the_schema(idp: Any, idp_public: Any) -> None:
    me = account(idp, idp_public)

    cases = {
        "custom:unknown": ("InvalidParameterException", "Attributes did not conform to the schema: custom:unknown: "
                                                        "Attribute does not exist in the schema."),
        "sub": ("InvalidParameterException", "Attributes did not conform to the schema: sub: "
                                             "Attribute does not exist in the schema."),
        "nickname": ("InvalidParameterException", "Attributes did not conform to the schema: nickname: "
                                                  "Attribute cannot be updated. (changing an immutable attribute)"),
    }
    for name, expected in cases.items():
        assert error_of(idp_public.update_user_attributes, AccessToken=me.access_token,
                        UserAttributes=[{"Name": name, "Value": "new-value"}]) == expected, name
    assert error_of(idp_public.update_user_attributes, AccessToken=me.access_token,
                    UserAttributes=[{"Name": "email", "Value": "not-an-email"}]) == (
        "InvalidParameterException", "Invalid email address format.")
    assert attributes(idp_public.get_user(AccessToken=me.access_token))["nickname"] == "neo"


def test_a_blank_value_deletes_the_attribute(idp: Any, idp_public: Any) -> None:
    me = account(idp, idp_public)
    idp_public.update_user_attributes(AccessToken=me.access_token, UserAttributes=[{"Name": "name", "Value": "x"}])

    idp_public.update_user_attributes(AccessToken=me.access_token, UserAttributes=[{"Name": "name", "Value": ""}])

    assert "name" not in attributes(idp_public.get_user(AccessToken=me.access_token))


def test_an_email_verified_by_another_user_cannot_become_an_alias_twice(idp: Any, idp_public: Any,
                                                                       smtp: SmtpSink) -> None:
    me = account(idp, idp_public, AliasAttributes=["email"])
    _, taken, _ = add_user(idp, me.pool_id)

    out = idp_public.update_user_attributes(AccessToken=me.access_token,
                                            UserAttributes=[{"Name": "email", "Value": taken}])
    assert out["CodeDeliveryDetailsList"][0]["AttributeName"] == "email"
    code = smtp.last_code(taken)

    assert error_of(idp_public.verify_user_attribute, AccessToken=me.access_token, AttributeName="email",
                    Code=code) == ("AliasExistsException", "An account with the given email already exists.")
    assert attributes(idp_public.get_user(AccessToken=me.access_token))["email_verified"] == "false"


def test_a_username_attribute_cannot_take_another_users_email(idp: Any, idp_public: Any) -> None:
    pool_id = create_pool(idp, UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])["Id"]
    client_id = create_client(idp, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    mine, theirs = unique_email(), unique_email()
    _, _, password = add_user(idp, pool_id, username=mine, email=mine)
    add_user(idp, pool_id, username=theirs, email=theirs)
    token = sign_in(idp_public, client_id, mine, password)["AccessToken"]

    assert error_of(idp_public.update_user_attributes, AccessToken=token,
                    UserAttributes=[{"Name": "email", "Value": theirs}]) == (
        "AliasExistsException", "An account with the given email already exists.")


# --- DeleteUserAttributes --------------------------------------------------------------------------------------


def test_delete_user_attributes_removes_them_and_refuses_unwritable_or_unknown_ones(idp: Any,
                                                                                     idp_public: Any) -> None:
    me = account(idp, idp_public, client={"WriteAttributes": ["name", "email", "custom:team"]})
    idp_public.update_user_attributes(AccessToken=me.access_token, UserAttributes=[
        {"Name": "name", "Value": "x"}, {"Name": "custom:team", "Value": "blue"}])

    idp_public.delete_user_attributes(AccessToken=me.access_token, UserAttributeNames=["name", "custom:team"])

    seen = attributes(idp_public.get_user(AccessToken=me.access_token))
    assert "name" not in seen and "custom:team" not in seen
    assert error_of(idp_public.delete_user_attributes, AccessToken=me.access_token,
                    UserAttributeNames=["nickname"]) == (
        "NotAuthorizedException", "A client attempted to write unauthorized attribute")
    assert error_of(idp_public.delete_user_attributes, AccessToken=me.access_token,
                    UserAttributeNames=["custom:nope"]) == (
        "InvalidParameterException", "Attributes did not conform to the schema: custom:nope: "
                                     "Attribute does not exist in the schema.")


def test_delete_user_attributes_refuses_a_required_attribute(idp: Any, idp_public: Any) -> None:
    schema = [*SCHEMA, {"Name": "given_name", "AttributeDataType": "String", "Required": True}]
    pool_id = create_pool(idp, Schema=schema)["Id"]
    client_id = create_client(idp, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    username, _, password = add_user(idp, pool_id, {"Name": "given_name", "Value": "Jane"})
    token = sign_in(idp_public, client_id, username, password)["AccessToken"]

    assert error_of(idp_public.delete_user_attributes, AccessToken=token, UserAttributeNames=["given_name"]) == (
        "InvalidParameterException", "Attributes did not conform to the schema: given_name: The attribute is required")


def test_deleting_the_email_removes_its_verified_flag(idp: Any, idp_public: Any) -> None:
    me = account(idp, idp_public)

    idp_public.delete_user_attributes(AccessToken=me.access_token, UserAttributeNames=["email"])

    seen = attributes(idp_public.get_user(AccessToken=me.access_token))
    assert "email" not in seen and "email_verified" not in seen


# --- GetUserAttributeVerificationCode and VerifyUserAttribute ----------------------------------------------


def test_verification_code_needs_an_email_or_phone_the_user_has(idp: Any, idp_public: Any) -> None:
    me = account(idp, idp_public)

    assert error_of(idp_public.get_user_attribute_verification_code, AccessToken=me.access_token,
                    AttributeName="phone_number")[0] == "InvalidParameterException"
    assert error_of(idp_public.get_user_attribute_verification_code, AccessToken=me.access_token,
                    AttributeName="name")[0] == "InvalidParameterException"


def test_verify_user_attribute_checks_the_code(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    me = account(idp, idp_public)
    assert error_of(idp_public.verify_user_attribute, AccessToken=me.access_token, AttributeName="email",
                    Code="123456") == ("CodeMismatchException",
                                       "Invalid verification code provided, please try again.")
    new_email = unique_email()
    idp_public.update_user_attributes(AccessToken=me.access_token,
                                      UserAttributes=[{"Name": "email", "Value": new_email}])
    code = smtp.last_code(new_email)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    for _ in range(5):
        assert error_of(idp_public.verify_user_attribute, AccessToken=me.access_token, AttributeName="email",
                        Code=wrong)[0] == "CodeMismatchException"
    # Five wrong guesses burn the code: the right one is refused too until a new code is sent.
    assert error_of(idp_public.verify_user_attribute, AccessToken=me.access_token, AttributeName="email",
                    Code=code) == ("LimitExceededException", "Attempt limit exceeded, please try after some time.")

    seen = smtp.count(new_email)
    idp_public.get_user_attribute_verification_code(AccessToken=me.access_token, AttributeName="email")
    idp_public.verify_user_attribute(AccessToken=me.access_token, AttributeName="email",
                                     Code=smtp.last_code(new_email, after=seen))
    assert attributes(idp_public.get_user(AccessToken=me.access_token))["email_verified"] == "true"
    # A code is single use.
    assert error_of(idp_public.verify_user_attribute, AccessToken=me.access_token, AttributeName="email",
                    Code=code)[0] == "CodeMismatchException"


# --- DeleteUser ------------------------------------------------------------------------------------------------


def test_delete_user_removes_the_user_and_its_tokens_stop_working(idp: Any, idp_public: Any) -> None:
    me = account(idp, idp_public)

    idp_public.delete_user(AccessToken=me.access_token)

    assert error_of(idp.admin_get_user, UserPoolId=me.pool_id, Username=me.username)[0] == "UserNotFoundException"
    assert error_of(idp_public.get_user, AccessToken=me.access_token) == ("UserNotFoundException",
                                                                         "User does not exist.")
    code, _ = error_of(idp_public.initiate_auth, ClientId=me.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                       AuthParameters={"REFRESH_TOKEN": me.refresh_token})
    assert code == "NotAuthorizedException"
    assert error_of(sign_in, idp_public=idp_public, client_id=me.client_id, username=me.username,
                    password=me.password)[0] == "UserNotFoundException"
    assert idp.describe_user_pool(UserPoolId=me.pool_id)["UserPool"]["EstimatedNumberOfUsers"] == 0


# --- ChangePassword --------------------------------------------------------------------------------------------


def test_change_password_replaces_the_password_for_every_sign_in_flow(idp: Any, idp_public: Any) -> None:
    me = account(idp, idp_public)
    new_password = strong_password()

    assert idp_public.change_password(AccessToken=me.access_token, PreviousPassword=me.password,
                                      ProposedPassword=new_password)["ResponseMetadata"]["HTTPStatusCode"] == 200

    assert sign_in(idp_public, me.client_id, me.username, new_password)["AccessToken"]
    assert error_of(sign_in, idp_public=idp_public, client_id=me.client_id, username=me.username,
                    password=me.password) == ("NotAuthorizedException", "Incorrect username or password.")
    admin_client = create_client(idp, me.pool_id, ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"])["ClientId"]
    assert idp.admin_initiate_auth(UserPoolId=me.pool_id, ClientId=admin_client, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": me.username, "PASSWORD": new_password}
                                   )["AuthenticationResult"]["AccessToken"]
    # The session that changed the password stays signed in.
    assert idp_public.get_user(AccessToken=me.access_token)["Username"] == me.username


def test_change_password_refuses_a_wrong_previous_password(idp: Any, idp_public: Any) -> None:
    me = account(idp, idp_public)

    assert error_of(idp_public.change_password, AccessToken=me.access_token, PreviousPassword="Wr0ng!password",
                    ProposedPassword=strong_password()) == ("NotAuthorizedException",
                                                            "Incorrect username or password.")
    assert sign_in(idp_public, me.client_id, me.username, me.password)["AccessToken"]


def test_change_password_enforces_the_pools_policy(idp: Any, idp_public: Any) -> None:
    me = account(idp, idp_public, Policies={"PasswordPolicy": {"MinimumLength": 12}})

    assert error_of(idp_public.change_password, AccessToken=me.access_token, PreviousPassword=me.password,
                    ProposedPassword="Sh0rt!pass") == (
        "InvalidPasswordException", "Password did not conform with policy: Password not long enough")
    assert error_of(idp_public.change_password, AccessToken=me.access_token, PreviousPassword=me.password,
                    ProposedPassword="alllowercase1!") == (
        "InvalidPasswordException", "Password did not conform with policy: Password must have uppercase characters")
    assert sign_in(idp_public, me.client_id, me.username, me.password)["AccessToken"]


def test_repeated_wrong_previous_passwords_hit_the_attempt_limit(idp: Any, idp_public: Any) -> None:
    me = account(idp, idp_public)
    refusals = []
    for _ in range(8):
        refusals.append(error_of(idp_public.change_password, AccessToken=me.access_token,
                                 PreviousPassword="Wr0ng!password", ProposedPassword=strong_password()))
        if refusals[-1][0] != "NotAuthorizedException":
            break

    # Five wrong passwords start the back-off; while it lasts even the right password waits, and sign-in too.
    assert refusals[:5] == [("NotAuthorizedException", "Incorrect username or password.")] * 5
    assert refusals[5] == ("LimitExceededException", "Attempt limit exceeded, please try after some time.")
    assert error_of(idp_public.change_password, AccessToken=me.access_token, PreviousPassword=me.password,
                    ProposedPassword=strong_password())[0] == "LimitExceededException"
    assert error_of(sign_in, idp_public=idp_public, client_id=me.client_id, username=me.username,
                    password=me.password) == ("NotAuthorizedException", "Password attempts exceeded")
