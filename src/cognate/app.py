"""The composition root: the only place where concrete stores, transports and services are wired."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cognate import ids
from cognate.clock import SystemClock
from cognate.config import Settings
from cognate.delivery.messenger import Messenger
from cognate.delivery.sms import SmsWebhook
from cognate.delivery.smtp import SmtpSender
from cognate.domain.auth.passwords import Passwords
from cognate.domain.context import Deps
from cognate.domain.secretbox import SecretBox, decode_master_key, new_master_key
from cognate.domain.userpool import import_jobs
from cognate.store.sql.engine import SqlStore
from cognate.wire.awsjson import AwsJsonProtocol, JsonService

log = logging.getLogger("cognate")
ROOT_PURPOSE = "root-credentials"


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str


def _write_private(path: Path, text: str) -> None:
    """Create a file only its owner can read, without a window where it is world-readable."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)


def master_key(settings: Settings) -> bytes:
    if settings.master_key:
        return decode_master_key(settings.master_key)
    path = settings.data_dir / "master.key"
    if not path.exists():
        _write_private(path, new_master_key())
    return decode_master_key(path.read_text())


def root_credentials(settings: Settings) -> tuple[Credentials, bool]:
    """The administrator's SigV4 keys: from settings, else kept in the data dir (generated once).

    The file holds the secret sealed with the master key; ``cognate credentials`` prints it in the clear.
    """
    if settings.root_access_key_id and settings.root_secret_access_key:
        return Credentials(settings.root_access_key_id, settings.root_secret_access_key), False
    box = SecretBox(master_key(settings))
    path = settings.data_dir / "credentials.json"
    if path.exists():
        data = json.loads(path.read_text())
        return Credentials(data["access_key_id"], box.open(data["secret_access_key_sealed"], ROOT_PURPOSE)), False
    creds = Credentials(ids.access_key_id(), ids.secret_access_key())
    _write_private(path, json.dumps({"access_key_id": creds.access_key_id,
                                     "secret_access_key_sealed": box.seal(creds.secret_access_key, ROOT_PURPOSE)}))
    return creds, True


def build_deps(settings: Settings, store: SqlStore) -> Deps:
    smtp = SmtpSender(settings.smtp_url, settings.email_from) if settings.smtp_url else None
    sms = SmsWebhook(settings.sms_webhook_url) if settings.sms_webhook_url else None
    return Deps(store=store, clock=SystemClock(), box=SecretBox(master_key(settings)),
                passwords=Passwords(settings.argon2_memory_kib, settings.argon2_time_cost,
                                    settings.argon2_parallelism),
                messenger=Messenger(smtp, sms), account_id=settings.account_id,
                public_url=settings.resolved_public_url(), code_max_attempts=settings.code_max_attempts)


@dataclass
class Cognate:
    settings: Settings
    store: SqlStore
    deps: Deps
    credentials: Credentials
    awsjson: AwsJsonProtocol


def build(settings: Settings) -> Cognate:
    """Open the data dir and the store, run migrations, and wire every service."""
    import cognate.api.idp  # noqa: F401  (handlers register themselves on import)

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    creds, fresh = root_credentials(settings)
    if fresh:
        # Printed once, at first start, so the operator can export them; never logged.
        print(f"Cognate root credentials (sealed in {settings.data_dir / 'credentials.json'}; "
              "`cognate credentials` prints them again):\n"
              f"  export AWS_ACCESS_KEY_ID={creds.access_key_id}\n"
              f"  export AWS_SECRET_ACCESS_KEY={creds.secret_access_key}", flush=True)
    store = SqlStore(settings.resolved_database_url())
    store.migrate()
    deps = build_deps(settings, store)
    # User import jobs left running by a stopped or dead server are resumed (domain/userpool/import_jobs.py).
    import_jobs.recover(deps)

    def secret_for(key_id: str) -> str | None:
        return creds.secret_access_key if key_id == creds.access_key_id else None

    awsjson = AwsJsonProtocol(deps, [JsonService.of("cognito-idp", secret_for)], settings.region,
                              inline_light=store.reads_never_wait)
    return Cognate(settings, store, deps, creds, awsjson)
