"""Claims of Cognito's ID and access tokens (shared/reference/tokens.md §2-3; Developer Guide, "Using the
ID token" and "Using the access token")."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from cognate.domain.auth.model import Group
from cognate.domain.userpool.model import AppClient, User, UserPool

ADMIN_SCOPE = "aws.cognito.signin.user.admin"


@dataclass(frozen=True)
class SignIn:
    """One authentication event: every token minted from it (and its refreshes) shares origin_jti."""

    auth_time: float
    origin_jti: str
    event_id: str
    scopes: str = ADMIN_SCOPE
    device_key: str | None = None

    @classmethod
    def new(cls, now: float, device_key: str | None = None, scopes: str = ADMIN_SCOPE) -> SignIn:
        return cls(now, str(uuid.uuid4()), str(uuid.uuid4()), scopes, device_key)


def issuer(public_url: str, pool_id: str) -> str:
    return f"{public_url}/{pool_id}"


def _typed(name: str, value: str) -> Any:
    """Attribute values as Cognito puts them in an ID token (Developer Guide, "Understanding the identity
    (ID) token"): custom attributes always as strings, whatever their type; the two verified flags as
    booleans; ``address`` as an object with ``formatted``; ``updated_at`` as a number."""
    if name.startswith("custom:"):
        return value
    if name in ("email_verified", "phone_number_verified"):
        return value.lower() == "true"
    if name == "address":
        return {"formatted": value}
    if name == "updated_at" and value.isdigit():
        return int(value)
    return value


def _rank(group: Group) -> tuple[bool, int, str]:
    """Lower precedence first; a group without precedence after every group with one (API reference,
    CreateGroup, Precedence: "Groups with lower Precedence values take precedence over groups with higher or
    null Precedence values")."""
    return group.precedence is None, group.precedence or 0, group.name


def preferred_role(groups: list[Group]) -> str | None:
    """The role of the top-precedence group among the user's groups that have a role (API reference,
    CreateGroup, Precedence; Developer Guide, "Adding groups to a user pool", "Assigning precedence values
    to groups").

    Groups of equal precedence do not outrank each other: when the top ones share one role ARN that role is
    preferred, when their roles differ there is none. Groups without precedence tie with each other, so
    they decide only when no group with a role has a precedence.
    """
    with_role = [g for g in groups if g.role_arn]
    if not with_role:
        return None
    top = min(with_role, key=_rank)
    roles = {g.role_arn for g in with_role if g.precedence == top.precedence}
    return top.role_arn if len(roles) == 1 else None


def group_claims(groups: list[Group]) -> dict[str, Any]:
    """cognito:groups, cognito:roles (JSON arrays, in precedence order) and cognito:preferred_role of an ID
    token; absent for a user in no group, cognito:roles absent when no group has a role."""
    if not groups:
        return {}
    ranked = sorted(groups, key=_rank)
    out: dict[str, Any] = {"cognito:groups": [g.name for g in ranked]}
    roles = list(dict.fromkeys(g.role_arn for g in ranked if g.role_arn))
    if roles:
        out["cognito:roles"] = roles
    preferred = preferred_role(ranked)
    if preferred is not None:
        out["cognito:preferred_role"] = preferred
    return out


def id_claims(pool: UserPool, client: AppClient, user: User, groups: list[Group], sign_in: SignIn,
              public_url: str, now: int, lifetime: int) -> dict[str, Any]:
    readable = client.config.get("ReadAttributes")
    attributes = {k: v for k, v in user.attributes.items() if readable is None or k in readable}
    claims: dict[str, Any] = {"sub": user.sub}
    claims.update({k: _typed(k, v) for k, v in attributes.items() if not k.startswith("dev:")})
    if "identities" in claims:
        claims["identities"] = json.loads(user.attributes["identities"])
    claims.update(group_claims(groups))
    claims.update({"iss": issuer(public_url, pool.id), "cognito:username": user.username, "aud": client.id,
                   "token_use": "id", "auth_time": int(sign_in.auth_time), "iat": now, "exp": now + lifetime})
    return _identifiers(claims, client, sign_in)


def access_claims(pool: UserPool, client: AppClient, user: User, groups: list[Group], sign_in: SignIn,
                  public_url: str, now: int, lifetime: int) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": user.sub}
    if groups:
        claims["cognito:groups"] = [g.name for g in groups]
    if sign_in.device_key:
        claims["device_key"] = sign_in.device_key
    claims.update({"iss": issuer(public_url, pool.id), "client_id": client.id, "token_use": "access",
                   "scope": sign_in.scopes, "auth_time": int(sign_in.auth_time), "iat": now, "exp": now + lifetime,
                   "username": user.username})
    return _identifiers(claims, client, sign_in)


def _identifiers(claims: dict[str, Any], client: AppClient, sign_in: SignIn) -> dict[str, Any]:
    """jti and origin_jti exist only when the client allows revocation (EnableTokenRevocation)."""
    claims["event_id"] = sign_in.event_id
    if client.config.get("EnableTokenRevocation", True):
        claims["origin_jti"] = sign_in.origin_jti
        claims["jti"] = str(uuid.uuid4())
    return claims
