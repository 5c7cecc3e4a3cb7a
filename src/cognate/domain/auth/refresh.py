"""New ID and access tokens from a refresh token: InitiateAuth/AdminInitiateAuth REFRESH_TOKEN_AUTH (and its
synonym REFRESH_TOKEN), and GetTokensFromRefreshToken (API reference of each; Developer Guide, "Refresh
tokens").

Rotation (RefreshTokenRotationType): with Feature ENABLED a refresh also issues a new refresh token, valid
for the remaining time of the original, and the submitted one stops working RetryGracePeriodSeconds later
(0: at once); a retry within the grace period (a client that lost the answer) gets tokens again, with another
new refresh token. Afterwards the old token gets RefreshTokenReuseException. AWS documents that "refresh token
rotation must be completed with GetTokensFromRefreshToken": REFRESH_TOKEN_AUTH is refused for such a client
(explicit_flows.py).
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable
from typing import Any

from cognate.domain.auth import challenges, explicit_flows
from cognate.domain.auth.model import RefreshToken
from cognate.domain.context import Deps
from cognate.domain.errors import InvalidParameterException, NotAuthorizedException, RefreshTokenReuseException
from cognate.domain.tokens import issue, keys
from cognate.domain.tokens.claims import ADMIN_SCOPE, SignIn
from cognate.domain.userpool import clients, pools
from cognate.domain.userpool.model import AppClient, User, UserPool
from cognate.store.ports import UnitOfWork

INVALID = "Invalid Refresh Token"
REVOKED = "Refresh Token has been revoked"


def rotates(client: AppClient) -> bool:
    return (client.config.get("RefreshTokenRotation") or {}).get("Feature") == "ENABLED"


def _live(deps: Deps, uow: UnitOfWork, client: AppClient, token: str) -> tuple[RefreshToken, User]:
    """The stored token and its user, if the token may still refresh: issued to this client, not expired,
    not revoked (by sign-out, RevokeToken, or rotation past its grace period), its user enabled."""
    stored = uow.refresh_tokens.get(issue.digest(token))
    if stored is None or stored.client_id != client.id:
        raise NotAuthorizedException(INVALID)
    now = deps.clock.now()
    if stored.replaced_by is not None:
        # Rotated out: a retry within the grace period still works, unless its sign-in was revoked since.
        if stored.revoked is not None and now >= stored.revoked:
            raise RefreshTokenReuseException()
        if uow.refresh_tokens.origin_revoked(stored.origin_jti):
            raise NotAuthorizedException(REVOKED)
    elif stored.revoked is not None:
        raise NotAuthorizedException(REVOKED)
    if now >= stored.expires:
        raise NotAuthorizedException("Refresh Token has expired")
    user = uow.users.get_by_id(stored.user_id)
    if user is None:
        raise NotAuthorizedException(INVALID)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return stored, user


def _tokens(deps: Deps, pool: UserPool, client: AppClient, token: str,
            check_secret: Callable[[User], None]) -> dict[str, Any]:
    """The AuthenticationResult of one refresh; ``check_secret(user)`` proves the caller is the client. The
    device of the sign-in carries over; one named by the refresh request (DEVICE_KEY, DeviceKey) is not
    honoured, as Cognate pools track no devices. A refresh without rotation writes nothing, so it reads."""
    keys.ensure(deps, pool.id)
    rotating = rotates(client)
    with deps.store.write() if rotating else deps.store.read() as uow:
        stored, user = _live(deps, uow, client, token)
        check_secret(user)
        sign_in = SignIn(stored.auth_time, stored.origin_jti, str(uuid.uuid4()), stored.scopes or ADMIN_SCOPE,
                         stored.device_key)
        new_token = None
        if rotating:
            new_token = issue.new_refresh_token(deps, uow, pool, client, user, sign_in, expires=stored.expires)
            if stored.replaced_by is None:
                grace = float((client.config.get("RefreshTokenRotation") or {}).get("RetryGracePeriodSeconds", 0))
                stored.revoked = deps.clock.now() + grace
            stored.replaced_by = issue.digest(new_token)
            uow.refresh_tokens.update(stored)
        minted = issue.mint(deps, uow, pool, client, user, sign_in, refresh_token=new_token, with_refresh=False)
    return minted.result()


def refresh(deps: Deps, pool: UserPool, client: AppClient, token: str | None,
            secret_hash: str | None) -> dict[str, Any]:
    """REFRESH_TOKEN_AUTH: SECRET_HASH, for a client with a secret, is computed with the internal user name
    (for a pool whose users sign in with an email, the UUID user name; tokens.md §8)."""
    if not token:
        raise challenges.missing("REFRESH_TOKEN")
    if not secret_hash:
        # A missing SECRET_HASH is refused before the token is looked up; checking a given one needs its user.
        clients.check_secret_hash(deps, client, "", None)

    def check_secret(user: User) -> None:
        clients.check_secret_hash(deps, client, user.username, secret_hash)

    return {"ChallengeParameters": {},
            "AuthenticationResult": _tokens(deps, pool, client, token, check_secret)}


def get_tokens(deps: Deps, request: dict[str, Any]) -> dict[str, Any]:
    """GetTokensFromRefreshToken: the client proves itself with its secret itself (ClientSecret), not a
    SECRET_HASH. It is the way to refresh with rotation; without rotation the client must allow the refresh
    flow, as for REFRESH_TOKEN_AUTH."""
    with deps.store.read() as uow:
        client = clients.find(uow, request["ClientId"])
        pool = pools.get(uow, client.pool_id)
    secret = clients.secret_of(deps, client)
    if secret is not None:
        given = request.get("ClientSecret")
        if not given:
            raise NotAuthorizedException(f"Client {client.id} is configured with secret but ClientSecret was not "
                                         "received")
        if not hmac.compare_digest(secret.encode(), given.encode()):
            raise NotAuthorizedException(f"Unable to verify client secret for client {client.id}")
    if not rotates(client) and "ALLOW_REFRESH_TOKEN_AUTH" not in explicit_flows.allowed(client):
        raise InvalidParameterException(explicit_flows.REFRESH_NOT_ENABLED)
    result = _tokens(deps, pool, client, request["RefreshToken"], lambda user: None)
    return {"AuthenticationResult": result}
