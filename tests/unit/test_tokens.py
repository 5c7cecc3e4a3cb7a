"""Token signing and verification without a server (RFC 7515/7519; tokens.md): what Cognate signs verifies
with joserfc against the published JWK, and the access-token check of Cognito's own APIs refuses anything
tampered, of the wrong kind, expired, foreign, or unsigned. Lifetimes, typed claims, key publication."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from cognate.domain.errors import NotAuthorizedException
from cognate.domain.tokens import claims, issue, keys, verify
from cognate.domain.userpool.model import AppClient
from unit.signin_world import PUBLIC_URL, World, make_world


@pytest.fixture
def world(tmp_path: Path) -> World:
    made = make_world(tmp_path, pool={"Schema": [{"Name": "level", "AttributeDataType": "Number", "Mutable": True},
                                                 {"Name": "x_verified", "AttributeDataType": "String",
                                                  "Mutable": True}]})
    made.add_user(attributes={"email": "ann@example.test", "email_verified": "true", "custom:level": "7",
                              "custom:x_verified": "true", "address": "1 Main St", "updated_at": "1700000000"})
    return made


def _tokens(world: World) -> dict[str, Any]:
    result: dict[str, Any] = world.sign_in()["AuthenticationResult"]
    return result


def _jwks(world: World) -> dict[str, Any]:
    with world.deps.store.read() as uow:
        return keys.jwks(world.deps, uow, world.pool_id)


def _check(world: World, token: str) -> dict[str, Any]:
    with world.deps.store.read() as uow:
        return verify.access_token_claims(world.deps, uow, token)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_tokens_verify_with_joserfc_against_the_jwks(world: World) -> None:
    result = _tokens(world)
    key_set = KeySet.import_key_set(_jwks(world))

    for name, use in (("IdToken", "id"), ("AccessToken", "access")):
        decoded = jwt.decode(result[name], key_set, algorithms=["RS256"])
        assert decoded.header == {"kid": decoded.header["kid"], "alg": "RS256"}
        assert decoded.claims["token_use"] == use
        assert decoded.claims["iss"] == f"{PUBLIC_URL}/{world.pool_id}"


def test_id_token_attributes_are_typed_as_cognito_types_them(world: World) -> None:
    identity = jwt.decode(_tokens(world)["IdToken"], KeySet.import_key_set(_jwks(world)),
                          algorithms=["RS256"]).claims
    assert identity["email_verified"] is True
    assert identity["custom:level"] == "7" and identity["custom:x_verified"] == "true"
    assert identity["address"] == {"formatted": "1 Main St"} and identity["updated_at"] == 1700000000


def test_the_access_token_check_accepts_its_own_tokens(world: World) -> None:
    found = _check(world, _tokens(world)["AccessToken"])
    assert found["username"] == "ann" and found["client_id"] == world.client_id


def test_the_access_token_check_refuses_an_id_token(world: World) -> None:
    with pytest.raises(NotAuthorizedException, match="Invalid Access Token"):
        _check(world, _tokens(world)["IdToken"])


def test_the_access_token_check_refuses_a_tampered_token(world: World) -> None:
    head, body, signature = _tokens(world)["AccessToken"].split(".")
    forged = json.loads(base64.urlsafe_b64decode(body + "==="))
    forged["username"] = "mallory"
    with pytest.raises(NotAuthorizedException, match="Invalid Access Token"):
        _check(world, f"{head}.{_b64(forged)}.{signature}")


@pytest.mark.parametrize("bad", ["", "a.b", "a.b.c.d", "not.a.token", "x" * 20000,
                                 f"{_b64({'alg': 'none', 'kid': 'k'})}.{_b64({'token_use': 'access'})}."])
def test_the_access_token_check_refuses_garbage(world: World, bad: str) -> None:
    with pytest.raises(NotAuthorizedException, match="Invalid Access Token"):
        _check(world, bad)


def test_an_access_token_of_another_issuer_is_refused(world: World) -> None:
    token = _tokens(world)["AccessToken"]
    elsewhere = type(world.deps)(**{**world.deps.__dict__, "public_url": "http://elsewhere.test"})
    with world.deps.store.read() as uow, pytest.raises(NotAuthorizedException, match="Invalid Access Token"):
        verify.access_token_claims(elsewhere, uow, token)


def test_an_expired_access_token_is_refused(world: World) -> None:
    token = _tokens(world)["AccessToken"]
    world.clock.advance(3600)
    with pytest.raises(NotAuthorizedException, match="Access Token has expired"):
        _check(world, token)


def test_rotation_keeps_old_keys_published_for_a_day(world: World) -> None:
    before = _tokens(world)
    old = {k["kid"] for k in _jwks(world)["keys"]}
    fresh = {k.kid for k in keys.rotate(world.deps, world.pool_id)}

    after = _tokens(world)
    assert {json.loads(base64.urlsafe_b64decode(after[t].split(".")[0] + "==="))["kid"]
            for t in ("IdToken", "AccessToken")} == fresh
    assert {k["kid"] for k in _jwks(world)["keys"]} == old | fresh
    assert _check(world, before["AccessToken"])["username"] == "ann"
    world.clock.advance(keys.MAX_TOKEN_LIFETIME)
    assert {k["kid"] for k in _jwks(world)["keys"]} == fresh


def test_lifetimes_honour_the_units() -> None:
    client = AppClient(id="c", pool_id="p", name="n", created=0, modified=0, config={
        "AccessTokenValidity": 5, "IdTokenValidity": 2, "RefreshTokenValidity": 90,
        "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "hours", "RefreshToken": "minutes"}})
    assert issue.lifetime(client, "AccessToken") == 300
    assert issue.lifetime(client, "IdToken") == 7200
    assert issue.lifetime(client, "RefreshToken") == 5400
    bare = AppClient(id="c", pool_id="p", name="n", created=0, modified=0, config={})
    assert (issue.lifetime(bare, "AccessToken"), issue.lifetime(bare, "RefreshToken")) == (3600, 30 * 86400)


def test_signing_without_ensure_makes_the_keys_in_the_transaction(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    with world.deps.store.write() as uow:
        signers = keys.signers(world.deps, uow, world.pool_id)
    assert set(signers) == {"id", "access"} and signers["id"].kid != signers["access"].kid
    token = signers["access"].sign({"token_use": "access"})
    with world.deps.store.read() as uow:
        found = keys.public_key(uow, signers["access"].kid)
    assert found is not None and found.purpose == "access"
    head, body, signature = token.split(".")
    assert found.verifies(f"{head}.{body}".encode(), keys.b64url_decode(signature))
    assert claims.issuer(PUBLIC_URL, world.pool_id) == f"{PUBLIC_URL}/{world.pool_id}"
