"""One typed settings object, read from the environment or a TOML file (DESIGN.md §2, Settings).

Environment variables win over the file; in the file the same names appear lower-cased without the
``COGNATE_`` prefix or with it (``database_url`` or ``cognate_database_url``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

_PREFIX = "COGNATE_"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 9400
    data_dir: Path = Path("./.cognate")
    database_url: str = ""
    public_url: str = ""
    region: str = "us-east-1"
    account_id: str = "000000000000"
    root_access_key_id: str = ""
    root_secret_access_key: str = ""
    master_key: str = ""
    smtp_url: str = ""
    email_from: str = "no-reply@localhost"
    sms_webhook_url: str = ""
    redis_url: str = ""
    log_level: str = "info"
    # OWASP's argon2id recommendation (m=19 MiB, t=2, p=1); tests lower it through configuration.
    argon2_memory_kib: int = 19456
    argon2_time_cost: int = 2
    argon2_parallelism: int = 1
    # Wrong codes tolerated before a code is burnt (LimitExceededException afterwards).
    code_max_attempts: int = 5
    extra: Mapping[str, Any] = field(default_factory=dict)

    def resolved_database_url(self) -> str:
        """SQLAlchemy URL of the store: SQLite under the data dir unless told otherwise."""
        url = self.database_url or f"sqlite:///{(self.data_dir / 'cognate.db').resolve()}"
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url

    def resolved_public_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


def _coerce(kind: Any, value: Any) -> Any:
    if kind in (int, "int"):
        return int(value)
    if kind in (Path, "Path"):
        return Path(value)
    return str(value)


def load_settings(config_file: Path | None = None, overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from (lowest first) defaults, the TOML file, the environment, then explicit overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    known = {f.name: f.type for f in fields(Settings) if f.name != "extra"}
    extra: dict[str, Any] = {}
    if config_file is not None:
        with config_file.open("rb") as fh:
            for key, value in tomllib.load(fh).items():
                name = key.lower().removeprefix("cognate_")
                if name in known:
                    values[name] = _coerce(known[name], value)
                else:
                    extra[name] = value
    for name, kind in known.items():
        raw = env.get(_PREFIX + name.upper())
        if raw not in (None, ""):
            values[name] = _coerce(kind, raw)
    for name, value in (overrides or {}).items():
        if value is not None:
            values[name] = _coerce(known[name], value)
    return Settings(**values, extra=extra)
