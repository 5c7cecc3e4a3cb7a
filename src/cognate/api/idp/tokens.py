"""Ending sessions and refreshing them (API reference: GlobalSignOut, AdminUserGlobalSignOut, RevokeToken,
GetTokensFromRefreshToken). ClientMetadata of GetTokensFromRefreshToken feeds Lambda triggers: accepted,
without effect until those exist."""

from __future__ import annotations

from cognate.domain.auth import refresh
from cognate.domain.tokens import revocation
from cognate.wire.registry import Params, RequestContext, operation

IDP = "cognito-idp"


@operation(IDP, "GlobalSignOut")
def global_sign_out(ctx: RequestContext, p: Params) -> Params:
    revocation.global_sign_out(ctx.deps, p["AccessToken"])
    return {}


@operation(IDP, "AdminUserGlobalSignOut")
def admin_user_global_sign_out(ctx: RequestContext, p: Params) -> Params:
    revocation.admin_global_sign_out(ctx.deps, p["UserPoolId"], p["Username"])
    return {}


@operation(IDP, "RevokeToken")
def revoke_token(ctx: RequestContext, p: Params) -> Params:
    revocation.revoke_token(ctx.deps, p)
    return {}


@operation(IDP, "GetTokensFromRefreshToken")
def get_tokens_from_refresh_token(ctx: RequestContext, p: Params) -> Params:
    return refresh.get_tokens(ctx.deps, p)
