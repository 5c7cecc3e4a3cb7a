"""Access tokens presented to Cognito's token-authenticated operations (GetUser, ChangePassword, ...):
signature, expiry, issuer, token_use, scope, and revocation by sign-out or RevokeToken.

Unlike a JWT-only verifier, these operations see revocation at once: AWS documents that after
GlobalSignOut or RevokeToken the access token is refused by every Cognito API.

The JWS is checked by hand (RFC 7515 §5.2: three base64url parts, RS256 over "header.payload") with the
key its ``kid`` names, cached per process (keys.py): this is the hot path of every token-authenticated
operation, and a general JOSE library costs more than the signature check itself.
"""

from __future__ import annotations

import binascii
import json
from dataclasses import dataclass
from typing import Any

from cognate.domain.context import Deps
from cognate.domain.errors import NotAuthorizedException, UserNotFoundException
from cognate.domain.tokens import keys
from cognate.domain.tokens.claims import ADMIN_SCOPE, issuer
from cognate.domain.userpool.model import User, UserPool
from cognate.store.ports import UnitOfWork

INVALID = "Invalid Access Token"
MAX_TOKEN_CHARS = 16384  # far above any token this server signs; bounds the work an attacker can ask for
# Tokens whose signature has been checked, with their key's pool and payload: a client presents the same
# access token for an hour, and the RSA check is the largest part of a GetUser. Expiry, issuer and revocation
# are still checked on every call. Bounded: cleared whole when full (cheaper than LRU bookkeeping per hit).
_SIGNED_LIMIT = 8192
_signed: dict[str, tuple[str, dict[str, Any]]] = {}


@dataclass(frozen=True)
class Caller:
    pool: UserPool
    user: User
    claims: dict[str, Any]


def _json_part(part: str) -> dict[str, Any]:
    try:
        value = json.loads(keys.b64url_decode(part))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise NotAuthorizedException(INVALID) from exc
    if not isinstance(value, dict):
        raise NotAuthorizedException(INVALID)
    return value


def access_token_claims(deps: Deps, uow: UnitOfWork, token: str) -> dict[str, Any]:
    """Claims of a genuine, unexpired access token of this server; NotAuthorizedException otherwise."""
    known = _signed.get(token)
    if known is None:
        known = _signed_payload(uow, token)
        if len(_signed) >= _SIGNED_LIMIT:
            _signed.clear()
        _signed[token] = known
    pool_id, payload = known
    found = dict(payload)
    if found.get("token_use") != "access" or found.get("iss") != issuer(deps.public_url, pool_id):
        raise NotAuthorizedException(INVALID)
    if not isinstance(found.get("exp"), int) or found["exp"] <= deps.clock.now():
        raise NotAuthorizedException("Access Token has expired")
    return found


def _signed_payload(uow: UnitOfWork, token: str) -> tuple[str, dict[str, Any]]:
    """The pool of the access-token key that signed ``token``, and its payload; NotAuthorizedException if no
    such key did."""
    parts = token.split(".") if len(token) <= MAX_TOKEN_CHARS else []
    if len(parts) != 3:
        raise NotAuthorizedException(INVALID)
    header = _json_part(parts[0])
    kid = header.get("kid")
    key = keys.public_key(uow, kid) if isinstance(kid, str) and header.get("alg") == "RS256" else None
    if key is None or key.purpose != "access":
        raise NotAuthorizedException(INVALID)
    try:
        signature = keys.b64url_decode(parts[2])
    except (ValueError, binascii.Error) as exc:
        raise NotAuthorizedException(INVALID) from exc
    if not key.verifies(f"{parts[0]}.{parts[1]}".encode(), signature):
        raise NotAuthorizedException(INVALID)
    return key.pool_id, _json_part(parts[1])


def authenticate(deps: Deps, uow: UnitOfWork, token: str, *, scope: str = ADMIN_SCOPE) -> Caller:
    """The user behind an access token that carries ``scope`` and has not been revoked."""
    found = access_token_claims(deps, uow, token)
    if scope not in str(found.get("scope", "")).split():
        raise NotAuthorizedException("Access Token does not have required scopes")
    pool_id = str(found["iss"]).rsplit("/", 1)[1]
    pool = uow.pools.get(pool_id)
    if pool is None:
        raise NotAuthorizedException(INVALID)
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
