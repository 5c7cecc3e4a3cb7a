"""Sign-in flows through boto3 as AWS documents them (API reference: InitiateAuth, AdminInitiateAuth,
RespondToAuthChallenge, AdminRespondToAuthChallenge, GetTokensFromRefreshToken; CreateUserPoolClient
ExplicitAuthFlows and PreventUserExistenceErrors): the AuthenticationResult, which flows a client allows and
what the others get, SECRET_HASH, user states, NEW_PASSWORD_REQUIRED, refresh and its rotation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from e2e.signin_helpers import (
    ALL_FLOWS,
    INCORRECT,
    Member,
    member,
    password_sign_in,
    payload,
    srp_sign_in,
)
from support.aws import error_of, secret_hash
from support.factories import create_client, create_pool, strong_password, unique_email, unique_name

REFRESH_NOT_ENABLED = ("InvalidParameterException", "Refresh Token flow not enabled for this client")
EXPIRED_SESSION = ("NotAuthorizedException", "Invalid session for the user, session is expired.")


@pytest.fixture
def who(idp: Any) -> Member:
    return member(idp)


def assert_tokens(response: dict[str, Any], *, refresh: bool = True, expires_in: int = 3600) -> dict[str, Any]:
    """Every AuthenticationResult: the two JWTs, ExpiresIn (the access token's lifetime), TokenType Bearer, a
    refresh token unless this was a refresh, and empty ChallengeParameters with no challenge or session."""
    assert response["ChallengeParameters"] == {}
    assert "ChallengeName" not in response and "Session" not in response
    result: dict[str, Any] = response["AuthenticationResult"]
    assert result["TokenType"] == "Bearer"
    assert result["ExpiresIn"] == expires_in
    assert result["AccessToken"].count(".") == 2 and result["IdToken"].count(".") == 2
    assert ("RefreshToken" in result) is refresh
    return result


# --- the three password doors -----------------------------------------------------------------------------------


def test_user_password_auth_returns_tokens_of_the_user(idp_public: Any, who: Member) -> None:
    result = assert_tokens(password_sign_in(idp_public, who))

    assert payload(result["IdToken"])["cognito:username"] == who.username
    assert payload(result["AccessToken"])["username"] == who.username
    assert idp_public.get_user(AccessToken=result["AccessToken"])["Username"] == who.username


@pytest.mark.parametrize("flow", ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
def test_admin_password_flows_return_tokens(idp: Any, who: Member, flow: str) -> None:
    response = idp.admin_initiate_auth(UserPoolId=who.pool_id, ClientId=who.client_id, AuthFlow=flow,
                                       AuthParameters={"USERNAME": who.login, "PASSWORD": who.password})
    assert payload(assert_tokens(response)["AccessToken"])["client_id"] == who.client_id


def test_admin_initiate_auth_with_a_client_of_another_pool_is_not_found(idp: Any, who: Member) -> None:
    other_pool = create_pool(idp)["Id"]

    code, message = error_of(idp.admin_initiate_auth, UserPoolId=other_pool, ClientId=who.client_id,
                             AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": who.login, "PASSWORD": who.password})
    assert code == "ResourceNotFoundException"
    assert who.client_id in message


def test_an_unknown_client_is_not_found(idp_public: Any) -> None:
    assert error_of(idp_public.initiate_auth, ClientId="nosuchclient0000000000000a", AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": "a", "PASSWORD": "b"})[0] == "ResourceNotFoundException"


def test_wrong_password(idp: Any, idp_public: Any, who: Member) -> None:
    assert error_of(idp_public.initiate_auth, ClientId=who.client_id, AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": who.login, "PASSWORD": who.password + "x"}) == INCORRECT
    assert error_of(idp.admin_initiate_auth, UserPoolId=who.pool_id, ClientId=who.client_id,
                    AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": who.login, "PASSWORD": who.password + "x"}) == INCORRECT


def test_trigger_and_analytics_inputs_are_accepted(idp: Any, idp_public: Any, who: Member) -> None:
    extra = {"ClientMetadata": {"k": "v"}, "AnalyticsMetadata": {"AnalyticsEndpointId": "endpoint-1"},
             "UserContextData": {"IpAddress": "192.0.2.1", "EncodedData": "e30="}}
    assert_tokens(password_sign_in(idp_public, who, **extra))
    assert_tokens(idp.admin_initiate_auth(
        UserPoolId=who.pool_id, ClientId=who.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": who.login, "PASSWORD": who.password}, ClientMetadata={"k": "v"},
        AnalyticsMetadata={"AnalyticsEndpointId": "endpoint-1"},
        ContextData={"IpAddress": "192.0.2.1", "ServerName": "app", "ServerPath": "/login", "HttpHeaders": []}))


# --- ExplicitAuthFlows ------------------------------------------------------------------------------------------


def test_a_client_without_explicit_flows_allows_srp_refresh_and_custom_only(idp: Any, idp_public: Any) -> None:
    who = member(idp, ExplicitAuthFlows=ALL_FLOWS)
    plain = create_client(idp, who.pool_id)["ClientId"]

    assert error_of(idp_public.initiate_auth, ClientId=plain, AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": who.login, "PASSWORD": who.password}) == (
        "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
    assert error_of(idp.admin_initiate_auth, UserPoolId=who.pool_id, ClientId=plain,
                    AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": who.login, "PASSWORD": who.password}) == (
        "InvalidParameterException", "Auth flow not enabled for this client")
    tokens = srp_sign_in(idp_public, Member(**{**who.__dict__, "client_id": plain}))["AuthenticationResult"]
    refreshed = idp_public.initiate_auth(ClientId=plain, AuthFlow="REFRESH_TOKEN_AUTH",
                                         AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert_tokens(refreshed, refresh=False)


def test_flows_left_out_are_refused_with_cognitos_messages(idp: Any, idp_public: Any) -> None:
    who = member(idp, ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])
    token = password_sign_in(idp_public, who)["AuthenticationResult"]["RefreshToken"]

    assert error_of(idp_public.initiate_auth, ClientId=who.client_id, AuthFlow="USER_SRP_AUTH",
                    AuthParameters={"USERNAME": who.login, "SRP_A": "abc123"}) == (
        "InvalidParameterException", "USER_SRP_AUTH is not enabled for the client.")
    for flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        assert error_of(idp_public.initiate_auth, ClientId=who.client_id, AuthFlow=flow,
                        AuthParameters={"REFRESH_TOKEN": token}) == REFRESH_NOT_ENABLED


@pytest.mark.parametrize("legacy", [["USER_PASSWORD_AUTH"], ["ADMIN_NO_SRP_AUTH"],
                                    ["USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"]])
def test_legacy_flow_values_keep_srp_and_refresh(idp: Any, idp_public: Any, legacy: list[str]) -> None:
    who = member(idp, ExplicitAuthFlows=legacy)
    password_ok = "USER_PASSWORD_AUTH" in legacy
    admin_ok = "ADMIN_NO_SRP_AUTH" in legacy

    if password_ok:
        assert_tokens(password_sign_in(idp_public, who))
    else:
        assert error_of(password_sign_in, idp_public=idp_public, who=who)[0] == "InvalidParameterException"
    for flow in ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"):
        params = {"UserPoolId": who.pool_id, "ClientId": who.client_id, "AuthFlow": flow,
                  "AuthParameters": {"USERNAME": who.login, "PASSWORD": who.password}}
        if admin_ok:
            assert_tokens(idp.admin_initiate_auth(**params))
        else:
            assert error_of(idp.admin_initiate_auth, **params) == ("InvalidParameterException",
                                                                   "Auth flow not enabled for this client")
    tokens = srp_sign_in(idp_public, who)["AuthenticationResult"]
    assert_tokens(idp_public.initiate_auth(ClientId=who.client_id, AuthFlow="REFRESH_TOKEN",
                                           AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}), refresh=False)


def test_each_door_offers_only_its_own_flows(idp: Any, idp_public: Any, who: Member) -> None:
    not_supported = ("InvalidParameterException", "Initiate Auth method not supported.")
    for flow in ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"):
        assert error_of(idp_public.initiate_auth, ClientId=who.client_id, AuthFlow=flow,
                        AuthParameters={"USERNAME": who.login, "PASSWORD": who.password}) == not_supported
    assert error_of(idp.admin_initiate_auth, UserPoolId=who.pool_id, ClientId=who.client_id,
                    AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": who.login, "PASSWORD": who.password}) == not_supported


@pytest.mark.parametrize(("flow", "params", "absent"), [
    ("USER_PASSWORD_AUTH", {"PASSWORD": "x"}, "USERNAME"),
    ("USER_PASSWORD_AUTH", {"USERNAME": "x"}, "PASSWORD"),
    ("USER_SRP_AUTH", {"USERNAME": "x"}, "SRP_A"),
    ("USER_SRP_AUTH", {"SRP_A": "abc"}, "USERNAME"),
    ("REFRESH_TOKEN_AUTH", {}, "REFRESH_TOKEN"),
])
def test_missing_auth_parameters(idp_public: Any, who: Member, flow: str, params: dict[str, str],
                                 absent: str) -> None:
    assert error_of(idp_public.initiate_auth, ClientId=who.client_id, AuthFlow=flow, AuthParameters=params) == (
        "InvalidParameterException", f"Missing required parameter {absent}")


# --- PreventUserExistenceErrors ---------------------------------------------------------------------------------


def test_an_unknown_user_is_not_found_for_a_legacy_client(idp: Any, idp_public: Any) -> None:
    who = member(idp, PreventUserExistenceErrors="LEGACY")
    assert error_of(password_sign_in, idp_public=idp_public, who=who, name=unique_name("ghost")) == (
        "UserNotFoundException", "User does not exist.")
    assert error_of(idp.admin_initiate_auth, UserPoolId=who.pool_id, ClientId=who.client_id,
                    AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": unique_name("ghost"), "PASSWORD": who.password}) == (
        "UserNotFoundException", "User does not exist.")


def test_an_unknown_user_looks_like_a_wrong_password_when_existence_is_hidden(idp: Any, idp_public: Any) -> None:
    who = member(idp, PreventUserExistenceErrors="ENABLED")
    assert error_of(password_sign_in, idp_public=idp_public, who=who, name=unique_name("ghost")) == INCORRECT
    assert error_of(idp.admin_initiate_auth, UserPoolId=who.pool_id, ClientId=who.client_id,
                    AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": unique_name("ghost"), "PASSWORD": who.password}) == INCORRECT
    assert error_of(idp_public.initiate_auth, ClientId=who.client_id, AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": who.login, "PASSWORD": who.password + "x"}) == INCORRECT


# --- SECRET_HASH ------------------------------------------------------------------------------------------------


def test_a_client_with_a_secret_needs_secret_hash(idp: Any, idp_public: Any) -> None:
    who = member(idp, GenerateSecret=True)
    assert who.secret
    bare = {"USERNAME": who.login, "PASSWORD": who.password}

    assert error_of(idp_public.initiate_auth, ClientId=who.client_id, AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters=bare) == (
        "NotAuthorizedException", f"Client {who.client_id} is configured with secret but SECRET_HASH was not received")
    assert error_of(idp_public.initiate_auth, ClientId=who.client_id, AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={**bare, "SECRET_HASH": secret_hash("x" * 40, who.login, who.client_id)}) == (
        "NotAuthorizedException", f"Unable to verify secret hash for client {who.client_id}")
    assert_tokens(password_sign_in(idp_public, who))
    assert error_of(idp.admin_initiate_auth, UserPoolId=who.pool_id, ClientId=who.client_id,
                    AuthFlow="ADMIN_USER_PASSWORD_AUTH", AuthParameters=bare)[0] == "NotAuthorizedException"
    assert_tokens(idp.admin_initiate_auth(UserPoolId=who.pool_id, ClientId=who.client_id,
                                          AuthFlow="ADMIN_USER_PASSWORD_AUTH", AuthParameters=who.auth()))


def test_refresh_secret_hash_uses_the_internal_user_name(idp: Any, idp_public: Any) -> None:
    """An email-as-username pool: the user signs in with the email, but the refresh's SECRET_HASH is
    computed with the internal user name, a UUID (tokens.md §8)."""
    who = member(idp, email_login=True, GenerateSecret=True)
    assert who.secret and who.username != who.login and who.username == who.sub
    token = password_sign_in(idp_public, who)["AuthenticationResult"]["RefreshToken"]

    def refresh(name: str | None) -> Any:
        params = {"REFRESH_TOKEN": token}
        if name is not None:
            assert who.secret
            params["SECRET_HASH"] = secret_hash(who.secret, name, who.client_id)
        return idp_public.initiate_auth(ClientId=who.client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=params)

    assert error_of(refresh, name=None)[1].endswith("SECRET_HASH was not received")
    assert error_of(refresh, name=who.login) == ("NotAuthorizedException",
                                                 f"Unable to verify secret hash for client {who.client_id}")
    assert_tokens(refresh(who.username), refresh=False)


# --- refresh ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("flow", ["REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"])
def test_refresh_mints_tokens_of_the_same_sign_in(idp_public: Any, who: Member, flow: str) -> None:
    first = password_sign_in(idp_public, who)["AuthenticationResult"]

    again = assert_tokens(idp_public.initiate_auth(ClientId=who.client_id, AuthFlow=flow,
                                                   AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]}),
                          refresh=False)

    old, new = payload(first["IdToken"]), payload(again["IdToken"])
    assert new["auth_time"] == old["auth_time"] and new["origin_jti"] == old["origin_jti"]
    assert new["jti"] != old["jti"] and new["sub"] == old["sub"]
    assert payload(again["AccessToken"])["origin_jti"] == payload(first["AccessToken"])["origin_jti"]
    # Without rotation the refresh token stays valid.
    assert_tokens(idp_public.initiate_auth(ClientId=who.client_id, AuthFlow=flow,
                                           AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]}), refresh=False)


def test_admin_refresh(idp: Any, idp_public: Any, who: Member) -> None:
    token = password_sign_in(idp_public, who)["AuthenticationResult"]["RefreshToken"]
    assert_tokens(idp.admin_initiate_auth(UserPoolId=who.pool_id, ClientId=who.client_id,
                                          AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": token}),
                  refresh=False)


def test_a_refresh_token_is_bound_to_its_client_and_user_state(idp: Any, idp_public: Any, who: Member) -> None:
    token = password_sign_in(idp_public, who)["AuthenticationResult"]["RefreshToken"]
    other = create_client(idp, who.pool_id, ExplicitAuthFlows=ALL_FLOWS)["ClientId"]

    assert error_of(idp_public.initiate_auth, ClientId=other, AuthFlow="REFRESH_TOKEN_AUTH",
                    AuthParameters={"REFRESH_TOKEN": token}) == ("NotAuthorizedException", "Invalid Refresh Token")
    assert error_of(idp_public.initiate_auth, ClientId=who.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                    AuthParameters={"REFRESH_TOKEN": "bm9wZQ"}) == ("NotAuthorizedException", "Invalid Refresh Token")
    idp.admin_disable_user(UserPoolId=who.pool_id, Username=who.login)
    assert error_of(idp_public.initiate_auth, ClientId=who.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                    AuthParameters={"REFRESH_TOKEN": token}) == ("NotAuthorizedException", "User is disabled.")


def test_rotation_happens_through_get_tokens_from_refresh_token(idp: Any, idp_public: Any) -> None:
    """RefreshTokenRotationType: "Refresh token rotation must be completed with GetTokensFromRefreshToken";
    REFRESH_TOKEN_AUTH is refused. The old token keeps working for RetryGracePeriodSeconds (a retry)."""
    who = member(idp, RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 60})
    first = password_sign_in(idp_public, who)["AuthenticationResult"]["RefreshToken"]

    code, message = error_of(idp_public.initiate_auth, ClientId=who.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                             AuthParameters={"REFRESH_TOKEN": first})
    assert code == "InvalidParameterException" and "GetTokensFromRefreshToken" in message

    rotated = idp_public.get_tokens_from_refresh_token(ClientId=who.client_id, RefreshToken=first)
    second = rotated["AuthenticationResult"]["RefreshToken"]
    assert second != first and rotated["AuthenticationResult"]["TokenType"] == "Bearer"
    retried = idp_public.get_tokens_from_refresh_token(ClientId=who.client_id, RefreshToken=first)
    assert retried["AuthenticationResult"]["RefreshToken"] not in (first, second)
    assert idp_public.get_tokens_from_refresh_token(ClientId=who.client_id, RefreshToken=second)


def test_without_grace_a_rotated_token_is_spent_at_once(idp: Any, idp_public: Any) -> None:
    who = member(idp, RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0})
    first = password_sign_in(idp_public, who)["AuthenticationResult"]["RefreshToken"]
    second = idp_public.get_tokens_from_refresh_token(ClientId=who.client_id,
                                                      RefreshToken=first)["AuthenticationResult"]["RefreshToken"]

    assert error_of(idp_public.get_tokens_from_refresh_token, ClientId=who.client_id,
                    RefreshToken=first)[0] == "RefreshTokenReuseException"
    third = idp_public.get_tokens_from_refresh_token(ClientId=who.client_id, RefreshToken=second)
    assert payload(third["AuthenticationResult"]["IdToken"])["origin_jti"] == payload(
        idp_public.get_tokens_from_refresh_token(
            ClientId=who.client_id,
            RefreshToken=third["AuthenticationResult"]["RefreshToken"])["AuthenticationResult"]["IdToken"])[
        "origin_jti"]


# --- user states ------------------------------------------------------------------------------------------------


def test_a_disabled_user_cannot_sign_in(idp: Any, idp_public: Any, who: Member) -> None:
    idp.admin_disable_user(UserPoolId=who.pool_id, Username=who.login)
    assert error_of(password_sign_in, idp_public=idp_public, who=who) == ("NotAuthorizedException",
                                                                          "User is disabled.")
    idp.admin_enable_user(UserPoolId=who.pool_id, Username=who.login)
    assert_tokens(password_sign_in(idp_public, who))


def test_an_unconfirmed_user_must_confirm_first(idp: Any, idp_public: Any) -> None:
    pool_id = create_pool(idp)["Id"]
    client_id = create_client(idp, pool_id, ExplicitAuthFlows=ALL_FLOWS)["ClientId"]
    name, password = unique_name("user"), strong_password()
    idp_public.sign_up(ClientId=client_id, Username=name, Password=password,
                       UserAttributes=[{"Name": "email", "Value": unique_email()}])
    params = {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH"}

    assert error_of(idp_public.initiate_auth, **params, AuthParameters={"USERNAME": name, "PASSWORD": password}) == (
        "UserNotConfirmedException", "User is not confirmed.")
    # Only the right password learns the state.
    assert error_of(idp_public.initiate_auth, **params,
                    AuthParameters={"USERNAME": name, "PASSWORD": password + "x"}) == INCORRECT
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=name)
    assert_tokens(idp_public.initiate_auth(**params, AuthParameters={"USERNAME": name, "PASSWORD": password}))


def test_a_user_whose_password_was_reset_must_set_a_new_one(idp: Any, idp_public: Any, who: Member) -> None:
    idp.admin_reset_user_password(UserPoolId=who.pool_id, Username=who.login)

    assert error_of(password_sign_in, idp_public=idp_public, who=who) == (
        "PasswordResetRequiredException", "Password reset required for the user")
    code, _ = error_of(srp_sign_in, idp_public=idp_public, who=who)
    assert code == "PasswordResetRequiredException"


# --- NEW_PASSWORD_REQUIRED --------------------------------------------------------------------------------------


def _invited(idp: Any, *, with_name: bool = True, **client_settings: Any) -> tuple[str, str, str, str]:
    """A pool that requires ``email`` and ``name``, a user created by an administrator with a temporary password
    (and a name unless ``with_name`` is false): (pool id, client id, user name, temporary password)."""
    pool_id = create_pool(idp, Schema=[{"Name": "email", "Required": True}, {"Name": "name", "Required": True},
                                       {"Name": "nickname", "Mutable": True}])["Id"]
    client_id = create_client(idp, pool_id, **{"ExplicitAuthFlows": ALL_FLOWS, **client_settings})["ClientId"]
    name, temporary = unique_name("user"), strong_password()
    attributes = {"email": unique_email(), "email_verified": "true", **({"name": "Ann"} if with_name else {})}
    idp.admin_create_user(UserPoolId=pool_id, Username=name, TemporaryPassword=temporary, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()])
    return pool_id, client_id, name, temporary


def test_new_password_required_shows_the_user_and_what_is_missing(idp: Any, idp_public: Any) -> None:
    _, client_id, name, temporary = _invited(idp)

    challenge = idp_public.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                         AuthParameters={"USERNAME": name, "PASSWORD": temporary})

    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED" and challenge["Session"]
    assert "AuthenticationResult" not in challenge
    parameters = challenge["ChallengeParameters"]
    assert json.loads(parameters["requiredAttributes"]) == []
    shown = json.loads(parameters["userAttributes"])
    assert shown["email_verified"] == "true" and "@" in shown["email"] and shown["name"] == "Ann"
    assert "sub" not in shown
    assert parameters["USER_ID_FOR_SRP"] == name


def test_new_password_required_asks_for_missing_required_attributes(idp: Any, idp_public: Any) -> None:
    _, client_id, name, temporary = _invited(idp, with_name=False)
    challenge = idp_public.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                         AuthParameters={"USERNAME": name, "PASSWORD": temporary})
    assert json.loads(challenge["ChallengeParameters"]["requiredAttributes"]) == ["userAttributes.name"]

    def answer(**responses: str) -> Any:
        return idp_public.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
            ChallengeResponses={"USERNAME": name, "NEW_PASSWORD": strong_password(), **responses})

    assert error_of(answer) == ("InvalidParameterException", "Invalid attributes given, name is missing")
    assert payload(assert_tokens(answer(**{"userAttributes.name": "Bo"}))["IdToken"])["name"] == "Bo"


def test_new_password_refusals_keep_the_session_usable(idp: Any, idp_public: Any) -> None:
    pool_id, client_id, name, temporary = _invited(idp, WriteAttributes=["name", "email", "given_name"])
    session = idp_public.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": name, "PASSWORD": temporary})["Session"]
    new = strong_password()

    def answer(**responses: str) -> Any:
        return idp_public.respond_to_auth_challenge(ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED",
                                                    Session=session, ChallengeResponses={"USERNAME": name, **responses})

    assert error_of(answer, NEW_PASSWORD="short")[0] == "InvalidPasswordException"
    # A required attribute that already has a value cannot be sent again, even unchanged.
    assert error_of(answer, NEW_PASSWORD=new, **{"userAttributes.email": unique_email()}) == (
        "NotAuthorizedException", "Cannot modify an already provided email")
    assert error_of(answer, NEW_PASSWORD=new, **{"userAttributes.name": "Ann"}) == (
        "NotAuthorizedException", "Cannot modify an already provided name")
    assert error_of(answer, NEW_PASSWORD=new, **{"userAttributes.nickname": "annie"}) == (
        "NotAuthorizedException", "A client attempted to write unauthorized attribute")

    result = assert_tokens(answer(NEW_PASSWORD=new, **{"userAttributes.given_name": "Annabel"}))

    assert payload(result["IdToken"])["given_name"] == "Annabel"
    assert error_of(answer, NEW_PASSWORD=strong_password()) == EXPIRED_SESSION
    assert idp.admin_get_user(UserPoolId=pool_id, Username=name)["UserStatus"] == "CONFIRMED"
    assert error_of(idp_public.initiate_auth, ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": name, "PASSWORD": temporary}) == INCORRECT
    assert_tokens(idp_public.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                           AuthParameters={"USERNAME": name, "PASSWORD": new}))


def test_new_password_through_the_admin_door_with_a_secret(idp: Any, idp_public: Any) -> None:
    pool_id, _, name, temporary = _invited(idp)
    client = create_client(idp, pool_id, ExplicitAuthFlows=ALL_FLOWS, GenerateSecret=True)
    client_id, secret = client["ClientId"], client["ClientSecret"]
    hashed = secret_hash(secret, name, client_id)
    challenge = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                        AuthParameters={"USERNAME": name, "PASSWORD": temporary,
                                                        "SECRET_HASH": hashed})
    responses = {"USERNAME": name, "NEW_PASSWORD": strong_password()}

    assert error_of(idp.admin_respond_to_auth_challenge, UserPoolId=pool_id, ClientId=client_id,
                    ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
                    ChallengeResponses=responses)[0] == "NotAuthorizedException"
    result = idp.admin_respond_to_auth_challenge(UserPoolId=pool_id, ClientId=client_id,
                                                 ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
                                                 ChallengeResponses={**responses, "SECRET_HASH": hashed})
    assert payload(assert_tokens(result)["AccessToken"])["username"] == name


def test_a_session_answers_only_its_client_and_its_user(idp: Any, idp_public: Any) -> None:
    pool_id, client_id, name, temporary = _invited(idp)
    other = create_client(idp, pool_id, ExplicitAuthFlows=ALL_FLOWS)["ClientId"]
    session = idp_public.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": name, "PASSWORD": temporary})["Session"]
    responses = {"USERNAME": name, "NEW_PASSWORD": strong_password()}

    assert error_of(idp_public.respond_to_auth_challenge, ClientId=other, ChallengeName="NEW_PASSWORD_REQUIRED",
                    Session=session, ChallengeResponses=responses) == EXPIRED_SESSION
    assert error_of(idp_public.respond_to_auth_challenge, ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED",
                    Session="x" * 64, ChallengeResponses=responses) == EXPIRED_SESSION
    someone = unique_name("user")
    idp.admin_create_user(UserPoolId=pool_id, Username=someone, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": unique_email()}, {"Name": "name", "Value": "B"}])
    assert error_of(idp_public.respond_to_auth_challenge, ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED",
                    Session=session, ChallengeResponses={**responses, "USERNAME": someone}) == EXPIRED_SESSION
    assert_tokens(idp_public.respond_to_auth_challenge(ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED",
                                                       Session=session, ChallengeResponses=responses))


# --- sign-in names ----------------------------------------------------------------------------------------------


def test_an_email_username_pool_signs_in_with_the_email(idp: Any, idp_public: Any) -> None:
    who = member(idp, email_login=True)

    result = assert_tokens(password_sign_in(idp_public, who))

    claims = payload(result["IdToken"])
    assert claims["cognito:username"] == who.sub == claims["sub"] and claims["email"] == who.email
    assert_tokens(password_sign_in(idp_public, who, name=who.sub))


def test_a_verified_alias_signs_in(idp: Any, idp_public: Any) -> None:
    who = member(idp, pool={"AliasAttributes": ["email", "preferred_username"]},
                 attributes={"preferred_username": unique_name("nick")})
    nick = next(a["Value"] for a in idp.admin_get_user(UserPoolId=who.pool_id, Username=who.login)["UserAttributes"]
                if a["Name"] == "preferred_username")

    for name in (who.email, nick, who.login):
        assert payload(assert_tokens(password_sign_in(idp_public, who, name=name))["IdToken"])[
            "cognito:username"] == who.username
    idp.admin_update_user_attributes(UserPoolId=who.pool_id, Username=who.login,
                                     UserAttributes=[{"Name": "email_verified", "Value": "false"}])
    assert error_of(password_sign_in, idp_public=idp_public, who=who, name=who.email)[0] == "UserNotFoundException"
