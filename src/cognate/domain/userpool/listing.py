"""ListUsers with AWS's whole filter grammar (quotas.md §3; API reference, ListUsers).

``Filter`` is empty or ``attribute = "value"`` / ``attribute ^= "value"`` on one searchable attribute.
Every filter maps to one indexed column, so each page is one index range scan, never a table scan.
"""

from __future__ import annotations

import re
from typing import Any

from cognate.domain import pagination
from cognate.domain.context import Deps
from cognate.domain.errors import InvalidParameterException
from cognate.domain.userpool import pools, users
from cognate.domain.userpool.model import UserPool, UserStatus

_FILTER = re.compile(r'^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$')
SEARCHABLE = ("username", "email", "phone_number", "name", "given_name", "family_name", "preferred_username",
              "cognito:user_status", "status", "sub")


def parse_filter(pool: UserPool, text: str) -> tuple[str | None, str, object]:
    """(field, operator, value) for the store; (None, "=", "") for no filter."""
    if not text.strip():
        return None, "=", ""
    match = _FILTER.match(text)
    if match is None:
        raise InvalidParameterException("Error while parsing filter.")
    attribute, op, raw = match.groups()
    value = re.sub(r"\\(.)", r"\1", raw)
    if attribute not in SEARCHABLE:
        raise InvalidParameterException(f"Invalid search attribute: {attribute}")
    if attribute == "username":
        return "username", op, users.username_key(pool, value)
    if attribute == "sub":
        return "sub", op, value.lower()
    if attribute == "cognito:user_status":
        return _status_filter(op, value)
    if attribute == "status":
        return _enabled_filter(op, value)
    return attribute, op, value.lower()


def _status_filter(op: str, value: str) -> tuple[str, str, object]:
    """``cognito:user_status`` ignores case; ``^=`` on this closed set of values is the set of statuses it
    starts (``"UN"``: UNCONFIRMED and UNKNOWN), searched as one ``in`` on the status index."""
    wanted = value.upper()
    if op == "=":
        return "status", "=", wanted
    return "status", "in", tuple(s.value for s in UserStatus if s.value.startswith(wanted))


def _enabled_filter(op: str, value: str) -> tuple[str, str, object]:
    states = {"Enabled": True, "Disabled": False}
    matches = [flag for name, flag in states.items() if (name == value if op == "=" else name.startswith(value))]
    if len(matches) != 1:
        raise InvalidParameterException("status can only be Enabled or Disabled.")
    return "enabled", "=", matches[0]


def list_users(deps: Deps, request: dict[str, Any]) -> dict[str, Any]:
    limit = request.get("Limit", 60) or 60
    names = request.get("AttributesToGet")
    token = request.get("PaginationToken")
    with deps.store.read() as uow:
        pool = pools.get(uow, request["UserPoolId"])
        if names is not None:
            _check_attribute_names(pool, names)
        field, op, value = parse_filter(pool, request.get("Filter", ""))
        after = tuple(pagination.decode(token, f"users:{field}:{op}:{value}")) if token else None
        rows = uow.users.search(pool.id, field, op, value, after, limit + 1)
    page = rows[:limit]
    out: dict[str, Any] = {"Users": [users.describe(user, names) for user, _ in page]}
    if len(rows) > limit:
        out["PaginationToken"] = pagination.encode(list(page[-1][1]), f"users:{field}:{op}:{value}")
    return out


def _check_attribute_names(pool: UserPool, names: list[str]) -> None:
    known = {entry["Name"] for entry in pool.config["SchemaAttributes"]}
    for name in names:
        if name not in known:
            raise InvalidParameterException(f"One or more requested attributes do not exist: {name}")
