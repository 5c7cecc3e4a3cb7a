"""REFRESH_TOKEN_AUTH / REFRESH_TOKEN and GetTokensFromRefreshToken: new ID and access tokens from a refresh
token, with the client's optional rotation (API reference: InitiateAuth, GetTokensFromRefreshToken,
RefreshTokenRotationType)."""

from __future__ import annotations

import hmac
import uuid
from typing import Any

from cognate.domain.auth import challenges
from cognate.domain.auth.model import RefreshToken
from cognate.domain.context import Deps
from cognate.domain.errors import InvalidParameterException, NotAuthorizedException, RefreshTokenReuseException
from cognate.domain.tokens import issue
from cognate.domain.tokens.claims import SignIn
from cognate.domain.userpool import clients, pools
from cognate.domain.userpool.model import AppClient, User, UserPool
from cognate.store.ports import UnitOfWork

INVALID = "Invalid Refresh Token"


def _live(deps: Deps, uow: UnitOfWork, client: AppClient, token: str) -> tuple[RefreshToken, User]:
    stored = uow.refresh_tokens.get(issue.digest(token))
    if stored is None or stored.client_id != client.id:
        raise NotAuthorizedException(INVALID)
    now = deps.clock.now()
    if stored.replaced_by is not None and stored.revoked is not None and now >= stored.revoked:
        raise RefreshTokenReuseException()
    # A rotated token still in its grace period dies with its sign-in too (RevokeToken, GlobalSignOut).
    if (stored.revoked is not None and stored.replaced_by is None) or uow.refresh_tokens.origin_revoked(
            stored.origin_jti):
        raise NotAuthorizedException("Refresh Token has been revoked")
    if now >= stored.expires:
        raise NotAuthorizedException("Refresh Token has expired")
    user = uow.users.get_by_id(stored.user_id)
    if user is None:
        raise NotAuthorizedException(INVALID)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return stored, user


def refresh(deps: Deps, pool: UserPool, client: AppClient, token: str | None, secret_hash: str | None,
            device_key: str | None, *, secret_checked: bool = False) -> dict[str, Any]:
    """``secret_checked``: the caller already proved the client secret itself (GetTokensFromRefreshToken sends
    ClientSecret, not SECRET_HASH)."""
    if not token:
        raise challenges.missing("REFRESH_TOKEN")
    with deps.store.write() as uow:
        stored, user = _live(deps, uow, client, token)
        if not secret_checked:
            # SECRET_HASH of a refresh is computed with the internal user name (tokens.md §4).
            clients.check_secret_hash(deps, client, user.username, secret_hash)
        sign_in = SignIn(stored.auth_time, stored.origin_jti, str(uuid.uuid4()),
                         stored.scopes or "aws.cognito.signin.user.admin", stored.device_key or device_key)
        rotation = client.config.get("RefreshTokenRotation") or {}
        new_token = None
        if rotation.get("Feature") == "ENABLED":
            if stored.replaced_by is not None:
                raise RefreshTokenReuseException()
            new_token = issue.new_refresh_token(deps, uow, pool, client, user, sign_in)
            stored.replaced_by = issue.digest(new_token)
            stored.revoked = deps.clock.now() + float(rotation.get("RetryGracePeriodSeconds", 0))
            uow.refresh_tokens.update(stored)
        result = issue.authentication_result(deps, uow, pool, client, user, sign_in, refresh_token=new_token,
                                             with_refresh=False)
    return {"ChallengeParameters": {}, "AuthenticationResult": result}


def get_tokens(deps: Deps, request: dict[str, Any]) -> dict[str, Any]:
    """GetTokensFromRefreshToken: REFRESH_TOKEN_AUTH by another door. A client with a secret proves it with
    ClientSecret itself; the client must allow ALLOW_REFRESH_TOKEN_AUTH as for InitiateAuth."""
    from cognate.domain.auth import flows  # flows imports this module

    with deps.store.read() as uow:
        client = clients.find(uow, request["ClientId"])
        pool = pools.get(uow, client.pool_id)
    if "ALLOW_REFRESH_TOKEN_AUTH" not in flows.allowed_flows(client):
        raise InvalidParameterException("Refresh Token Flow not enabled for this client")
    secret = clients.secret_of(deps, client)
    if secret is not None:
        given = request.get("ClientSecret")
        if not given:
            raise NotAuthorizedException(f"Client {client.id} is configured with secret but ClientSecret was not "
                                         "received")
        if not hmac.compare_digest(secret.encode(), given.encode()):
            raise NotAuthorizedException(f"Unable to verify client secret for client {client.id}")
    out = refresh(deps, pool, client, request["RefreshToken"], None, request.get("DeviceKey"), secret_checked=True)
    return {"AuthenticationResult": out["AuthenticationResult"]}
