"""Throw-away PostgreSQL databases for tests.

The admin connection goes to `postgresql://postgres@127.0.0.1:5432/postgres` (trust auth), falling back
to user `root`; `COGNATE_TEST_POSTGRES_URL` overrides both. Each test session (and each `fresh_server`)
gets its own `cognate_test_<random>` database, dropped at the end."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

ADMIN_URL_ENV = "COGNATE_TEST_POSTGRES_URL"
DEFAULT_ADMIN_URLS = (
    "postgresql://postgres@127.0.0.1:5432/postgres",
    "postgresql://root@127.0.0.1:5432/postgres",
)
DATABASE_PREFIX = "cognate_test_"


@dataclass(frozen=True)
class PostgresAdmin:
    """A reachable PostgreSQL server and an admin URL allowed to create databases."""

    url: str

    @classmethod
    def discover(cls) -> tuple[PostgresAdmin | None, str]:
        """The first admin URL that connects, or `(None, reason)` explaining why none did."""
        override = os.environ.get(ADMIN_URL_ENV)
        candidates = (override,) if override else DEFAULT_ADMIN_URLS
        errors: list[str] = []
        for url in candidates:
            try:
                with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute("SELECT 1")
            except psycopg.Error as exc:
                first_line = (str(exc).strip().splitlines() or [repr(exc)])[0]
                errors.append(f"{_redact(url)}: {first_line}")
                continue
            return cls(url), ""
        return None, "PostgreSQL not reachable (" + "; ".join(errors) + ")"

    def database_url(self, name: str) -> str:
        """URL of database `name` on this server, with the admin's user (plain `postgresql://`)."""
        return urlsplit(self.url)._replace(path=f"/{name}", query="").geturl()

    def create_database(self, prefix: str = DATABASE_PREFIX) -> str:
        """Create a fresh, empty database and return its name."""
        name = f"{prefix}{secrets.token_hex(6)}"
        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return name

    def drop_database(self, name: str) -> None:
        """Terminate every connection to database `name`, then drop it (no error if it is gone)."""
        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))

    def database_exists(self, name: str) -> bool:
        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
            row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        return row is not None


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()
