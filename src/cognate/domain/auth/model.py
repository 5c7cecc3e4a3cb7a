"""Entities of sign-in: signing keys, refresh tokens, challenge sessions, per-user security state, groups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class SigningKey:
    kid: str
    pool_id: str
    purpose: str  # "id" or "access": Cognito signs the two token kinds with different keys
    private_key: str  # sealed PEM
    public_jwk: dict[str, Any]
    created: float
    retired: float | None = None


@dataclass
class RefreshToken:
    id: str  # digest of the token handed out; the token itself is never stored
    pool_id: str
    client_id: str
    user_id: int
    origin_jti: str
    auth_time: float
    created: float
    expires: float
    revoked: float | None = None
    replaced_by: str | None = None
    device_key: str | None = None
    scopes: str | None = None


@dataclass
class AuthSession:
    id: str  # digest of the opaque Session string
    pool_id: str
    client_id: str
    username: str | None
    challenge: str
    state: dict[str, Any]
    created: float
    expires: float


@dataclass
class UserSecurity:
    user_id: int
    srp: str | None = None  # sealed {"salt": hex, "verifier": hex}
    tokens_valid_after: float | None = None
    failed_sign_ins: int = 0
    locked_until: float | None = None


@dataclass
class Group:
    pool_id: str
    name: str
    created: float
    modified: float
    description: str | None = None
    role_arn: str | None = None
    precedence: int | None = None
