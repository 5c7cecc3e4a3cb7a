"""A real `cognate serve` process for end-to-end tests (and benchmarks): start, stop, kill, restart,
boto3 clients and raw AWS JSON 1.1 requests.

Independent of pytest: failures raise `ServerError`, whose message carries the tail of the server log."""

from __future__ import annotations

import atexit
import contextlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from .net import free_port
from .postgres import PostgresAdmin

ROOT_ACCESS_KEY_ID = "AKIACOGNATETEST00001"  # AKIA + 16 uppercase alphanumerics
ROOT_SECRET_ACCESS_KEY = "cognate/test/secret/key/0000000000000000"  # 40 characters
DEFAULT_REGION = "us-east-1"
EMAIL_FROM = "no-reply@cognate.test"
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0

IDP_TARGET_PREFIX = "AWSCognitoIdentityProviderService"
SERVICE_BY_TARGET_PREFIX = {
    IDP_TARGET_PREFIX: "cognito-idp",
    "AWSCognitoIdentityService": "cognito-identity",
}
AMZ_JSON = "application/x-amz-json-1.1"

# Settings the harness owns; everything else named COGNATE_* or AWS_* in the outer environment is
# dropped so a developer's shell cannot change what the tests run against.
_STRIPPED_ENV_PREFIXES = ("COGNATE_", "AWS_")


class ServerError(RuntimeError):
    """The server could not be found, did not become ready, or exited unexpectedly."""


def cognate_executable() -> str:
    """The `cognate` console script: `$COGNATE_TEST_EXECUTABLE` if set, else the one next to the
    running interpreter (the venv), else the one on PATH."""
    override = os.environ.get("COGNATE_TEST_EXECUTABLE")
    if override:
        return override
    beside = Path(sys.executable).parent / "cognate"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("cognate")
    if found:
        return found
    raise ServerError(
        f"`cognate` console script not found next to {sys.executable} or on PATH; run `make install`"
    )


def base_env(
    *,
    smtp_url: str | None = None,
    region: str = DEFAULT_REGION,
    log_level: str | None = None,
) -> dict[str, str]:
    """The environment a test server runs with: the outer one minus COGNATE_*/AWS_*, plus test settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_STRIPPED_ENV_PREFIXES)}
    env.update(
        {
            "COGNATE_ROOT_ACCESS_KEY_ID": ROOT_ACCESS_KEY_ID,
            "COGNATE_ROOT_SECRET_ACCESS_KEY": ROOT_SECRET_ACCESS_KEY,
            "COGNATE_REGION": region,
            "COGNATE_EMAIL_FROM": EMAIL_FROM,
            "COGNATE_ARGON2_MEMORY_KIB": "1024",
            "COGNATE_ARGON2_TIME_COST": "1",
            "COGNATE_LOG_LEVEL": log_level or os.environ.get("COGNATE_TEST_LOG_LEVEL", "info"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    if smtp_url:
        env["COGNATE_SMTP_URL"] = smtp_url
    return env


class CognateServer:
    """One `cognate serve` process on 127.0.0.1.

    `env` is the full process environment; change it and `restart()` to run with other settings.
    The port is kept across restarts (clients stay valid) unless it was taken by someone else."""

    def __init__(
        self,
        data_dir: Path | str,
        *,
        database_url: str | None = None,
        smtp_url: str | None = None,
        extra_env: Mapping[str, str] | None = None,
        port: int | None = None,
        region: str = DEFAULT_REGION,
        log_path: Path | str | None = None,
        ready_timeout: float = READY_TIMEOUT,
    ) -> None:
        self.host = "127.0.0.1"
        self.data_dir = Path(data_dir)
        self.database_url = database_url
        self.region = region
        self.access_key_id = ROOT_ACCESS_KEY_ID
        self.secret_access_key = ROOT_SECRET_ACCESS_KEY
        self.ready_timeout = ready_timeout
        self._port_fixed = port is not None
        self.port = port if port is not None else free_port(self.host)
        self.log_path = Path(log_path) if log_path else self.data_dir.with_name(self.data_dir.name + ".log")
        self.env = base_env(smtp_url=smtp_url, region=region)
        self.env.update(extra_env or {})
        self.returncode: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._run_log_offset = 0

    def __repr__(self) -> str:
        state = f"pid={self._proc.pid}" if self.running and self._proc else "stopped"
        db = self.database_url or "sqlite"
        return f"<CognateServer {self.url} data_dir={self.data_dir} db={db} {state}>"

    # --- addresses ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def command(self) -> list[str]:
        cmd = [cognate_executable(), "serve", "--host", self.host, "--port", str(self.port)]
        cmd += ["--data-dir", str(self.data_dir)]
        if self.database_url:
            cmd += ["--database-url", self.database_url]
        return cmd

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> CognateServer:
        """Start the process and wait until `GET /ready` answers 200; raises ServerError otherwise."""
        if self.running:
            raise ServerError(f"{self!r} is already running")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for attempt in range(3):
            self._spawn()
            try:
                self._wait_ready()
                return self
            except ServerError:
                lost_port = "address already in use" in self.log_text(self._run_log_offset).lower()
                if lost_port and not self._port_fixed and attempt < 2:
                    self.port = free_port(self.host)  # someone took the port between choice and bind
                    continue
                raise
        raise AssertionError("unreachable")

    def stop(self) -> int | None:
        """SIGTERM, wait up to 10 s, then SIGKILL. Returns the exit status (None if not started)."""
        proc = self._proc
        if proc is None:
            return self.returncode
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._kill_group(proc)
        return self._reap()

    def kill(self) -> int | None:
        """SIGKILL the server (and anything it spawned) at once: a crash, for durability tests."""
        proc = self._proc
        if proc is None:
            return self.returncode
        if proc.poll() is None:
            self._kill_group(proc)
        return self._reap()

    def restart(self) -> CognateServer:
        """Stop (gracefully, if still running) and start again on the same data dir and database."""
        self.stop()
        return self.start()

    def __enter__(self) -> CognateServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _spawn(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self._run_log_offset = log.tell()
        cmd = self.command()
        log.write(f"\n===== {time.strftime('%H:%M:%S')} start: {' '.join(cmd)}\n".encode())
        log.flush()
        self._log = log
        self.returncode = None
        self._proc = subprocess.Popen(
            cmd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: kill() takes its children too
        )
        _LIVE.add(self)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        proc = self._proc
        assert proc is not None
        while True:
            if proc.poll() is not None:
                code = self._reap()
                raise ServerError(
                    f"cognate serve exited with status {code} before it was ready\n{self._tail()}"
                )
            if self._ready_once():
                return
            if time.monotonic() > deadline:
                self._kill_group(proc)
                self._reap()
                raise ServerError(f"cognate serve not ready within {self.ready_timeout}s\n{self._tail()}")
            time.sleep(0.05)

    def _ready_once(self) -> bool:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=5)
        try:
            conn.request("GET", "/ready")
            return conn.getresponse().status == 200
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()

    @staticmethod
    def _kill_group(proc: subprocess.Popen[bytes]) -> None:
        # Only while the leader is unreaped: then the group id is certainly still ours.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def _reap(self) -> int | None:
        if self._proc is not None:
            self.returncode = self._proc.wait()
            self._proc = None
        if self._log is not None:
            self._log.write(f"===== {time.strftime('%H:%M:%S')} exit status {self.returncode}\n".encode())
            self._log.close()
            self._log = None
        _LIVE.discard(self)
        return self.returncode

    # --- log ------------------------------------------------------------------------------------

    def log_size(self) -> int:
        """Current size of the log file; pass it to `log_text` to read what came after."""
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0

    def log_text(self, since: int = 0) -> str:
        """The server log (stdout and stderr of every run) from byte offset `since`."""
        try:
            with self.log_path.open("rb") as f:
                f.seek(since)
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 80, since: int = 0) -> str:
        return "\n".join(self.log_text(since).splitlines()[-lines:])

    def _tail(self) -> str:
        return f"--- last lines of {self.log_path} ---\n{self.log_tail(since=self._run_log_offset)}"

    # --- clients --------------------------------------------------------------------------------

    def client(self, service: str = "cognito-idp", region: str | None = None, signed: bool = True) -> Any:
        """A boto3 client for `service` at this server: signed with the root credentials, or unsigned.

        No retries, so tests see every error as the server sent it."""
        from botocore import UNSIGNED
        from botocore.config import Config

        config = Config(
            retries={"mode": "standard", "total_max_attempts": 1},
            connect_timeout=10,
            read_timeout=120,
        )
        credentials: dict[str, str] = {}
        if signed:
            credentials = {
                "aws_access_key_id": self.access_key_id,
                "aws_secret_access_key": self.secret_access_key,
            }
        else:
            config = config.merge(Config(signature_version=UNSIGNED))
        with _session_lock:
            return _boto3_session().client(
                service,
                endpoint_url=self.url,
                region_name=region or self.region,
                config=config,
                **credentials,
            )

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 60.0,
    ) -> tuple[int, dict[str, str], bytes]:
        """One plain HTTP request: `(status, headers with lower-case names, body bytes)`."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=dict(headers or {}))
            resp = conn.getresponse()
            data = resp.read()
            merged: dict[str, str] = {}
            for name, value in resp.getheaders():
                key = name.lower()
                merged[key] = f"{merged[key]}, {value}" if key in merged else value
            return resp.status, merged, data
        finally:
            conn.close()

    def raw_post(
        self,
        target: str,
        body: bytes | Mapping[str, Any],
        headers: Mapping[str, str | None] | None = None,
        signed: bool = False,
    ) -> tuple[int, dict[str, str], Any]:
        """POST an AWS JSON 1.1 request to `/`: `(status, headers, parsed JSON or text or None)`.

        `target` is `Service.Operation`, or a bare operation name for the user-pool service.
        `body` is sent as given when bytes, JSON-encoded otherwise. `headers` adds or overrides the
        defaults (Content-Type, X-Amz-Target); a value of None removes that header.
        `signed=True` signs with the root credentials (SigV4, service taken from the target)."""
        if "." not in target:
            target = f"{IDP_TARGET_PREFIX}.{target}"
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        final: dict[str, str] = {"Content-Type": AMZ_JSON, "X-Amz-Target": target}
        for name, value in (headers or {}).items():
            for existing in [k for k in final if k.lower() == name.lower()]:
                del final[existing]
            if value is not None:
                final[name] = value
        if signed:
            service = SERVICE_BY_TARGET_PREFIX.get(target.split(".")[0], "cognito-idp")
            final = self._sign("POST", "/", data, final, service)
        status, resp_headers, raw = self.request("POST", "/", data, final)
        return status, resp_headers, _parse_body(raw)

    def _sign(
        self, method: str, path: str, data: bytes, headers: dict[str, str], service: str
    ) -> dict[str, str]:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        request = AWSRequest(method=method, url=f"{self.url}{path}", data=data, headers=headers)
        credentials = Credentials(self.access_key_id, self.secret_access_key)
        SigV4Auth(credentials, service, self.region).add_auth(request)
        return {str(k): str(v) for k, v in request.headers.items()}


def _parse_body(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


_session_lock = threading.RLock()  # boto3 sessions are not thread-safe
_session: Any = None


def _boto3_session() -> Any:
    """One boto3 session for the process, so service models are loaded once."""
    global _session
    with _session_lock:
        if _session is None:
            import boto3

            _session = boto3.session.Session()
        return _session


def isolate_aws_config() -> None:
    """Keep the developer's AWS profile, config files and instance metadata out of test clients."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_ENDPOINT_URL",
    ):
        os.environ.pop(name, None)
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


# Servers still running when the interpreter exits (a crashed test run) are killed, not orphaned.
_LIVE: weakref.WeakSet[CognateServer] = weakref.WeakSet()


@atexit.register
def _kill_leftovers() -> None:
    for server in list(_LIVE):
        server.kill()


class ServerFactory:
    """Starts `CognateServer`s for one store and cleans up after them.

    `store` is "sqlite" (data under a tmp dir, no database URL) or "postgresql" (each server gets a
    fresh database from `postgres`, dropped by `close()`)."""

    def __init__(
        self,
        store: str,
        base_dir: Path,
        *,
        smtp_url: str | None = None,
        postgres: PostgresAdmin | None = None,
    ) -> None:
        if store not in ("sqlite", "postgresql"):
            raise ValueError(f"unknown store {store!r}")
        if store == "postgresql" and postgres is None:
            raise ValueError("the postgresql store needs a PostgresAdmin")
        self.store = store
        self.base_dir = base_dir
        self.smtp_url = smtp_url
        self.postgres = postgres
        self.servers: list[CognateServer] = []
        self._databases: list[str] = []

    def __call__(
        self,
        *,
        extra_env: Mapping[str, str] | None = None,
        share_with: CognateServer | None = None,
        start: bool = True,
    ) -> CognateServer:
        """A new server with its own data dir and database, or, with `share_with`, another process
        on that server's data dir and database (scale-out tests). Started unless `start=False`."""
        n = len(self.servers)
        log_path = self.base_dir / f"{self.store}-{n}.log"
        if share_with is not None:
            data_dir, database_url = share_with.data_dir, share_with.database_url
        else:
            data_dir, database_url = self.base_dir / f"{self.store}-{n}", None
            if self.postgres is not None and self.store == "postgresql":
                name = self.postgres.create_database()
                self._databases.append(name)
                database_url = self.postgres.database_url(name)
        server = CognateServer(
            data_dir,
            database_url=database_url,
            smtp_url=self.smtp_url,
            extra_env=extra_env,
            log_path=log_path,
        )
        self.servers.append(server)
        return server.start() if start else server

    def close(self) -> None:
        """Stop every server started here, then drop the databases created for them."""
        for server in self.servers:
            server.stop()
        if self.postgres is not None:
            for name in self._databases:
                self.postgres.drop_database(name)
        self._databases.clear()
