"""The sign-in engine: InitiateAuth and AdminInitiateAuth flows, and the challenges that answer them
(API reference: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge, AdminRespondToAuthChallenge).

One engine for every door: the API handlers and, later, the hosted pages call ``initiate``/``respond``.
A step either returns tokens (``AuthenticationResult``, with empty ``ChallengeParameters``) or the next
challenge with a fresh ``Session``. ClientMetadata, AnalyticsMetadata, UserContextData and ContextData feed
Lambda triggers, Pinpoint and threat protection, none of which a Cognate pool has: they are accepted and
change nothing, as in a Cognito pool without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cognate.domain.auth import challenges, explicit_flows, password_flow, refresh, srp_flow
from cognate.domain.context import Deps
from cognate.domain.errors import UnsupportedFeature
from cognate.domain.tokens import keys
from cognate.domain.userpool import clients, pools
from cognate.domain.userpool.model import AppClient, UserPool

PASSWORD_FLOWS = ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")


@dataclass(frozen=True)
class Door:
    """Who is calling: the public API, or an administrator (AdminInitiateAuth) naming the pool."""

    admin: bool
    pool_id: str | None = None


def _client_and_pool(deps: Deps, client_id: str, door: Door) -> tuple[AppClient, UserPool]:
    """The client named; through the admin door it must belong to the pool named (ResourceNotFoundException
    otherwise, as for a client that does not exist)."""
    with deps.store.read() as uow:
        if door.admin and door.pool_id is not None:
            client = clients.get(uow, door.pool_id, client_id)
        else:
            client = clients.find(uow, client_id)
        pool = pools.get(uow, client.pool_id)
    # The pool's signing keys exist before any transaction that signs (keys.py, concurrency).
    keys.ensure(deps, pool.id)
    return client, pool


def initiate(deps: Deps, request: dict[str, Any], door: Door) -> dict[str, Any]:
    flow = request["AuthFlow"]
    params = dict(request.get("AuthParameters") or {})
    client, pool = _client_and_pool(deps, request["ClientId"], door)
    explicit_flows.check(client, flow, admin=door.admin)
    if flow in PASSWORD_FLOWS:
        return password_flow.sign_in(deps, pool, client, params)
    if flow == "USER_SRP_AUTH":
        return srp_flow.start(deps, pool, client, params)
    if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        return refresh.refresh(deps, pool, client, params.get("REFRESH_TOKEN"), params.get("SECRET_HASH"))
    if flow == "CUSTOM_AUTH":
        raise UnsupportedFeature("CUSTOM_AUTH (it needs the Lambda triggers) yet")
    raise UnsupportedFeature("USER_AUTH (choice-based sign-in) yet")


def respond(deps: Deps, request: dict[str, Any], door: Door) -> dict[str, Any]:
    client, pool = _client_and_pool(deps, request["ClientId"], door)
    answers = dict(request.get("ChallengeResponses") or {})
    name = request["ChallengeName"]
    if name == "PASSWORD_VERIFIER":
        return srp_flow.verify(deps, pool, client, request.get("Session"), answers)
    if name == "NEW_PASSWORD_REQUIRED":
        return challenges.new_password(deps, pool, client, request.get("Session"), answers)
    raise UnsupportedFeature(f"the {name} challenge yet")
