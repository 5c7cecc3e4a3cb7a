"""Access tokens presented to Cognito's token-authenticated operations (GetUser, ChangePassword, ...):
signature, expiry, issuer, token_use, scope, and revocation by sign-out or RevokeToken.

Unlike a JWT-only verifier, these operations see revocation at once: AWS documents that after
GlobalSignOut or RevokeToken the access token is refused by every Cognito API.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError

from cognate.domain.context import Deps
from cognate.domain.errors import NotAuthorizedException, UserNotFoundException
from cognate.domain.tokens import keys
from cognate.domain.tokens.claims import ADMIN_SCOPE, issuer
from cognate.domain.userpool.model import User, UserPool
from cognate.store.ports import UnitOfWork


@dataclass(frozen=True)
class Caller:
    pool: UserPool
    user: User
    claims: dict[str, Any]


def _header(token: str) -> dict[str, Any]:
    try:
        head = token.split(".", 1)[0]
        value = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, IndexError) as exc:
        raise NotAuthorizedException("Invalid Access Token") from exc
    if not isinstance(value, dict):
        raise NotAuthorizedException("Invalid Access Token")
    return value


def access_token_claims(deps: Deps, uow: UnitOfWork, token: str) -> dict[str, Any]:
    """Claims of a genuine, unexpired access token of this server; NotAuthorizedException otherwise."""
    kid = _header(token).get("kid")
    key = uow.keys.get(kid) if isinstance(kid, str) else None
    if key is None or key.purpose != "access":
        raise NotAuthorizedException("Invalid Access Token")
    try:
        decoded = jwt.decode(token, keys.public_key(json.dumps(key.public_jwk, sort_keys=True)),
                             algorithms=["RS256"])
    except (JoseError, ValueError) as exc:
        raise NotAuthorizedException("Invalid Access Token") from exc
    found = dict(decoded.claims)
    if found.get("token_use") != "access" or found.get("iss") != issuer(deps.public_url, key.pool_id):
        raise NotAuthorizedException("Invalid Access Token")
    if not isinstance(found.get("exp"), int) or found["exp"] <= deps.clock.now():
        raise NotAuthorizedException("Access Token has expired")
    return found


def authenticate(deps: Deps, uow: UnitOfWork, token: str, *, scope: str = ADMIN_SCOPE) -> Caller:
    """The user behind an access token that carries ``scope`` and has not been revoked."""
    found = access_token_claims(deps, uow, token)
    if scope not in str(found.get("scope", "")).split():
        raise NotAuthorizedException("Access Token does not have required scopes")
    pool_id = str(found["iss"]).rsplit("/", 1)[1]
    pool = uow.pools.get(pool_id)
    if pool is None:
        raise NotAuthorizedException("Invalid Access Token")
    user = uow.users.get_by_sub(pool.id, str(found.get("sub")))
    if user is None or user.id is None:
        raise UserNotFoundException("User does not exist.")
    if _revoked(uow, user.id, found):
        raise NotAuthorizedException("Access Token has been revoked")
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return Caller(pool, user, found)


def _revoked(uow: UnitOfWork, user_id: int, found: dict[str, Any]) -> bool:
    """A token with origin_jti dies with its sign-in (RevokeToken, sign-out record every origin); one
    without (EnableTokenRevocation off) falls back to the user's sign-out time, to the second."""
    origin = found.get("origin_jti")
    if isinstance(origin, str):
        return uow.refresh_tokens.origin_revoked(origin)
    valid_after = uow.security.get(user_id).tokens_valid_after
    return valid_after is not None and int(found["iat"]) <= int(valid_after)
