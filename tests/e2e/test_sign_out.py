"""Ending sessions: GlobalSignOut, AdminUserGlobalSignOut and RevokeToken, and refreshing them with
GetTokensFromRefreshToken (API reference of each; Developer Guide, "Revoking tokens"). A revoked access token
is refused by every token-authenticated operation, a revoked refresh token by every refresh."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import pytest

from support.aws import error_of
from support.factories import create_client, create_pool, strong_password, unique_email, unique_name

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
ALL_FLOWS = [*FLOWS, "ALLOW_ADMIN_USER_PASSWORD_AUTH"]
REVOKED_ACCESS = ("NotAuthorizedException", "Access Token has been revoked")
REVOKED_REFRESH = ("NotAuthorizedException", "Refresh Token has been revoked")



@dataclass
class Session:
    access_token: str
    refresh_token: str
    id_token: str


@dataclass
class Member:
    pool_id: str
    client_id: str
    username: str
    password: str
    client_secret: str | None = None


def member(idp: Any, **client_settings: Any) -> Member:
    """A pool, a client that signs in with passwords (and refreshes), and a CONFIRMED user of it."""
    pool_id = create_pool(idp)["Id"]
    client = create_client(idp, pool_id, **{"ExplicitAuthFlows": ALL_FLOWS, **client_settings})
    username, password = unique_name("user"), strong_password()
    idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": unique_email()},
                                          {"Name": "email_verified", "Value": "true"}])
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
    return Member(pool_id, client["ClientId"], username, password, client.get("ClientSecret"))


def sign_in(idp: Any, who: Member) -> Session:
    """AdminInitiateAuth with the password (and the SECRET_HASH a client with a secret needs)."""
    params = {"USERNAME": who.username, "PASSWORD": who.password}
    if who.client_secret is not None:
        digest = hmac.new(who.client_secret.encode(), (who.username + who.client_id).encode(), hashlib.sha256)
        params["SECRET_HASH"] = base64.b64encode(digest.digest()).decode()
    result = idp.admin_initiate_auth(UserPoolId=who.pool_id, ClientId=who.client_id,
                                     AuthFlow="ADMIN_USER_PASSWORD_AUTH", AuthParameters=params)
    out = result["AuthenticationResult"]
    return Session(out["AccessToken"], out["RefreshToken"], out["IdToken"])


def refresh(idp_public: Any, who: Member, refresh_token: str) -> dict[str, Any]:
    out: dict[str, Any] = idp_public.initiate_auth(ClientId=who.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                                   AuthParameters={"REFRESH_TOKEN": refresh_token})
    return dict(out["AuthenticationResult"])


def assert_access_refused(idp_public: Any, token: str, expected: tuple[str, str] = REVOKED_ACCESS) -> None:
    """The token is refused by GetUser, UpdateUserAttributes and ChangePassword alike."""
    assert error_of(idp_public.get_user, AccessToken=token) == expected
    assert error_of(idp_public.update_user_attributes, AccessToken=token,
                    UserAttributes=[{"Name": "name", "Value": "x"}]) == expected
    assert error_of(idp_public.change_password, AccessToken=token, PreviousPassword=strong_password(),
                    ProposedPassword=strong_password()) == expected


def assert_refresh_refused(idp_public: Any, who: Member, token: str) -> None:
    assert error_of(refresh, idp_public=idp_public, who=who, refresh_token=token) == REVOKED_REFRESH


@pytest.fixture
def who(idp: Any) -> Member:
    return member(idp)


# --- GlobalSignOut -----------------------------------------------------------------------------------------------


def test_global_sign_out_revokes_every_session_of_the_user(idp: Any, idp_public: Any, who: Member) -> None:
    first, second = sign_in(idp, who), sign_in(idp, who)
    refreshed = refresh(idp_public, who, first.refresh_token)["AccessToken"]

    idp_public.global_sign_out(AccessToken=first.access_token)

    for token in (first.access_token, second.access_token, refreshed):
        assert_access_refused(idp_public, token)
    for token in (first.refresh_token, second.refresh_token):
        assert_refresh_refused(idp_public, who, token)
    assert error_of(idp_public.global_sign_out, AccessToken=first.access_token) == REVOKED_ACCESS
    # Signing in again right away gives a session that works.
    fresh = sign_in(idp, who)
    assert idp_public.get_user(AccessToken=fresh.access_token)["Username"] == who.username
    assert refresh(idp_public, who, fresh.refresh_token)["AccessToken"]


def test_global_sign_out_leaves_other_users_alone(idp: Any, idp_public: Any, who: Member) -> None:
    other_name, other_password = unique_name("user"), strong_password()
    idp.admin_create_user(UserPoolId=who.pool_id, Username=other_name, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=who.pool_id, Username=other_name, Password=other_password, Permanent=True)
    other = sign_in(idp, Member(who.pool_id, who.client_id, other_name, other_password))

    idp_public.global_sign_out(AccessToken=sign_in(idp, who).access_token)

    assert idp_public.get_user(AccessToken=other.access_token)["Username"] == other_name
    assert refresh(idp_public, who, other.refresh_token)["AccessToken"]


def test_global_sign_out_needs_a_valid_token(idp_public: Any) -> None:
    assert error_of(idp_public.global_sign_out, AccessToken="garbage") == ("NotAuthorizedException",
                                                                         "Invalid Access Token")


def test_global_sign_out_also_ends_a_rotated_token_in_its_grace_period(idp: Any, idp_public: Any) -> None:
    who = member(idp, RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 60})
    session = sign_in(idp, who)
    rotated = idp_public.get_tokens_from_refresh_token(ClientId=who.client_id,
                                                       RefreshToken=session.refresh_token)["AuthenticationResult"]
    assert rotated["RefreshToken"] != session.refresh_token
    # Within the grace period the old token still refreshes (a retry of a lost answer).
    assert idp_public.get_tokens_from_refresh_token(ClientId=who.client_id, RefreshToken=session.refresh_token)

    idp_public.global_sign_out(AccessToken=rotated["AccessToken"])

    for token in (session.refresh_token, rotated["RefreshToken"]):
        assert error_of(idp_public.get_tokens_from_refresh_token, ClientId=who.client_id,
                        RefreshToken=token) == REVOKED_REFRESH


def test_sign_out_refuses_tokens_of_a_client_without_revocation_too(idp: Any, idp_public: Any) -> None:
    """Without EnableTokenRevocation tokens carry no origin_jti: the user's sign-out time decides."""
    who = member(idp, EnableTokenRevocation=False)
    session = sign_in(idp, who)

    idp_public.global_sign_out(AccessToken=session.access_token)

    assert_access_refused(idp_public, session.access_token)
    assert_refresh_refused(idp_public, who, session.refresh_token)


# --- AdminUserGlobalSignOut ----------------------------------------------------------------------------------------


def test_admin_user_global_sign_out_revokes_every_session(idp: Any, idp_public: Any, who: Member) -> None:
    first, second = sign_in(idp, who), sign_in(idp, who)

    assert idp.admin_user_global_sign_out(UserPoolId=who.pool_id, Username=who.username)[
        "ResponseMetadata"]["HTTPStatusCode"] == 200

    for session in (first, second):
        assert_access_refused(idp_public, session.access_token)
        assert_refresh_refused(idp_public, who, session.refresh_token)
    fresh = sign_in(idp, who)
    assert idp_public.get_user(AccessToken=fresh.access_token)["Username"] == who.username


def test_admin_user_global_sign_out_names_a_user_of_an_existing_pool(idp: Any, idp_public: Any,
                                                                    who: Member) -> None:
    assert error_of(idp.admin_user_global_sign_out, UserPoolId=who.pool_id, Username=unique_name("ghost")) == (
        "UserNotFoundException", "User does not exist.")
    code, _ = error_of(idp.admin_user_global_sign_out, UserPoolId="us-east-1_nothere00", Username=who.username)
    assert code == "ResourceNotFoundException"
    # It is an administrator's operation: unsigned calls are refused.
    code, _ = error_of(idp_public.admin_user_global_sign_out, UserPoolId=who.pool_id, Username=who.username)
    assert code in ("MissingAuthenticationTokenException", "UnrecognizedClientException")


# --- RevokeToken ----------------------------------------------------------------------------------------------------


def test_revoke_token_ends_that_session_and_only_that_one(idp: Any, idp_public: Any, who: Member) -> None:
    revoked, kept = sign_in(idp, who), sign_in(idp, who)
    refreshed = refresh(idp_public, who, revoked.refresh_token)["AccessToken"]

    idp_public.revoke_token(ClientId=who.client_id, Token=revoked.refresh_token)

    for token in (revoked.access_token, refreshed):
        assert_access_refused(idp_public, token)
    assert_refresh_refused(idp_public, who, revoked.refresh_token)
    assert idp_public.get_user(AccessToken=kept.access_token)["Username"] == who.username
    assert refresh(idp_public, who, kept.refresh_token)["AccessToken"]
    # Revoking again is harmless.
    idp_public.revoke_token(ClientId=who.client_id, Token=revoked.refresh_token)


def test_revoke_token_only_takes_refresh_tokens(idp: Any, idp_public: Any, who: Member) -> None:
    session = sign_in(idp, who)

    for token in (session.access_token, session.id_token):
        code, _ = error_of(idp_public.revoke_token, ClientId=who.client_id, Token=token)
        assert code == "UnsupportedTokenTypeException"
    assert idp_public.get_user(AccessToken=session.access_token)["Username"] == who.username


def test_revoke_token_of_another_client_is_unauthorized(idp: Any, idp_public: Any, who: Member) -> None:
    other_client = create_client(idp, who.pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    session = sign_in(idp, who)

    code, _ = error_of(idp_public.revoke_token, ClientId=other_client, Token=session.refresh_token)

    assert code == "UnauthorizedException"
    assert refresh(idp_public, who, session.refresh_token)["AccessToken"]


def test_revoke_token_of_an_unknown_token_is_accepted(idp_public: Any, who: Member) -> None:
    """RFC 7009 §2.2, which the revocation endpoint follows: an invalid token is no error."""
    idp_public.revoke_token(ClientId=who.client_id, Token="bm90LWEtdG9rZW4tdGhpcy1zZXJ2ZXItaXNzdWVk")


def test_revoke_token_needs_revocation_enabled_on_the_client(idp: Any, idp_public: Any) -> None:
    who = member(idp, EnableTokenRevocation=False)
    session = sign_in(idp, who)

    code, _ = error_of(idp_public.revoke_token, ClientId=who.client_id, Token=session.refresh_token)

    assert code == "UnsupportedOperationException"
    assert refresh(idp_public, who, session.refresh_token)["AccessToken"]


def test_revoke_token_of_a_client_with_a_secret_needs_the_secret(idp: Any, idp_public: Any) -> None:
    who = member(idp, GenerateSecret=True)
    assert who.client_secret
    session = sign_in(idp, who)

    assert error_of(idp_public.revoke_token, ClientId=who.client_id, Token=session.refresh_token)[0] == \
        "UnauthorizedException"
    assert error_of(idp_public.revoke_token, ClientId=who.client_id, Token=session.refresh_token,
                    ClientSecret="x" * 40)[0] == "UnauthorizedException"
    assert idp_public.get_user(AccessToken=session.access_token)["Username"] == who.username

    idp_public.revoke_token(ClientId=who.client_id, Token=session.refresh_token, ClientSecret=who.client_secret)

    assert_access_refused(idp_public, session.access_token)


# --- GetTokensFromRefreshToken --------------------------------------------------------------------------------------


def test_get_tokens_from_refresh_token_mints_new_tokens_of_the_same_session(idp: Any, idp_public: Any,
                                                                           who: Member) -> None:
    session = sign_in(idp, who)

    out = idp_public.get_tokens_from_refresh_token(ClientId=who.client_id, RefreshToken=session.refresh_token)

    result = out["AuthenticationResult"]
    assert {"AccessToken", "IdToken", "ExpiresIn", "TokenType"} <= set(result)
    assert "RefreshToken" not in result
    assert idp_public.get_user(AccessToken=result["AccessToken"])["Username"] == who.username
    # Minted from the same sign-in: revoking its refresh token ends the new access token too.
    idp_public.revoke_token(ClientId=who.client_id, Token=session.refresh_token)
    assert_access_refused(idp_public, result["AccessToken"])
    assert error_of(idp_public.get_tokens_from_refresh_token, ClientId=who.client_id,
                    RefreshToken=session.refresh_token) == REVOKED_REFRESH


def test_get_tokens_from_refresh_token_rotates_when_the_client_asks(idp: Any, idp_public: Any) -> None:
    who = member(idp, RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0})
    session = sign_in(idp, who)

    result = idp_public.get_tokens_from_refresh_token(ClientId=who.client_id,
                                                      RefreshToken=session.refresh_token)["AuthenticationResult"]

    assert result["RefreshToken"] != session.refresh_token
    assert error_of(idp_public.get_tokens_from_refresh_token, ClientId=who.client_id,
                    RefreshToken=session.refresh_token)[0] == "RefreshTokenReuseException"
    assert idp_public.get_tokens_from_refresh_token(ClientId=who.client_id, RefreshToken=result["RefreshToken"])


def test_get_tokens_from_refresh_token_of_a_client_with_a_secret(idp: Any, idp_public: Any) -> None:
    who = member(idp, GenerateSecret=True)
    assert who.client_secret
    session = sign_in(idp, who)

    assert error_of(idp_public.get_tokens_from_refresh_token, ClientId=who.client_id,
                    RefreshToken=session.refresh_token)[0] == "NotAuthorizedException"
    assert error_of(idp_public.get_tokens_from_refresh_token, ClientId=who.client_id,
                    RefreshToken=session.refresh_token, ClientSecret="y" * 40)[0] == "NotAuthorizedException"

    result = idp_public.get_tokens_from_refresh_token(ClientId=who.client_id, RefreshToken=session.refresh_token,
                                                      ClientSecret=who.client_secret)["AuthenticationResult"]
    assert idp_public.get_user(AccessToken=result["AccessToken"])["Username"] == who.username


def test_get_tokens_from_refresh_token_refuses_other_clients_and_unknown_tokens(idp: Any, idp_public: Any,
                                                                               who: Member) -> None:
    other_client = create_client(idp, who.pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    session = sign_in(idp, who)

    assert error_of(idp_public.get_tokens_from_refresh_token, ClientId=other_client,
                    RefreshToken=session.refresh_token) == ("NotAuthorizedException", "Invalid Refresh Token")
    assert error_of(idp_public.get_tokens_from_refresh_token, ClientId=who.client_id,
                    RefreshToken="bm9wZQ") == ("NotAuthorizedException", "Invalid Refresh Token")
    idp.admin_disable_user(UserPoolId=who.pool_id, Username=who.username)
    assert error_of(idp_public.get_tokens_from_refresh_token, ClientId=who.client_id,
                    RefreshToken=session.refresh_token) == ("NotAuthorizedException", "User is disabled.")


def test_get_tokens_from_refresh_token_needs_the_refresh_flow(idp: Any, idp_public: Any, who: Member) -> None:
    session = sign_in(idp, who)
    idp.update_user_pool_client(UserPoolId=who.pool_id, ClientId=who.client_id,
                                ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"])

    code, message = error_of(idp_public.get_tokens_from_refresh_token, ClientId=who.client_id,
                             RefreshToken=session.refresh_token)
    assert code == "InvalidParameterException"
    assert "not enabled for this client" in message
