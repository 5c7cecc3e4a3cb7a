"""Entities of the user-pool directory: plain dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class UserStatus(StrEnum):
    """UserStatusType of the cognito-idp model."""

    UNCONFIRMED = "UNCONFIRMED"
    CONFIRMED = "CONFIRMED"
    ARCHIVED = "ARCHIVED"
    COMPROMISED = "COMPROMISED"
    UNKNOWN = "UNKNOWN"
    RESET_REQUIRED = "RESET_REQUIRED"
    FORCE_CHANGE_PASSWORD = "FORCE_CHANGE_PASSWORD"
    EXTERNAL_PROVIDER = "EXTERNAL_PROVIDER"


class CodePurpose(StrEnum):
    SIGN_UP = "sign_up"
    VERIFY_EMAIL = "verify:email"
    VERIFY_PHONE = "verify:phone_number"
    FORGOT_PASSWORD = "forgot_password"


@dataclass
class UserPool:
    id: str
    name: str
    created: float
    modified: float
    config: dict[str, Any]
    user_count: int = 0

    @property
    def region(self) -> str:
        return self.id.split("_", 1)[0]


@dataclass
class AppClient:
    id: str
    pool_id: str
    name: str
    created: float
    modified: float
    config: dict[str, Any]
    secret: str | None = None


@dataclass
class User:
    pool_id: str
    username: str
    username_key: str
    sub: str
    status: UserStatus
    enabled: bool
    created: float
    modified: float
    attributes: dict[str, str] = field(default_factory=dict)
    password_hash: str | None = None
    password_set_at: float | None = None
    id: int | None = None


@dataclass
class Code:
    id: int
    user_id: int
    purpose: str
    code_hash: str
    created: float
    expires: float
    attempts: int


@dataclass
class OutboxMessage:
    channel: str
    destination: str
    subject: str | None
    body: str
    purpose: str
    created: float = 0.0
    id: int | None = None
    # The pool's EmailConfiguration.From / ReplyToEmailAddress; None: the server's COGNATE_EMAIL_FROM.
    sender: str | None = None
    reply_to: str | None = None


@dataclass
class ImportJob:
    id: str
    pool_id: str
    name: str
    status: str
    created: float
    role_arn: str
    upload_token: str
    upload_expires: float
    hashing_algorithm: str | None = None
    started: float | None = None
    completed: float | None = None
    imported: int = 0
    skipped: int = 0
    failed: int = 0
    message: str | None = None
