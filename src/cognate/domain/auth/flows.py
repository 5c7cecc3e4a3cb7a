"""The sign-in engine: InitiateAuth and AdminInitiateAuth flows, and the challenges that answer them
(API reference: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge, AdminRespondToAuthChallenge).

One engine for every door: the API handlers and, later, the hosted pages call ``initiate``/``respond``.
A step either returns tokens (``AuthenticationResult``) or the next challenge with a fresh ``Session``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cognate.domain.auth import challenges, password_flow, refresh, srp_flow
from cognate.domain.context import Deps
from cognate.domain.errors import InvalidParameterException, UnsupportedFeature
from cognate.domain.userpool import clients, pools
from cognate.domain.userpool.model import AppClient, UserPool

# What a client may do when ExplicitAuthFlows is absent (API reference, CreateUserPoolClient).
DEFAULT_FLOWS = {"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_SRP_AUTH"}
LEGACY_MAP = {"USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
              "CUSTOM_AUTH_FLOW_ONLY": "ALLOW_CUSTOM_AUTH"}
FLOW_PERMISSION = {"USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
                   "ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                   "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH", "USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH",
                   "REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH", "REFRESH_TOKEN": "ALLOW_REFRESH_TOKEN_AUTH",
                   "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH", "USER_AUTH": "ALLOW_USER_AUTH"}
PUBLIC_FLOWS = {"USER_PASSWORD_AUTH", "USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "CUSTOM_AUTH",
                "USER_AUTH"}
ADMIN_FLOWS = {"ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH", "USER_SRP_AUTH", "REFRESH_TOKEN_AUTH",
               "REFRESH_TOKEN", "CUSTOM_AUTH", "USER_AUTH"}


@dataclass(frozen=True)
class Door:
    """Who is calling: the public API, or an administrator (AdminInitiateAuth) naming the pool."""

    admin: bool
    pool_id: str | None = None


def allowed_flows(client: AppClient) -> set[str]:
    given = client.config.get("ExplicitAuthFlows")
    if not given:
        return set(DEFAULT_FLOWS)
    flows = {LEGACY_MAP.get(f, f) for f in given}
    if any(f in LEGACY_MAP for f in given):
        # Legacy clients always had SRP and refresh; CUSTOM_AUTH_FLOW_ONLY allowed nothing else.
        flows.add("ALLOW_REFRESH_TOKEN_AUTH")
        if "CUSTOM_AUTH_FLOW_ONLY" not in given:
            flows.add("ALLOW_USER_SRP_AUTH")
    return flows


def _client_and_pool(deps: Deps, client_id: str, door: Door) -> tuple[AppClient, UserPool]:
    with deps.store.read() as uow:
        if door.admin and door.pool_id is not None:
            client = clients.get(uow, door.pool_id, client_id)
        else:
            client = clients.find(uow, client_id)
        return client, pools.get(uow, client.pool_id)


def _check_flow(client: AppClient, flow: str, door: Door) -> None:
    if flow not in (ADMIN_FLOWS if door.admin else PUBLIC_FLOWS):
        raise InvalidParameterException("Initiate Auth method not supported.")
    if FLOW_PERMISSION[flow] not in allowed_flows(client):
        raise InvalidParameterException(f"{flow.replace('ADMIN_NO_SRP_AUTH', 'ADMIN_USER_PASSWORD_AUTH')} flow not "
                                        "enabled for this client" if "REFRESH" not in flow
                                        else "Refresh Token Flow not enabled for this client")


def initiate(deps: Deps, request: dict[str, Any], door: Door) -> dict[str, Any]:
    flow = request["AuthFlow"]
    params = dict(request.get("AuthParameters") or {})
    client, pool = _client_and_pool(deps, request["ClientId"], door)
    _check_flow(client, flow, door)
    if flow in ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"):
        return password_flow.sign_in(deps, pool, client, params)
    if flow == "USER_SRP_AUTH":
        return srp_flow.start(deps, pool, client, params)
    if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        return refresh.refresh(deps, pool, client, params.get("REFRESH_TOKEN"), params.get("SECRET_HASH"),
                               params.get("DEVICE_KEY"))
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
