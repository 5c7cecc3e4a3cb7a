"""Small builders for the objects most tests need. Names are unique, so tests can share a server."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

# For clients that sign in with a password directly (pass as ExplicitAuthFlows=...). Without it a
# client gets AWS's default: ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_CUSTOM_AUTH.
PASSWORD_AUTH_FLOWS = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]


def unique_name(prefix: str = "test") -> str:
    """`<prefix>-<8 hex chars>`."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def unique_email() -> str:
    """`user-<8 hex chars>@example.test`."""
    return f"{unique_name('user')}@example.test"


def strong_password() -> str:
    """A random password meeting Cognito's default policy: 8+ chars, upper, lower, digit, symbol."""
    return f"Pw{secrets.token_hex(6)}!A9a"


def create_pool(idp: Any, **overrides: Any) -> dict[str, Any]:
    """`CreateUserPool` with a unique PoolName; keyword arguments go to the call as they are.

    Returns the `UserPool` description."""
    params: dict[str, Any] = {"PoolName": unique_name("pool")}
    params.update(overrides)
    pool: dict[str, Any] = idp.create_user_pool(**params)["UserPool"]
    return pool


def create_client(idp: Any, pool_id: str, **overrides: Any) -> dict[str, Any]:
    """`CreateUserPoolClient` with a unique ClientName; keyword arguments go to the call as they are.

    Returns the `UserPoolClient` description (with `ClientSecret` when GenerateSecret=True)."""
    params: dict[str, Any] = {"UserPoolId": pool_id, "ClientName": unique_name("client")}
    params.update(overrides)
    client: dict[str, Any] = idp.create_user_pool_client(**params)["UserPoolClient"]
    return client
