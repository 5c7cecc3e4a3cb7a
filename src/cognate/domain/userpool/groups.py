"""User pool groups and their members (API reference: CreateGroup, GetGroup, ListGroups, UpdateGroup,
DeleteGroup, AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup;
Developer Guide, "Adding groups to a user pool").

Group names are exact (case-sensitive) keys within a pool. Quotas (Developer Guide, "Quotas in Amazon
Cognito"): 10,000 groups per pool, 100 groups per user. What a membership puts in tokens is decided by
``tokens.claims.group_claims``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cognate.domain import pagination
from cognate.domain.auth.model import Group
from cognate.domain.context import Deps
from cognate.domain.errors import (
    ClientError,
    GroupExistsException,
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from cognate.domain.userpool import pools, users
from cognate.domain.userpool.model import User, UserPool
from cognate.store.ports import UnitOfWork

MAX_GROUPS_PER_POOL = 10_000
MAX_GROUPS_PER_USER = 100
# "The maximum Precedence value is 2^31-1" (API reference, CreateGroup); the model only states the minimum.
MAX_PRECEDENCE = 2**31 - 1
# A Limit of 0 or none lists a full page, as ListUsers does.
PAGE_SIZE = 60


def group_not_found() -> ClientError:
    return ResourceNotFoundException("Group not found.")


def describe(group: Group) -> dict[str, Any]:
    """GroupType; members that were never set are left out, as AWS leaves them out."""
    out: dict[str, Any] = {"GroupName": group.name, "UserPoolId": group.pool_id}
    for key, value in (("Description", group.description), ("RoleArn", group.role_arn),
                       ("Precedence", group.precedence)):
        if value is not None:
            out[key] = value
    out.update({"LastModifiedDate": group.modified, "CreationDate": group.created})
    return out


def _check_precedence(request: dict[str, Any]) -> None:
    """Precedence beyond a 32-bit integer, refused the way AWS's validation words a range violation."""
    value = request.get("Precedence")
    if value is not None and value > MAX_PRECEDENCE:
        raise InvalidParameterException(
            f"1 validation error detected: Value '{value}' at 'precedence' failed to satisfy constraint: "
            f"Member must have value less than or equal to {MAX_PRECEDENCE}")


def require(uow: UnitOfWork, pool_id: str, name: str, *, for_update: bool = False) -> Group:
    group = uow.groups.get(pool_id, name, for_update=for_update)
    if group is None:
        raise group_not_found()
    return group


def _limit(request: dict[str, Any]) -> int:
    return int(request.get("Limit") or PAGE_SIZE)


def create(deps: Deps, request: dict[str, Any]) -> dict[str, Any]:
    """CreateGroup. The pool row is locked so that two creations of one name, or of the pool's last free
    slot, cannot both succeed."""
    _check_precedence(request)
    now = deps.clock.now()
    with deps.store.write() as uow:
        pool = pools.get(uow, request["UserPoolId"], for_update=True)
        name = request["GroupName"]
        if uow.groups.get(pool.id, name) is not None:
            raise GroupExistsException(f"A group with the name {name} already exists.")
        if uow.groups.count(pool.id) >= MAX_GROUPS_PER_POOL:
            raise LimitExceededException(f"A user pool can have at most {MAX_GROUPS_PER_POOL} groups.")
        group = Group(pool_id=pool.id, name=name, created=now, modified=now,
                      description=request.get("Description"), role_arn=request.get("RoleArn"),
                      precedence=request.get("Precedence"))
        uow.groups.add(group)
    return {"Group": describe(group)}


def get(deps: Deps, pool_id: str, name: str) -> dict[str, Any]:
    """GetGroup."""
    with deps.store.read() as uow:
        pool = pools.get(uow, pool_id)
        return {"Group": describe(require(uow, pool.id, name))}


def list_groups(deps: Deps, request: dict[str, Any]) -> dict[str, Any]:
    """ListGroups: the pool's groups by name, ``Limit`` at a time."""
    limit = _limit(request)
    with deps.store.read() as uow:
        pool = pools.get(uow, request["UserPoolId"])
        listing = f"groups:{pool.id}"
        after = _position(request, listing, str)
        found = uow.groups.page(pool.id, after, limit + 1)
    return _page("Groups", [describe(g) for g in found], limit, listing, lambda i: found[i].name)


def update(deps: Deps, request: dict[str, Any]) -> dict[str, Any]:
    """UpdateGroup "updates any of the properties for precedence, IAM role, or description" (API reference,
    UpdateGroup): those the request names change, those it leaves out keep their values."""
    _check_precedence(request)
    with deps.store.write() as uow:
        pool = pools.get(uow, request["UserPoolId"])
        group = require(uow, pool.id, request["GroupName"], for_update=True)
        if "Description" in request:
            group.description = request["Description"]
        if "RoleArn" in request:
            group.role_arn = request["RoleArn"]
        if "Precedence" in request:
            group.precedence = request["Precedence"]
        group.modified = deps.clock.now()
        uow.groups.update(group)
    return {"Group": describe(group)}


def delete(deps: Deps, pool_id: str, name: str) -> None:
    """DeleteGroup: the group and its memberships. A group with members may be deleted: it then "no longer
    contributes to users' cognito:preferred_group or cognito:groups claims" (API reference, DeleteGroup)."""
    with deps.store.write() as uow:
        pool = pools.get(uow, pool_id)
        require(uow, pool.id, name, for_update=True)
        uow.groups.delete(pool.id, name)


def _member(uow: UnitOfWork, pool_id: str, username: str, name: str) -> tuple[UserPool, Group, User]:
    """The pool, the group (row locked against a concurrent DeleteGroup) and the user a request names."""
    pool = pools.get(uow, pool_id)
    group = require(uow, pool.id, name, for_update=True)
    return pool, group, users.require(uow, pool, username)


def add_user(deps: Deps, pool_id: str, username: str, name: str) -> None:
    """AdminAddUserToGroup. Adding a member again changes nothing; a 101st group is refused."""
    with deps.store.write() as uow:
        pool, group, user = _member(uow, pool_id, username, name)
        assert user.id is not None
        if uow.groups.count_of_user(user.id) >= MAX_GROUPS_PER_USER and \
                group.name not in {g.name for g in uow.groups.of_user(user.id)}:
            raise LimitExceededException(f"A user can be a member of at most {MAX_GROUPS_PER_USER} groups.")
        uow.groups.add_member(pool.id, group.name, user.id)


def remove_user(deps: Deps, pool_id: str, username: str, name: str) -> None:
    """AdminRemoveUserFromGroup. Removing a user who is not a member changes nothing."""
    with deps.store.write() as uow:
        pool, group, user = _member(uow, pool_id, username, name)
        assert user.id is not None
        uow.groups.remove_member(pool.id, group.name, user.id)


def groups_for_user(deps: Deps, request: dict[str, Any]) -> dict[str, Any]:
    """AdminListGroupsForUser: the user's groups by name, ``Limit`` at a time."""
    limit = _limit(request)
    with deps.store.read() as uow:
        pool = pools.get(uow, request["UserPoolId"])
        user = users.require(uow, pool, request["Username"])
        assert user.id is not None
        listing = f"user-groups:{pool.id}:{user.sub}"
        after = _position(request, listing, str)
        found = uow.groups.page_of_user(user.id, after, limit + 1)
    return _page("Groups", [describe(g) for g in found], limit, listing, lambda i: found[i].name)


def users_in_group(deps: Deps, request: dict[str, Any]) -> dict[str, Any]:
    """ListUsersInGroup: members as UserType entries (the shape ListUsers gives), ``Limit`` at a time."""
    limit = _limit(request)
    with deps.store.read() as uow:
        pool = pools.get(uow, request["UserPoolId"])
        group = require(uow, pool.id, request["GroupName"])
        listing = f"group-users:{pool.id}:{group.name}"
        after = _position(request, listing, int)
        found = uow.groups.members(pool.id, group.name, after, limit + 1)
    return _page("Users", [users.describe(u) for u in found], limit, listing, lambda i: found[i].id)


def _position(request: dict[str, Any], listing: str, kind: type) -> Any:
    """The last key of the previous page, from a NextToken of this very listing."""
    token = request.get("NextToken")
    if token is None:
        return None
    position = pagination.decode(token, listing)
    if not isinstance(position, kind) or isinstance(position, bool):
        raise InvalidParameterException("Invalid pagination token.")
    return position


def _page(key: str, items: list[dict[str, Any]], limit: int, listing: str,
          position: Callable[[int], object]) -> dict[str, Any]:
    """A page of ``limit`` items, with a NextToken only when more follow (``items`` holds one extra)."""
    out: dict[str, Any] = {key: items[:limit]}
    if len(items) > limit:
        out["NextToken"] = pagination.encode(position(limit - 1), listing)
    return out
