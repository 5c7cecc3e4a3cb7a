"""User pool groups (API reference: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup,
AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup)."""

from __future__ import annotations

from cognate.domain.userpool import groups
from cognate.wire.registry import Params, RequestContext, operation

IDP = "cognito-idp"


@operation(IDP, "CreateGroup")
def create_group(ctx: RequestContext, p: Params) -> Params:
    return groups.create(ctx.deps, p)


@operation(IDP, "GetGroup", light=True)
def get_group(ctx: RequestContext, p: Params) -> Params:
    return groups.get(ctx.deps, p["UserPoolId"], p["GroupName"])


@operation(IDP, "ListGroups", light=True)
def list_groups(ctx: RequestContext, p: Params) -> Params:
    return groups.list_groups(ctx.deps, p)


@operation(IDP, "UpdateGroup")
def update_group(ctx: RequestContext, p: Params) -> Params:
    return groups.update(ctx.deps, p)


@operation(IDP, "DeleteGroup")
def delete_group(ctx: RequestContext, p: Params) -> Params:
    groups.delete(ctx.deps, p["UserPoolId"], p["GroupName"])
    return {}


@operation(IDP, "AdminAddUserToGroup")
def admin_add_user_to_group(ctx: RequestContext, p: Params) -> Params:
    groups.add_user(ctx.deps, p["UserPoolId"], p["Username"], p["GroupName"])
    return {}


@operation(IDP, "AdminRemoveUserFromGroup")
def admin_remove_user_from_group(ctx: RequestContext, p: Params) -> Params:
    groups.remove_user(ctx.deps, p["UserPoolId"], p["Username"], p["GroupName"])
    return {}


@operation(IDP, "AdminListGroupsForUser", light=True)
def admin_list_groups_for_user(ctx: RequestContext, p: Params) -> Params:
    return groups.groups_for_user(ctx.deps, p)


@operation(IDP, "ListUsersInGroup", light=True)
def list_users_in_group(ctx: RequestContext, p: Params) -> Params:
    return groups.users_in_group(ctx.deps, p)
