"""Ending sessions: GlobalSignOut, AdminUserGlobalSignOut and RevokeToken (API reference of each; Developer
Guide, "Revoking tokens").

A sign-in is one ``origin_jti``: its refresh token and every ID and access token minted from it or its
refreshes carry it. Revoking the origin kills them all at once for Cognito's own APIs (``verify.py`` refuses
"Access Token has been revoked", the refresh flow "Refresh Token has been revoked"); JWT-only verifiers still
accept the access tokens until they expire, as with AWS.
"""

from __future__ import annotations

import hmac
from typing import Any

from cognate.domain.context import Deps
from cognate.domain.errors import UnauthorizedException, UnsupportedOperationException, UnsupportedTokenTypeException
from cognate.domain.tokens import issue, keys
from cognate.domain.userpool import clients, pools, profile, users
from cognate.domain.userpool.model import AppClient, User
from cognate.store.ports import UnitOfWork


def sign_out(deps: Deps, uow: UnitOfWork, user: User) -> None:
    """Every refresh token of the user revoked, and every access token issued so far refused: by origin for
    tokens that carry one, by the user's tokens_valid_after for those that do not (EnableTokenRevocation off)."""
    assert user.id is not None
    now = deps.clock.now()
    # Access tokens live at most a day, so that is how long a revoked origin must be remembered.
    until = now + keys.MAX_TOKEN_LIFETIME
    for origin in dict.fromkeys(uow.refresh_tokens.revoke_for_user(user.id, now)):
        uow.refresh_tokens.revoke_origin(origin, user.pool_id, now, until)
    security = uow.security.get(user.id)
    security.tokens_valid_after = now
    uow.security.put(security)


def global_sign_out(deps: Deps, access_token: str) -> None:
    """GlobalSignOut: the token's own user, signed out everywhere (the token itself included)."""
    with deps.store.write() as uow:
        sign_out(deps, uow, profile.caller_of(deps, uow, access_token).user)


def admin_global_sign_out(deps: Deps, pool_id: str, username: str) -> None:
    """AdminUserGlobalSignOut: the user named by user name, alias or sub (UserNotFoundException otherwise)."""
    with deps.store.write() as uow:
        pool = pools.get(uow, pool_id)
        sign_out(deps, uow, users.require(uow, pool, username))


def _authenticate_client(deps: Deps, uow: UnitOfWork, client_id: str, given: str | None) -> AppClient:
    """RevokeToken names its client and, for a client with a secret, sends the secret itself; a failure is
    the OAuth ``invalid_client`` of the revocation endpoint, UnauthorizedException on this API."""
    client = uow.clients.get(client_id)
    if client is None:
        raise UnauthorizedException(f"Invalid client id {client_id}.")
    secret = clients.secret_of(deps, client)
    if secret is not None:
        if not given:
            raise UnauthorizedException(f"Client {client.id} is configured with secret but ClientSecret was not "
                                        "received")
        if not hmac.compare_digest(secret.encode(), given.encode()):
            raise UnauthorizedException(f"Invalid client secret for client {client.id}.")
    return client


def _is_jwt(token: str) -> bool:
    """Refresh tokens are opaque handles without dots; ID and access tokens are three-part JWTs."""
    return token.count(".") == 2


def revoke_token(deps: Deps, request: dict[str, Any]) -> None:
    """RevokeToken: one refresh token and every access and ID token minted from its sign-in.

    Order of checks: the client (and its secret), then EnableTokenRevocation (UnsupportedOperationException),
    then the token's type (only refresh tokens are revoked: UnsupportedTokenTypeException). A token this
    server does not know is accepted without effect (RFC 7009 §2.2, which the revocation endpoint follows); a
    token issued to another client is refused (RFC 7009 §2.1). RevokeAssociatedSessions=LINKED also ends the
    parent SSO session, which "has no effect when session tracking is disabled": Cognate has none yet.
    """
    token = request["Token"]
    with deps.store.write() as uow:
        client = _authenticate_client(deps, uow, request["ClientId"], request.get("ClientSecret"))
        if not client.config.get("EnableTokenRevocation", True):
            raise UnsupportedOperationException("Token revocation is not enabled for this app client.")
        if _is_jwt(token):
            raise UnsupportedTokenTypeException("Unsupported token type: only refresh tokens can be revoked.")
        stored = uow.refresh_tokens.get(issue.digest(token))
        if stored is None:
            return
        if stored.client_id != client.id:
            raise UnauthorizedException(f"The refresh token was not issued to client {client.id}.")
        now = deps.clock.now()
        uow.refresh_tokens.revoke_origin(stored.origin_jti, stored.pool_id, now, now + keys.MAX_TOKEN_LIFETIME)
