"""USER_SRP_AUTH end to end with pycognito's AWSSRP, the client real applications use, over an unsigned boto3
client (shared/reference/srp.md; API reference, InitiateAuth and RespondToAuthChallenge PASSWORD_VERIFIER):
with and without a client secret, email-as-username pools, aliases, the admin door, wrong passwords,
hidden user existence (a decoy challenge), and the shape of the challenge answer."""

from __future__ import annotations

import base64
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pycognito.exceptions import ForceChangePasswordException

from cognate.domain.auth import srp
from e2e.signin_helpers import (
    INCORRECT,
    Member,
    member,
    payload,
    srp_client,
    srp_sign_in,
    verified_claims,
)
from support.aws import error_of
from support.factories import create_client, strong_password, unique_name
from support.server import CognateServer

HEX = re.compile(r"[0-9a-f]+")


@pytest.fixture
def who(idp: Any) -> Member:
    return member(idp)


def _challenge(idp_public: Any, who: Member, name: str | None = None) -> tuple[Any, dict[str, Any]]:
    """InitiateAuth USER_SRP_AUTH by pycognito's client: (the client, the response)."""
    client = srp_client(idp_public, who, name)
    response = idp_public.initiate_auth(ClientId=who.client_id, AuthFlow="USER_SRP_AUTH",
                                        AuthParameters=client.get_auth_params())
    return client, dict(response)


def test_pycognito_signs_in(server: CognateServer, idp_public: Any, who: Member) -> None:
    response = srp_sign_in(idp_public, who)

    assert response["ChallengeParameters"] == {} and "Session" not in response
    result = response["AuthenticationResult"]
    assert {"AccessToken", "IdToken", "RefreshToken", "ExpiresIn", "TokenType"} <= set(result)
    assert verified_claims(server, who.pool_id, result["IdToken"])["cognito:username"] == who.username
    assert idp_public.get_user(AccessToken=result["AccessToken"])["Username"] == who.username


def test_the_challenge_names_the_internal_user(idp_public: Any, who: Member) -> None:
    _, response = _challenge(idp_public, who)

    assert response["ChallengeName"] == "PASSWORD_VERIFIER"
    parameters = response["ChallengeParameters"]
    assert set(parameters) == {"SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP", "USERNAME"}
    assert parameters["USER_ID_FOR_SRP"] == parameters["USERNAME"] == who.username
    assert HEX.fullmatch(parameters["SALT"]) and HEX.fullmatch(parameters["SRP_B"])
    assert int(parameters["SRP_B"], 16) % srp.N != 0
    assert len(base64.b64decode(parameters["SECRET_BLOCK"])) >= 32


def test_a_client_with_a_secret(idp: Any, idp_public: Any) -> None:
    who = member(idp, GenerateSecret=True)
    assert who.secret

    assert srp_sign_in(idp_public, who)["AuthenticationResult"]["AccessToken"]
    # Without the secret pycognito sends no SECRET_HASH.
    bare = Member(**{**who.__dict__, "secret": None})
    code, message = error_of(srp_sign_in, idp_public=idp_public, who=bare)
    assert (code, message) == ("NotAuthorizedException",
                               f"Client {who.client_id} is configured with secret but SECRET_HASH was not received")


def test_an_email_username_pool(server: CognateServer, idp: Any, idp_public: Any) -> None:
    """The user types an email; USER_ID_FOR_SRP is the internal user name, the UUID that is also the sub, and
    the verifier and signature are computed with it (srp.md §3)."""
    who = member(idp, email_login=True, GenerateSecret=True)
    _, response = _challenge(idp_public, who)
    assert response["ChallengeParameters"]["USER_ID_FOR_SRP"] == who.sub == str(uuid.UUID(who.sub))

    result = srp_sign_in(idp_public, who)["AuthenticationResult"]

    claims = verified_claims(server, who.pool_id, result["IdToken"])
    assert claims["cognito:username"] == claims["sub"] == who.sub and claims["email"] == who.email


def test_an_alias_signs_in(idp: Any, idp_public: Any) -> None:
    who = member(idp, pool={"AliasAttributes": ["email"]})
    _, response = _challenge(idp_public, who, who.email)
    assert response["ChallengeParameters"]["USER_ID_FOR_SRP"] == who.username

    result = srp_sign_in(idp_public, who, name=who.email)["AuthenticationResult"]
    assert payload(result["AccessToken"])["username"] == who.username


def test_the_admin_door(idp: Any, who: Member) -> None:
    client = srp_client(idp, who)
    challenge = idp.admin_initiate_auth(UserPoolId=who.pool_id, ClientId=who.client_id, AuthFlow="USER_SRP_AUTH",
                                        AuthParameters=client.get_auth_params())
    answers = client.process_challenge(challenge["ChallengeParameters"], client.get_auth_params())

    result = idp.admin_respond_to_auth_challenge(UserPoolId=who.pool_id, ClientId=who.client_id,
                                                 ChallengeName="PASSWORD_VERIFIER", Session=challenge["Session"],
                                                 ChallengeResponses=answers)
    assert result["AuthenticationResult"]["TokenType"] == "Bearer"


def test_a_wrong_password_is_refused(idp_public: Any, who: Member) -> None:
    assert error_of(srp_sign_in, idp_public=idp_public, who=who, password=strong_password()) == INCORRECT


def test_a_verifier_challenge_is_answered_once(idp_public: Any, who: Member) -> None:
    client, response = _challenge(idp_public, who)
    answers = client.process_challenge(response["ChallengeParameters"], client.get_auth_params())

    assert idp_public.respond_to_auth_challenge(ClientId=who.client_id, ChallengeName="PASSWORD_VERIFIER",
                                                ChallengeResponses=answers)["AuthenticationResult"]
    code, _ = error_of(idp_public.respond_to_auth_challenge, ClientId=who.client_id,
                       ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answers)
    assert code == "NotAuthorizedException"


def test_a_challenge_answers_only_the_client_that_started_it(idp: Any, idp_public: Any, who: Member) -> None:
    other = create_client(idp, who.pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])["ClientId"]
    client, response = _challenge(idp_public, who)
    answers = client.process_challenge(response["ChallengeParameters"], client.get_auth_params())

    assert error_of(idp_public.respond_to_auth_challenge, ClientId=other, ChallengeName="PASSWORD_VERIFIER",
                    ChallengeResponses=answers)[0] == "NotAuthorizedException"
    assert idp_public.respond_to_auth_challenge(ClientId=who.client_id, ChallengeName="PASSWORD_VERIFIER",
                                                ChallengeResponses=answers)["AuthenticationResult"]


def test_timestamps_in_another_format_or_with_a_padded_day(idp_public: Any, who: Member) -> None:
    client, response = _challenge(idp_public, who)
    answers = client.process_challenge(response["ChallengeParameters"], client.get_auth_params())
    respond = {"ClientId": who.client_id, "ChallengeName": "PASSWORD_VERIFIER"}

    assert error_of(idp_public.respond_to_auth_challenge, **respond,
                    ChallengeResponses={**answers, "TIMESTAMP": datetime.now(UTC).isoformat()}) == (
        "InvalidParameterException", "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
    padded = datetime.now(UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
    if not padded.split()[2].startswith("0"):
        padded = padded.replace(f" {padded.split()[2]} ", " 01 ", 1)
    assert error_of(idp_public.respond_to_auth_challenge, **respond,
                    ChallengeResponses={**answers, "TIMESTAMP": padded}) == INCORRECT


@pytest.mark.parametrize("absent", ["USERNAME", "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE",
                                    "TIMESTAMP"])
def test_missing_challenge_responses(idp_public: Any, who: Member, absent: str) -> None:
    client, response = _challenge(idp_public, who)
    answers = client.process_challenge(response["ChallengeParameters"], client.get_auth_params())
    answers.pop(absent)

    assert error_of(idp_public.respond_to_auth_challenge, ClientId=who.client_id, ChallengeName="PASSWORD_VERIFIER",
                    ChallengeResponses=answers) == ("InvalidParameterException",
                                                    f"Missing required parameter {absent}")


@pytest.mark.parametrize("a_value", ["0", format(srp.N, "x"), "not-hex"])
def test_an_invalid_srp_a_is_refused(idp_public: Any, who: Member, a_value: str) -> None:
    assert error_of(idp_public.initiate_auth, ClientId=who.client_id, AuthFlow="USER_SRP_AUTH",
                    AuthParameters={"USERNAME": who.login, "SRP_A": a_value})[0] == "InvalidParameterException"


def test_a_temporary_password_leads_to_new_password_required(idp: Any, idp_public: Any) -> None:
    who = member(idp)
    temporary = strong_password()
    idp.admin_set_user_password(UserPoolId=who.pool_id, Username=who.login, Password=temporary, Permanent=False)

    with pytest.raises(ForceChangePasswordException):
        srp_sign_in(idp_public, who, password=temporary)
    client, response = _challenge(idp_public, who)
    client.password = temporary
    answered = idp_public.respond_to_auth_challenge(
        ClientId=who.client_id, ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=client.process_challenge(response["ChallengeParameters"], client.get_auth_params()))
    assert answered["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert answered["ChallengeParameters"]["USER_ID_FOR_SRP"] == who.username
    new = strong_password()
    idp_public.respond_to_auth_challenge(ClientId=who.client_id, ChallengeName="NEW_PASSWORD_REQUIRED",
                                         Session=answered["Session"],
                                         ChallengeResponses={"USERNAME": who.login, "NEW_PASSWORD": new})
    assert srp_sign_in(idp_public, who, password=new)["AuthenticationResult"]


# --- PreventUserExistenceErrors ---------------------------------------------------------------------------------


def test_a_legacy_client_says_an_unknown_user_does_not_exist(idp: Any, idp_public: Any) -> None:
    who = member(idp, PreventUserExistenceErrors="LEGACY")
    ghost = Member(**{**who.__dict__, "login": unique_name("ghost")})
    assert error_of(_challenge, idp_public=idp_public, who=ghost) == ("UserNotFoundException",
                                                                      "User does not exist.")


@pytest.mark.parametrize("email_login", [False, True])
def test_an_unknown_user_gets_a_plausible_challenge(idp: Any, idp_public: Any, email_login: bool) -> None:
    """With PreventUserExistenceErrors ENABLED an unknown name gets a challenge shaped like a real one (a UUID
    user id where users sign in by email; the same salt each time, as a real user has) and only the second
    step fails, as a wrong password does."""
    who = member(idp, email_login=email_login, PreventUserExistenceErrors="ENABLED")
    ghost_name = f"ghost-{uuid.uuid4().hex[:8]}@example.test" if email_login else unique_name("ghost")
    ghost = Member(**{**who.__dict__, "login": ghost_name})

    _, real = _challenge(idp_public, who)
    _, first = _challenge(idp_public, ghost)
    _, second = _challenge(idp_public, ghost)

    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    assert set(first["ChallengeParameters"]) == set(real["ChallengeParameters"])
    assert first["ChallengeParameters"]["SALT"] == second["ChallengeParameters"]["SALT"]
    assert first["ChallengeParameters"]["SRP_B"] != second["ChallengeParameters"]["SRP_B"]
    user_id = first["ChallengeParameters"]["USER_ID_FOR_SRP"]
    if email_login:
        assert str(uuid.UUID(user_id)) == user_id
    else:
        assert user_id == ghost_name
    assert error_of(srp_sign_in, idp_public=idp_public, who=ghost) == INCORRECT
    assert error_of(srp_sign_in, idp_public=idp_public, who=who, password=strong_password()) == INCORRECT
