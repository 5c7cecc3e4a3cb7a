"""Sign-in (API reference: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge,
AdminRespondToAuthChallenge). ClientMetadata, AnalyticsMetadata, UserContextData and ContextData feed
Lambda triggers, Pinpoint and threat protection: accepted, without effect until those exist."""

from __future__ import annotations

from cognate.domain.auth import flows
from cognate.wire.registry import Params, RequestContext, operation

IDP = "cognito-idp"


@operation(IDP, "InitiateAuth")
def initiate_auth(ctx: RequestContext, p: Params) -> Params:
    return flows.initiate(ctx.deps, p, flows.Door(admin=False))


@operation(IDP, "AdminInitiateAuth")
def admin_initiate_auth(ctx: RequestContext, p: Params) -> Params:
    return flows.initiate(ctx.deps, p, flows.Door(admin=True, pool_id=p["UserPoolId"]))


@operation(IDP, "RespondToAuthChallenge")
def respond_to_auth_challenge(ctx: RequestContext, p: Params) -> Params:
    return flows.respond(ctx.deps, p, flows.Door(admin=False))


@operation(IDP, "AdminRespondToAuthChallenge")
def admin_respond_to_auth_challenge(ctx: RequestContext, p: Params) -> Params:
    return flows.respond(ctx.deps, p, flows.Door(admin=True, pool_id=p["UserPoolId"]))
