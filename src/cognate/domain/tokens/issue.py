"""Minting tokens: the AuthenticationResult of a successful sign-in or refresh (API reference,
AuthenticationResultType). Refresh tokens are random handles; only their digest is stored.

Tokens are decided inside the transaction that records the sign-in (``mint``) and signed after it commits
(``Minted.result``): two RSA signatures take about a millisecond, and on SQLite every writer waits for the one
holding the write lock.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Minted:
    """The tokens of a sign-in or refresh, decided and recorded; ``result()`` signs them."""

    access: dict[str, Any]
    identity: dict[str, Any]
    signers: dict[str, keys.Signer]
    expires_in: int
    refresh_token: str | None

    def result(self) -> dict[str, Any]:
        """AuthenticationResultType: ExpiresIn is the access token's lifetime, TokenType always Bearer."""
        out: dict[str, Any] = {"AccessToken": self.signers["access"].sign(self.access), "ExpiresIn": self.expires_in,
                               "TokenType": "Bearer", "IdToken": self.signers["id"].sign(self.identity)}
        if self.refresh_token is not None:
            out["RefreshToken"] = self.refresh_token
        return out


def mint(deps: Deps, uow: UnitOfWork, pool: UserPool, client: AppClient, user: User, sign_in: claims.SignIn, *,
         refresh_token: str | None = None, with_refresh: bool = True) -> Minted:
    """ID and access tokens for ``sign_in``, each to be signed by its own key; a new refresh token (stored
    now) unless one is handed in (rotation) or none is wanted (a plain refresh)."""
    assert user.id is not None
    groups = uow.groups.of_user(user.id)
    now = int(deps.clock.now())
    access_life = lifetime(client, "AccessToken")
    access = claims.access_claims(pool, client, user, groups, sign_in, deps.public_url, now, access_life)
    identity = claims.id_claims(pool, client, user, groups, sign_in, deps.public_url, now,
                                lifetime(client, "IdToken"))
    if refresh_token is None and with_refresh:
        refresh_token = new_refresh_token(deps, uow, pool, client, user, sign_in)
    return Minted(access, identity, keys.signers(deps, uow, pool.id), access_life, refresh_token)
