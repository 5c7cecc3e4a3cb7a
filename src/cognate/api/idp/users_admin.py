"""User administration (API reference: AdminCreateUser, AdminGetUser, AdminUpdateUserAttributes,
AdminDeleteUserAttributes, AdminDeleteUser, AdminDisableUser, AdminEnableUser, AdminConfirmSignUp,
AdminSetUserPassword, AdminResetUserPassword, ListUsers)."""

from __future__ import annotations

from cognate.domain.userpool import admin_users, listing
from cognate.wire.registry import Params, RequestContext, operation

IDP = "cognito-idp"


@operation(IDP, "AdminCreateUser")
def admin_create_user(ctx: RequestContext, p: Params) -> Params:
    return admin_users.create_user(ctx.deps, p)


@operation(IDP, "AdminGetUser", light=True)
def admin_get_user(ctx: RequestContext, p: Params) -> Params:
    return admin_users.get_user(ctx.deps, p["UserPoolId"], p["Username"])


@operation(IDP, "AdminUpdateUserAttributes")
def admin_update_user_attributes(ctx: RequestContext, p: Params) -> Params:
    admin_users.update_attributes(ctx.deps, p)
    return {}


@operation(IDP, "AdminDeleteUserAttributes")
def admin_delete_user_attributes(ctx: RequestContext, p: Params) -> Params:
    admin_users.delete_attributes(ctx.deps, p)
    return {}


@operation(IDP, "AdminDeleteUser")
def admin_delete_user(ctx: RequestContext, p: Params) -> Params:
    admin_users.delete_user(ctx.deps, p["UserPoolId"], p["Username"])
    return {}


@operation(IDP, "AdminDisableUser")
def admin_disable_user(ctx: RequestContext, p: Params) -> Params:
    admin_users.set_enabled(ctx.deps, p["UserPoolId"], p["Username"], False)
    return {}


@operation(IDP, "AdminEnableUser")
def admin_enable_user(ctx: RequestContext, p: Params) -> Params:
    admin_users.set_enabled(ctx.deps, p["UserPoolId"], p["Username"], True)
    return {}


@operation(IDP, "AdminConfirmSignUp")
def admin_confirm_sign_up(ctx: RequestContext, p: Params) -> Params:
    admin_users.confirm_sign_up(ctx.deps, p["UserPoolId"], p["Username"])
    return {}


@operation(IDP, "AdminSetUserPassword")
def admin_set_user_password(ctx: RequestContext, p: Params) -> Params:
    admin_users.set_password(ctx.deps, p)
    return {}


@operation(IDP, "AdminResetUserPassword")
def admin_reset_user_password(ctx: RequestContext, p: Params) -> Params:
    admin_users.reset_password(ctx.deps, p["UserPoolId"], p["Username"])
    return {}


@operation(IDP, "ListUsers", light=True)
def list_users(ctx: RequestContext, p: Params) -> Params:
    return listing.list_users(ctx.deps, p)
