"""Self-service sign-up (API reference: SignUp, ConfirmSignUp, ResendConfirmationCode).

ValidationData, ClientMetadata, AnalyticsMetadata and UserContextData are inputs of Lambda triggers,
Pinpoint analytics and threat protection: they are accepted and have no effect until those exist, as in a
Cognito pool that has none of them configured.
"""

from __future__ import annotations

from cognate.domain.userpool import signup
from cognate.wire.registry import Params, RequestContext, operation

IDP = "cognito-idp"


@operation(IDP, "SignUp")
def sign_up(ctx: RequestContext, p: Params) -> Params:
    return signup.sign_up(ctx.deps, p)


@operation(IDP, "ConfirmSignUp")
def confirm_sign_up(ctx: RequestContext, p: Params) -> Params:
    if p.get("Session"):
        from cognate.domain.errors import UnsupportedFeature

        raise UnsupportedFeature("ConfirmSignUp Session (sign-in after confirmation) yet")
    signup.confirm_sign_up(ctx.deps, p)
    return {}


@operation(IDP, "ResendConfirmationCode")
def resend_confirmation_code(ctx: RequestContext, p: Params) -> Params:
    return signup.resend_confirmation_code(ctx.deps, p)
