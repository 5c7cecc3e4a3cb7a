"""Self-service users (API reference: SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword,
ConfirmForgotPassword, GetUser, UpdateUserAttributes, DeleteUserAttributes, DeleteUser,
GetUserAttributeVerificationCode, VerifyUserAttribute, ChangePassword).

ValidationData, ClientMetadata, AnalyticsMetadata and UserContextData are inputs of Lambda triggers,
Pinpoint analytics and threat protection: they are accepted and have no effect until those exist, as in a
Cognito pool that has none of them configured.
"""

from __future__ import annotations

from cognate.domain.errors import UnsupportedFeature
from cognate.domain.userpool import profile, recovery, signup
from cognate.wire.registry import Params, RequestContext, operation

IDP = "cognito-idp"


@operation(IDP, "SignUp")
def sign_up(ctx: RequestContext, p: Params) -> Params:
    return signup.sign_up(ctx.deps, p)


@operation(IDP, "ConfirmSignUp")
def confirm_sign_up(ctx: RequestContext, p: Params) -> Params:
    if p.get("Session"):
        raise UnsupportedFeature("ConfirmSignUp Session (sign-in after confirmation) yet")
    signup.confirm_sign_up(ctx.deps, p)
    return {}


@operation(IDP, "ResendConfirmationCode")
def resend_confirmation_code(ctx: RequestContext, p: Params) -> Params:
    return signup.resend_confirmation_code(ctx.deps, p)


@operation(IDP, "ForgotPassword")
def forgot_password(ctx: RequestContext, p: Params) -> Params:
    return recovery.forgot_password(ctx.deps, p)


@operation(IDP, "ConfirmForgotPassword")
def confirm_forgot_password(ctx: RequestContext, p: Params) -> Params:
    recovery.confirm_forgot_password(ctx.deps, p)
    return {}


@operation(IDP, "GetUser", light=True)
def get_user(ctx: RequestContext, p: Params) -> Params:
    return profile.get_user(ctx.deps, p["AccessToken"])


@operation(IDP, "UpdateUserAttributes")
def update_user_attributes(ctx: RequestContext, p: Params) -> Params:
    return profile.update_attributes(ctx.deps, p)


@operation(IDP, "DeleteUserAttributes")
def delete_user_attributes(ctx: RequestContext, p: Params) -> Params:
    profile.delete_attributes(ctx.deps, p["AccessToken"], p["UserAttributeNames"])
    return {}


@operation(IDP, "DeleteUser")
def delete_user(ctx: RequestContext, p: Params) -> Params:
    profile.delete_user(ctx.deps, p["AccessToken"])
    return {}


@operation(IDP, "GetUserAttributeVerificationCode")
def get_user_attribute_verification_code(ctx: RequestContext, p: Params) -> Params:
    return profile.verification_code(ctx.deps, p["AccessToken"], p["AttributeName"])


@operation(IDP, "VerifyUserAttribute")
def verify_user_attribute(ctx: RequestContext, p: Params) -> Params:
    profile.verify_attribute(ctx.deps, p["AccessToken"], p["AttributeName"], p["Code"])
    return {}


@operation(IDP, "ChangePassword")
def change_password(ctx: RequestContext, p: Params) -> Params:
    profile.change_password(ctx.deps, p)
    return {}
