"""Minting tokens: the AuthenticationResult of a successful sign-in or refresh (API reference,
AuthenticationResultType). Refresh tokens are random handles; only their digest is stored."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from cognate.domain.auth.model import RefreshToken
from cognate.domain.context import Deps
from cognate.domain.tokens import claims, keys
from cognate.domain.userpool.model import AppClient, User, UserPool
from cognate.store.ports import UnitOfWork

UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
DEFAULTS = {"AccessToken": (60, "minutes"), "IdToken": (60, "minutes"), "RefreshToken": (30, "days")}


def lifetime(client: AppClient, token: str) -> int:
    """Seconds a token of ``token`` kind ("AccessToken", "IdToken", "RefreshToken") lives for this client:
    its ``<token>Validity`` in the unit TokenValidityUnits gives it (API reference, TokenValidityUnitsType)."""
    units = client.config.get("TokenValidityUnits") or {}
    value = client.config.get(f"{token}Validity") or DEFAULTS[token][0]
    return int(value) * UNIT_SECONDS[units.get(token, DEFAULTS[token][1])]


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_refresh_token(deps: Deps, uow: UnitOfWork, pool: UserPool, client: AppClient, user: User,
                      sign_in: claims.SignIn, expires: float | None = None) -> str:
    """A refresh token for ``sign_in``; ``expires`` defaults to the client's RefreshTokenValidity from now
    (a rotated token keeps its predecessor's end instead)."""
    token = secrets.token_urlsafe(48)
    now = deps.clock.now()
    assert user.id is not None
    uow.refresh_tokens.add(RefreshToken(
        id=digest(token), pool_id=pool.id, client_id=client.id, user_id=user.id, origin_jti=sign_in.origin_jti,
        auth_time=sign_in.auth_time, created=now,
        expires=expires if expires is not None else now + lifetime(client, "RefreshToken"),
        device_key=sign_in.device_key, scopes=sign_in.scopes))
    return token


def authentication_result(deps: Deps, uow: UnitOfWork, pool: UserPool, client: AppClient, user: User,
                          sign_in: claims.SignIn, *, refresh_token: str | None = None,
                          with_refresh: bool = True) -> dict[str, Any]:
    """ID and access tokens for ``sign_in``, each signed by its own key; a new refresh token unless one is
    handed in (rotation) or none is wanted (a plain refresh). ExpiresIn is the access token's lifetime."""
    assert user.id is not None
    groups = uow.groups.of_user(user.id)
    now = int(deps.clock.now())
    access_life = lifetime(client, "AccessToken")
    access = claims.access_claims(pool, client, user, groups, sign_in, deps.public_url, now, access_life)
    identity = claims.id_claims(pool, client, user, groups, sign_in, deps.public_url, now,
                                lifetime(client, "IdToken"))
    signer = keys.signers(deps, uow, pool.id)
    result: dict[str, Any] = {"AccessToken": signer["access"].sign(access), "ExpiresIn": access_life,
                              "TokenType": "Bearer", "IdToken": signer["id"].sign(identity)}
    if refresh_token is not None:
        result["RefreshToken"] = refresh_token
    elif with_refresh:
        result["RefreshToken"] = new_refresh_token(deps, uow, pool, client, user, sign_in)
    return result
