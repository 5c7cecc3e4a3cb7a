"""SQLAlchemy Core tables. Every change here ships as an Alembic migration under ``migrations/versions``.

Lookups the API serves at scale are index-backed: users by (pool, username key), (pool, sub) and the
searchable attributes of ListUsers, each index ending in ``id`` so that pagination walks the index.
Configuration that is read and written whole (a pool's settings, a client's settings) is a JSON document.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()


def _key(length: int) -> String:
    """A lookup key compared bytewise: prefix ranges on PostgreSQL must not follow a linguistic collation."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


# Searchable attributes of ListUsers kept as lower-cased key columns (quotas.md §3).
SEARCH_COLUMNS = {
    "email": "email_key",
    "phone_number": "phone_key",
    "name": "name_key",
    "given_name": "given_name_key",
    "family_name": "family_name_key",
    "preferred_username": "preferred_username_key",
}

user_pools = Table(
    "user_pools", metadata,
    Column("id", String(55), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
    Column("config", Text, nullable=False),
    Column("user_count", BigInteger, nullable=False, default=0),
)

user_pool_clients = Table(
    "user_pool_clients", metadata,
    Column("id", String(128), primary_key=True),
    Column("pool_id", String(55), ForeignKey("user_pools.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("secret", LargeBinary, nullable=True),
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
    Column("config", Text, nullable=False),
    Index("ix_clients_pool", "pool_id", "id"),
)

users = Table(
    "users", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("pool_id", String(55), ForeignKey("user_pools.id", ondelete="CASCADE"), nullable=False),
    Column("username", String(128), nullable=False),
    Column("username_key", _key(128), nullable=False),
    Column("sub", String(36), nullable=False),
    Column("status", String(32), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
    Column("attributes", Text, nullable=False),
    Column("password_hash", Text, nullable=True),
    Column("password_set_at", Float, nullable=True),
    Column("email_key", _key(2048), nullable=True),
    Column("phone_key", _key(2048), nullable=True),
    Column("name_key", _key(2048), nullable=True),
    Column("given_name_key", _key(2048), nullable=True),
    Column("family_name_key", _key(2048), nullable=True),
    Column("preferred_username_key", _key(2048), nullable=True),
    Index("ux_users_pool_username", "pool_id", "username_key", unique=True),
    Index("ux_users_pool_sub", "pool_id", "sub", unique=True),
    Index("ix_users_pool_id", "pool_id", "id"),
    Index("ix_users_pool_status", "pool_id", "status", "id"),
    Index("ix_users_pool_enabled", "pool_id", "enabled", "id"),
    *(Index(f"ix_users_pool_{col}", "pool_id", col, "id") for col in SEARCH_COLUMNS.values()),
)

codes = Table(
    "codes", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("code_hash", String(128), nullable=False),
    Column("created", Float, nullable=False),
    Column("expires", Float, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Index("ix_codes_user_purpose", "user_id", "purpose"),
)

outbox = Table(
    "outbox", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("created", Float, nullable=False),
    Column("channel", String(8), nullable=False),
    Column("destination", String(2048), nullable=False),
    Column("subject", Text, nullable=True),
    Column("body", Text, nullable=False),
    Column("purpose", String(64), nullable=False),
)

import_jobs = Table(
    "import_jobs", metadata,
    Column("id", String(55), primary_key=True),
    Column("pool_id", String(55), ForeignKey("user_pools.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created", Float, nullable=False),
    Column("started", Float, nullable=True),
    Column("completed", Float, nullable=True),
    Column("role_arn", String(2048), nullable=False),
    Column("hashing_algorithm", String(32), nullable=True),
    Column("upload_token", String(64), nullable=False),
    Column("upload_expires", Float, nullable=False),
    Column("imported", BigInteger, nullable=False, default=0),
    Column("skipped", BigInteger, nullable=False, default=0),
    Column("failed", BigInteger, nullable=False, default=0),
    Column("message", Text, nullable=True),
    Column("csv", LargeBinary, nullable=True),
    Index("ix_import_jobs_pool", "pool_id", "created"),
)

# --- sign-in (revision 0002) ---------------------------------------------------------------------------

signing_keys = Table(
    "signing_keys", metadata,
    Column("kid", String(64), primary_key=True),
    Column("pool_id", String(55), ForeignKey("user_pools.id", ondelete="CASCADE"), nullable=False),
    Column("purpose", String(16), nullable=False),
    Column("private_key", Text, nullable=False),
    Column("public_jwk", Text, nullable=False),
    Column("created", Float, nullable=False),
    Column("retired", Float, nullable=True),
    Index("ix_signing_keys_pool", "pool_id", "purpose", "created"),
)

refresh_tokens = Table(
    "refresh_tokens", metadata,
    Column("id", String(64), primary_key=True),
    Column("pool_id", String(55), ForeignKey("user_pools.id", ondelete="CASCADE"), nullable=False),
    Column("client_id", String(128), nullable=False),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("origin_jti", String(36), nullable=False),
    Column("auth_time", Float, nullable=False),
    Column("created", Float, nullable=False),
    Column("expires", Float, nullable=False),
    Column("revoked", Float, nullable=True),
    Column("replaced_by", String(64), nullable=True),
    Column("device_key", String(55), nullable=True),
    Column("scopes", Text, nullable=True),
    Index("ix_refresh_tokens_user", "user_id"),
    Index("ix_refresh_tokens_origin", "origin_jti"),
)

revoked_origins = Table(
    "revoked_origins", metadata,
    Column("origin_jti", String(36), primary_key=True),
    Column("pool_id", String(55), nullable=False),
    Column("expires", Float, nullable=False),
)

auth_sessions = Table(
    "auth_sessions", metadata,
    Column("id", String(64), primary_key=True),
    Column("pool_id", String(55), ForeignKey("user_pools.id", ondelete="CASCADE"), nullable=False),
    Column("client_id", String(128), nullable=False),
    Column("username", String(128), nullable=True),
    Column("challenge", String(64), nullable=False),
    Column("state", Text, nullable=False),
    Column("created", Float, nullable=False),
    Column("expires", Float, nullable=False),
    Index("ix_auth_sessions_expires", "expires"),
)

user_security = Table(
    "user_security", metadata,
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("srp", Text, nullable=True),
    Column("tokens_valid_after", Float, nullable=True),
    Column("failed_sign_ins", Integer, nullable=False, default=0),
    Column("locked_until", Float, nullable=True),
)

groups = Table(
    "user_pool_groups", metadata,
    Column("pool_id", String(55), ForeignKey("user_pools.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(128), primary_key=True),
    Column("description", String(2048), nullable=True),
    Column("role_arn", String(2048), nullable=True),
    Column("precedence", Integer, nullable=True),
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
)

user_groups = Table(
    "user_groups", metadata,
    Column("pool_id", String(55), primary_key=True),
    Column("group_name", String(128), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_user_groups_user", "user_id"),
)
