"""Tokens as a relying party sees them (shared/reference/tokens.md; Developer Guide, "Understanding the
identity (ID) token", "Understanding the access token", "Verifying a JSON Web Token"): every token is
verified with joserfc against the pool's JWKS URL and nothing else. Claims, lifetimes from the client's
settings, one key per token kind, discovery, and key rotation with `cognate keys rotate`."""

from __future__ import annotations

import json
import subprocess
import threading
import uuid
from typing import Any

import pytest

from e2e.signin_helpers import (
    ALL_FLOWS,
    Member,
    header,
    jwks,
    member,
    password_sign_in,
    payload,
    verified_claims,
)
from support.factories import create_client, create_pool
from support.server import CognateServer, ServerFactory, cognate_executable

UUID_FIELDS = ("sub", "jti", "origin_jti", "event_id")


def _uuid(value: Any) -> bool:
    return isinstance(value, str) and str(uuid.UUID(value)) == value


@pytest.fixture
def who(idp: Any) -> Member:
    return member(idp, pool={"Schema": [{"Name": "tier", "AttributeDataType": "Number", "Mutable": True},
                                        {"Name": "team", "AttributeDataType": "String", "Mutable": True}]},
                  attributes={"custom:tier": "3", "custom:team": "blue", "name": "Ann Example"})


def test_the_id_token(server: CognateServer, idp_public: Any, who: Member) -> None:
    result = password_sign_in(idp_public, who)["AuthenticationResult"]

    claims = verified_claims(server, who.pool_id, result["IdToken"])

    assert claims["iss"] == f"{server.url}/{who.pool_id}"
    assert claims["aud"] == who.client_id and claims["token_use"] == "id"
    assert claims["cognito:username"] == who.username and claims["sub"] == who.sub
    assert all(_uuid(claims[name]) for name in UUID_FIELDS)
    assert claims["exp"] - claims["iat"] == 3600 and claims["auth_time"] <= claims["iat"]
    assert claims["email"] == who.email and claims["email_verified"] is True and claims["name"] == "Ann Example"
    # Custom attributes are strings whatever their type.
    assert claims["custom:tier"] == "3" and claims["custom:team"] == "blue"
    assert "client_id" not in claims and "scope" not in claims
    assert header(result["IdToken"])["alg"] == "RS256"


def test_the_access_token(server: CognateServer, idp_public: Any, who: Member) -> None:
    result = password_sign_in(idp_public, who)["AuthenticationResult"]

    claims = verified_claims(server, who.pool_id, result["AccessToken"])
    identity = payload(result["IdToken"])

    assert claims["token_use"] == "access" and claims["client_id"] == who.client_id
    assert claims["username"] == who.username and claims["sub"] == who.sub
    assert claims["scope"] == "aws.cognito.signin.user.admin"
    assert "aud" not in claims and "email" not in claims and "cognito:username" not in claims
    assert claims["origin_jti"] == identity["origin_jti"] and claims["event_id"] == identity["event_id"]
    assert claims["jti"] != identity["jti"] and claims["auth_time"] == identity["auth_time"]
    assert claims["exp"] - claims["iat"] == result["ExpiresIn"] == 3600


def test_each_kind_has_its_own_key_and_both_are_published(server: CognateServer, idp_public: Any,
                                                          who: Member) -> None:
    result = password_sign_in(idp_public, who)["AuthenticationResult"]
    published = jwks(server, who.pool_id)["keys"]

    kids = {header(result["IdToken"])["kid"], header(result["AccessToken"])["kid"]}
    assert len(kids) == 2 and kids == {k["kid"] for k in published}
    for key in published:
        assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig" and key["e"] == "AQAB"
        assert len(key["kid"]) == 44 and len(key["n"]) >= 342  # a 2048-bit modulus in base64url


def test_lifetimes_follow_the_clients_settings_and_units(server: CognateServer, idp: Any, idp_public: Any) -> None:
    who = member(idp, AccessTokenValidity=5, IdTokenValidity=2, RefreshTokenValidity=3,
                 TokenValidityUnits={"AccessToken": "minutes", "IdToken": "hours", "RefreshToken": "days"})

    result = password_sign_in(idp_public, who)["AuthenticationResult"]

    assert result["ExpiresIn"] == 300
    access = verified_claims(server, who.pool_id, result["AccessToken"])
    identity = verified_claims(server, who.pool_id, result["IdToken"])
    assert access["exp"] - access["iat"] == 300 and identity["exp"] - identity["iat"] == 7200
    refreshed = idp_public.initiate_auth(ClientId=who.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                         AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]})
    assert refreshed["AuthenticationResult"]["ExpiresIn"] == 300


def test_read_attributes_bound_the_id_token(server: CognateServer, idp: Any, idp_public: Any, who: Member) -> None:
    narrow = create_client(idp, who.pool_id, ExplicitAuthFlows=ALL_FLOWS, ReadAttributes=["email", "custom:team"])
    limited = Member(**{**who.__dict__, "client_id": narrow["ClientId"]})

    claims = verified_claims(server, who.pool_id, password_sign_in(idp_public, limited)["AuthenticationResult"][
        "IdToken"])

    assert claims["email"] == who.email and claims["custom:team"] == "blue"
    assert "name" not in claims and "custom:tier" not in claims and "email_verified" not in claims


def test_without_token_revocation_tokens_carry_no_jti(server: CognateServer, idp: Any, idp_public: Any) -> None:
    who = member(idp, EnableTokenRevocation=False)
    result = password_sign_in(idp_public, who)["AuthenticationResult"]
    for token in (result["IdToken"], result["AccessToken"]):
        claims = verified_claims(server, who.pool_id, token)
        assert "jti" not in claims and "origin_jti" not in claims


def test_discovery_document(server: CognateServer, idp: Any) -> None:
    pool_id = create_pool(idp)["Id"]

    status, headers, body = server.request("GET", f"/{pool_id}/.well-known/openid-configuration")

    assert status == 200 and headers["content-type"].startswith("application/json")
    document = json.loads(body)
    assert document["issuer"] == f"{server.url}/{pool_id}"
    assert document["jwks_uri"] == f"{server.url}/{pool_id}/.well-known/jwks.json"
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "public" in document["subject_types_supported"]
    # A pool's JWKS exists before its first sign-in.
    assert len(jwks(server, pool_id)["keys"]) == 2


@pytest.mark.parametrize("document", ["jwks.json", "openid-configuration"])
def test_an_unknown_pool_has_no_documents(server: CognateServer, document: str) -> None:
    status, _, _ = server.request("GET", f"/us-east-1_NoSuchPool/.well-known/{document}")
    assert status == 404


def test_first_sign_ins_at_once_make_one_key_pair(server: CognateServer, idp: Any, idp_public: Any) -> None:
    """Keys are made on a pool's first use; eight first sign-ins at once (two processes' worth on PostgreSQL)
    must agree on one key per token kind, or a JWKS would list strays."""
    pool_id = create_pool(idp)["Id"]
    client_id = create_client(idp, pool_id, ExplicitAuthFlows=ALL_FLOWS)["ClientId"]
    people = []
    for _ in range(8):
        name, password = f"user-{uuid.uuid4().hex[:8]}", "Pw-" + uuid.uuid4().hex + "!A"
        idp.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=password, Permanent=True)
        people.append((name, password))
    clients = [server.client("cognito-idp", signed=False) for _ in people]
    kids: list[str] = []
    start = threading.Barrier(len(people))

    def sign_in(client: Any, name: str, password: str) -> None:
        start.wait()
        result = client.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": name, "PASSWORD": password})
        kids.append(header(result["AuthenticationResult"]["IdToken"])["kid"])

    threads = [threading.Thread(target=sign_in, args=(c, *p)) for c, p in zip(clients, people, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(kids) == 8 and len(set(kids)) == 1
    assert len(jwks(server, pool_id)["keys"]) == 2


# --- rotation ---------------------------------------------------------------------------------------------------


def _keys_command(server: CognateServer, *args: str) -> str:
    command = [cognate_executable(), "keys", *args, "--data-dir", str(server.data_dir)]
    if server.database_url:
        command += ["--database-url", server.database_url]
    done = subprocess.run(command, env=server.env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_rotation_signs_new_tokens_with_new_keys_and_keeps_old_ones_valid(fresh_server: ServerFactory) -> None:
    server = fresh_server()
    idp = server.client("cognito-idp")
    idp_public = server.client("cognito-idp", signed=False)
    who = member(idp)
    before = password_sign_in(idp_public, who)["AuthenticationResult"]
    old_kids = {header(before[t])["kid"] for t in ("IdToken", "AccessToken")}

    rotated = _keys_command(server, "rotate", "--pool", who.pool_id)

    new_kids = {line.split("\t")[1] for line in rotated.strip().splitlines()}
    assert len(new_kids) == 2 and not new_kids & old_kids
    after = password_sign_in(idp_public, who)["AuthenticationResult"]
    assert {header(after[t])["kid"] for t in ("IdToken", "AccessToken")} == new_kids
    assert {k["kid"] for k in jwks(server, who.pool_id)["keys"]} == old_kids | new_kids
    for token in (before["IdToken"], before["AccessToken"], after["IdToken"], after["AccessToken"]):
        assert verified_claims(server, who.pool_id, token)["sub"] == who.sub
    # Cognito's own APIs still take an access token signed before the rotation.
    assert idp_public.get_user(AccessToken=before["AccessToken"])["Username"] == who.username

    listing = _keys_command(server, "list", "--pool", who.pool_id)
    states = {line.split("\t")[0]: line.split("\t")[3] for line in listing.strip().splitlines()[1:]}
    assert all(states[kid] == "active" for kid in new_kids)
    assert all(states[kid].startswith("retired") and states[kid].endswith("(in JWKS)") for kid in old_kids)


def test_rotating_an_unknown_pool_fails(fresh_server: ServerFactory) -> None:
    server = fresh_server()
    command = [cognate_executable(), "keys", "rotate", "--pool", "us-east-1_NoSuchPool", "--data-dir",
               str(server.data_dir)]
    if server.database_url:
        command += ["--database-url", server.database_url]
    done = subprocess.run(command, env=server.env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1 and "does not exist" in done.stderr
