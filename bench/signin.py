"""The sign-in benchmark: sign-ins per second and latency against the crypto they cannot go below.

    .venv/bin/python bench/signin.py [--threads 8] [--seconds 10] [--profile DIR] [--markdown]

It starts a real ``cognate serve`` (the test harness's ``CognateServer``) on SQLite with the shipped password
hashing cost (argon2id, OWASP: 19 MiB, t=2, p=1) and the shipped log level, creates a pool, a client and one
user per thread, then runs each workload for ``--seconds`` with ``--threads`` threads, each with its own
boto3 client and its own user:

- USER_PASSWORD_AUTH                 one InitiateAuth per sign-in
- USER_SRP_AUTH                      InitiateAuth + RespondToAuthChallenge per sign-in (the client math runs on
                                     gmpy2 here, checked first against pycognito, so the client is not the limit)
- REFRESH_TOKEN_AUTH                 one InitiateAuth per refresh
- GetUser                            with an access token, through boto3
- GetUser (raw HTTP)                 the same request over keep-alive http.client: what the server can do when
                                     the client is not botocore (which costs ~1 ms of CPU per call itself)

Beside them, in the same run and with the same thread count, the crypto floor: argon2id verifications per
second at the server's parameters, and the SRP server's work per sign-in (``srp.server_step`` +
``srp.session_key``: three 3072-bit modular exponentiations). The report gives each sign-in rate as a share
of its floor, and the CPU the server and this client used (from /proc), since both share the machine.

Targets: password and SRP sign-ins >= 80% of their crypto floor; GetUser >= 2,000 requests/s per server
process on SQLite. ``--profile DIR`` also samples the server with py-spy during each workload and prints
where its time goes.
"""

from __future__ import annotations

import argparse
import base64
import collections
import hashlib
import hmac
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

import gmpy2  # noqa: E402
from argon2 import PasswordHasher, Type  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: E402
from pycognito.aws_srp import AWSSRP  # noqa: E402

from cognate.config import Settings  # noqa: E402
from cognate.domain.auth import srp  # noqa: E402
from support.server import CognateServer, isolate_aws_config  # noqa: E402

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
SHIPPED = Settings()
OWASP_ENV = {"COGNATE_ARGON2_MEMORY_KIB": str(SHIPPED.argon2_memory_kib),
             "COGNATE_ARGON2_TIME_COST": str(SHIPPED.argon2_time_cost),
             "COGNATE_ARGON2_PARALLELISM": str(SHIPPED.argon2_parallelism),
             "COGNATE_LOG_LEVEL": SHIPPED.log_level}
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    name: str
    ops: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    server_cpu: float = 0.0  # cores
    client_cpu: float = 0.0  # cores
    load: float = 0.0  # the machine's 1-minute load average as the measurement starts
    profile: list[tuple[str, float]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.ops / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def run_threads(name: str, threads: int, seconds: float, make: Callable[[int], Callable[[], None]],
                server: CognateServer | None = None, profile_dir: Path | None = None) -> Run:
    """``threads`` threads, each calling its own operation (``make(i)``) for ``seconds`` after a warm-up of
    one second; every call's latency is kept."""
    run = Run(name)
    calls = [make(i) for i in range(threads)]
    lock = threading.Lock()
    measuring = threading.Event()
    stop = threading.Event()

    def worker(call: Callable[[], None]) -> None:
        local: list[float] = []
        errors: collections.Counter[str] = collections.Counter()
        while not stop.is_set():
            started = time.perf_counter()
            try:
                call()
            except Exception as exc:
                errors[type(exc).__name__ + ": " + str(exc)[:120]] += 1
                continue
            if measuring.is_set():
                local.append(time.perf_counter() - started)
        with lock:
            run.latencies.extend(local)
            run.errors.update(errors)

    workers = [threading.Thread(target=worker, args=(c,), daemon=True) for c in calls]
    for thread in workers:
        thread.start()
    time.sleep(1.0)
    spy = _start_profile(server, name, seconds, profile_dir)
    server_before = cpu_seconds(server.pid) if server and server.pid else 0.0
    client_before, wall = own_cpu(), time.perf_counter()
    run.load = os.getloadavg()[0]
    measuring.set()
    time.sleep(seconds)
    measuring.clear()
    run.seconds = time.perf_counter() - wall
    run.client_cpu = (own_cpu() - client_before) / run.seconds
    if server and server.pid:
        run.server_cpu = (cpu_seconds(server.pid) - server_before) / run.seconds
    stop.set()
    for thread in workers:
        thread.join()
    run.ops = len(run.latencies)
    if spy is not None:
        run.profile = _finish_profile(*spy)
    return run


# --- the crypto floor -------------------------------------------------------------------------------------------


def argon2_floor(threads: int, seconds: float) -> Run:
    hasher = PasswordHasher(time_cost=SHIPPED.argon2_time_cost, memory_cost=SHIPPED.argon2_memory_kib,
                            parallelism=SHIPPED.argon2_parallelism, type=Type.ID)
    stored = hasher.hash("Correct-Horse-9")

    def make(i: int) -> Callable[[], None]:
        def verify() -> None:
            hasher.verify(stored, "Correct-Horse-9")
        return verify

    return run_threads("argon2id verify (OWASP)", threads, seconds, make)


def srp_floor(threads: int, seconds: float) -> Run:
    record = srp.make_verifier("AbCdEfGhI", "user", "Correct-Horse-9")

    def make(i: int) -> Callable[[], None]:
        a_public = int(gmpy2.powmod(2, secrets.randbits(256), srp.N))

        def step() -> None:
            srp.session_key(a_public, srp.server_step(record.verifier), record.verifier)
        return step

    return run_threads("SRP server step + session key", threads, seconds, make)


def token_floor(threads: int, seconds: float) -> Run:
    """The two RS256 signatures every sign-in ends with (ID and access token, 2048-bit keys as Cognito's)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    payload = secrets.token_bytes(700)  # about a signed token's header.payload

    def make(i: int) -> Callable[[], None]:
        def sign_both() -> None:
            key.sign(payload, padding.PKCS1v15(), hashes.SHA256())
            key.sign(payload, padding.PKCS1v15(), hashes.SHA256())
        return sign_both

    return run_threads("RS256 ID + access token signatures", threads, seconds, make)


# --- the client side of SRP -------------------------------------------------------------------------------------


class FastSrpClient:
    """The client computation of srp.md §4 on gmpy2 (pycognito uses ``pow()``, several times slower, and with a
    1024-bit secret): with eight of these on the benchmark's own cores, the client must stay small."""

    def __init__(self, pool_id: str, username: str, password: str) -> None:
        self.pool_part = pool_id.split("_", 1)[1]
        self.username, self.password = username, password
        self.a = secrets.randbits(256)
        self.a_public = int(gmpy2.powmod(2, self.a, srp.N))
        self._gx: dict[tuple[str, int], Any] = {}

    @property
    def srp_a(self) -> str:
        return format(self.a_public, "x")

    def answer(self, parameters: dict[str, str]) -> dict[str, str]:
        b_public, salt = int(parameters["SRP_B"], 16), int(parameters["SALT"], 16)
        user_id = parameters["USER_ID_FOR_SRP"]
        u = int(hashlib.sha256(bytes.fromhex(srp.pad_hex(self.a_public) + srp.pad_hex(b_public))).hexdigest(), 16)
        x = srp.private_x(salt, self.pool_part, user_id, self.password)
        gx = self._gx.get((user_id, salt))
        if gx is None:  # g^x depends on the password and salt only: a client may keep it
            gx = self._gx[(user_id, salt)] = gmpy2.powmod(2, x, srp.N)
        s = int(gmpy2.powmod((b_public - srp.K_MULTIPLIER * gx) % srp.N, self.a + u * x, srp.N))
        prk = hmac.new(bytes.fromhex(srp.pad_hex(u)), bytes.fromhex(srp.pad_hex(s)), hashlib.sha256).digest()
        key = hmac.new(prk, srp.INFO, hashlib.sha256).digest()[:16]
        timestamp = srp.format_timestamp(datetime.now(UTC))
        signature = srp.claim_signature(key, self.pool_part, user_id, base64.b64decode(parameters["SECRET_BLOCK"]),
                                        timestamp)
        return {"USERNAME": parameters["USERNAME"], "TIMESTAMP": timestamp,
                "PASSWORD_CLAIM_SECRET_BLOCK": parameters["SECRET_BLOCK"],
                "PASSWORD_CLAIM_SIGNATURE": base64.b64encode(signature).decode()}


# --- workloads --------------------------------------------------------------------------------------------------


@dataclass
class Fixture:
    server: CognateServer
    pool_id: str
    client_id: str
    users: list[tuple[str, str]]
    tokens: list[dict[str, Any]]


def prepare(server: CognateServer, threads: int) -> Fixture:
    idp = server.client("cognito-idp")
    public = server.client("cognito-idp", signed=False)
    pool_id = idp.create_user_pool(PoolName="bench")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="bench",
                                            ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]
    users = []
    for i in range(threads):
        name, password = f"bench{i:03d}", f"Pw-{secrets.token_hex(8)}!A9"
        idp.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": f"{name}@example.test"},
                                              {"Name": "email_verified", "Value": "true"}])
        idp.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=password, Permanent=True)
        users.append((name, password))
    # The real client first: the fast one below must agree with it, or the SRP figures mean nothing.
    AWSSRP(username=users[0][0], password=users[0][1], pool_id=pool_id, client_id=client_id,
           client=public).authenticate_user()
    tokens = [public.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": n, "PASSWORD": p})["AuthenticationResult"]
              for n, p in users]
    return Fixture(server, pool_id, client_id, users, tokens)


def password_workload(fx: Fixture) -> Callable[[int], Callable[[], None]]:
    def make(i: int) -> Callable[[], None]:
        client = fx.server.client("cognito-idp", signed=False)
        name, password = fx.users[i]
        return lambda: client.initiate_auth(ClientId=fx.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                            AuthParameters={"USERNAME": name, "PASSWORD": password}) and None
    return make


def srp_workload(fx: Fixture) -> Callable[[int], Callable[[], None]]:
    def make(i: int) -> Callable[[], None]:
        client = fx.server.client("cognito-idp", signed=False)
        name, password = fx.users[i]
        math = FastSrpClient(fx.pool_id, name, password)

        def sign_in() -> None:
            challenge = client.initiate_auth(ClientId=fx.client_id, AuthFlow="USER_SRP_AUTH",
                                             AuthParameters={"USERNAME": name, "SRP_A": math.srp_a})
            done = client.respond_to_auth_challenge(ClientId=fx.client_id, ChallengeName="PASSWORD_VERIFIER",
                                                    Session=challenge["Session"],
                                                    ChallengeResponses=math.answer(challenge["ChallengeParameters"]))
            if "AuthenticationResult" not in done:
                raise RuntimeError("no tokens")
        return sign_in
    return make


def refresh_workload(fx: Fixture) -> Callable[[int], Callable[[], None]]:
    def make(i: int) -> Callable[[], None]:
        client = fx.server.client("cognito-idp", signed=False)
        token = fx.tokens[i]["RefreshToken"]
        return lambda: client.initiate_auth(ClientId=fx.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                            AuthParameters={"REFRESH_TOKEN": token}) and None
    return make


def get_user_workload(fx: Fixture) -> Callable[[int], Callable[[], None]]:
    def make(i: int) -> Callable[[], None]:
        client = fx.server.client("cognito-idp", signed=False)
        token = fx.tokens[i]["AccessToken"]
        return lambda: client.get_user(AccessToken=token) and None
    return make


def raw_get_user_workload(fx: Fixture) -> Callable[[int], Callable[[], None]]:
    """GetUser from a keep-alive socket with the request bytes built once: about 20 µs of client CPU per call
    (http.client costs ~150 µs, botocore ~1 ms), so that on a 2-core machine the client leaves the server its
    core."""
    def make(i: int) -> Callable[[], None]:
        sock = socket.create_connection((fx.server.host, fx.server.port), timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        body = json.dumps({"AccessToken": fx.tokens[i]["AccessToken"]}).encode()
        request = (f"POST / HTTP/1.1\r\nHost: {fx.server.host}:{fx.server.port}\r\n"
                   "Content-Type: application/x-amz-json-1.1\r\n"
                   "X-Amz-Target: AWSCognitoIdentityProviderService.GetUser\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        buffer = bytearray()

        def call() -> None:
            sock.sendall(request)
            while (end := buffer.find(b"\r\n\r\n")) < 0:
                buffer.extend(sock.recv(65536) or _closed())
            head = bytes(buffer[:end]).decode("latin-1")
            length = int(head.lower().split("content-length:", 1)[1].split("\r\n", 1)[0])
            while len(buffer) < end + 4 + length:
                buffer.extend(sock.recv(65536) or _closed())
            del buffer[:end + 4 + length]
            if not head.startswith("HTTP/1.1 200"):
                raise RuntimeError(head.split("\r\n", 1)[0])
        return call
    return make


def _closed() -> bytes:
    raise ConnectionError("the server closed the connection")


# --- profiling --------------------------------------------------------------------------------------------------

# Where a sample's time goes: its innermost frame that names one of these (file paths as py-spy prints them).
CATEGORIES = [
    ("argon2id", ("argon2/",)),
    ("SRP modexp (gmpy2)", ("cognate/domain/auth/srp.py",)),
    ("RSA signing", ("Signer.sign (cognate/domain/tokens/keys.py",)),
    ("JWT verification", ("PublicKey.verifies (cognate/domain/tokens/keys.py",)),
    ("SQL (SQLAlchemy + sqlite3)", ("sqlalchemy/", "sqlite3/")),
    ("request validation (botocore model)", ("cognate/wire/shapes.py", "botocore/")),
    ("JSON", ("json/",)),
    ("access log", ("logging/",)),
    ("HTTP server + thread hop (uvicorn, h11, starlette, anyio, asyncio)",
     ("uvicorn/", "h11/", "httptools", "starlette/", "anyio/", "asyncio/", "threading.py", "queue.py",
      "selectors.py", "concurrent/")),
    ("domain logic", ("cognate/domain",)),
    ("wire + routing", ("cognate/wire", "cognate/web", "cognate/api")),
]


def _category(stack: str) -> str:
    for frame in reversed(stack.split(";")):
        for label, marks in CATEGORIES:
            if any(mark in frame for mark in marks):
                return label
    return "other"


def _start_profile(server: CognateServer | None, name: str, seconds: float,
                   profile_dir: Path | None) -> tuple[subprocess.Popen[bytes], Path] | None:
    if server is None or profile_dir is None or not server.pid:
        return None
    out = profile_dir / (name.replace(" ", "_").replace("/", "_").replace("(", "").replace(")", "") + ".txt")
    spy = Path(sys.executable).parent / "py-spy"
    if not spy.exists():  # py-spy is not a dependency: `.venv/bin/pip install py-spy` to profile
        print(f"--profile: {spy} not found, the server is not profiled", file=sys.stderr)
        return None
    # --gil: only the thread holding the GIL is sampled, i.e. where the process's Python CPU time goes.
    proc = subprocess.Popen([str(spy), "record", "--pid", str(server.pid), "--duration", str(int(seconds)),
                             "--rate", "250", "--format", "raw", "--gil", "--output", str(out), "--nonblocking"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, out


def _finish_profile(proc: subprocess.Popen[bytes], out: Path) -> list[tuple[str, float]]:
    proc.wait(timeout=120)
    if not out.exists():
        return []
    counts: collections.Counter[str] = collections.Counter()
    for line in out.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        counts[_category(stack)] += int(n)
    total = sum(counts.values()) or 1
    return [(label, 100.0 * n / total) for label, n in counts.most_common()]


# --- report -----------------------------------------------------------------------------------------------------


def cpu_ms_per_op(run: Run, cores: float) -> float:
    return 1000 * cores / run.rate if run.rate else 0.0


def report(runs: list[Run], floors: dict[str, Run], threads: int) -> str:
    """Two views of each sign-in against its crypto: its rate as a share of the floor's rate (client and
    server share this machine's cores, so the client's own SRP math and botocore count against it), and the
    crypto's share of the server's own CPU per sign-in (the floor's CPU per operation, the token signatures
    included, over the server's): what HTTP, JSON and the database add, whatever else the machine runs."""
    lines = [f"threads: {threads} (own client each); machine: {os.cpu_count()} CPUs; "
             f"load average before: {os.getloadavg()[0]:.2f}", "",
             "| workload | ops/s | p50 ms | p99 ms | rate vs crypto floor | server CPU ms/op | crypto share of "
             "server CPU | server CPU (cores) | client CPU (cores) | load avg |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    floor_of = {"USER_PASSWORD_AUTH": "argon2", "USER_SRP_AUTH (both steps)": "srp"}
    tokens = floors.get("tokens")
    for run in [*floors.values(), *runs]:
        floor = floors.get(floor_of.get(run.name, ""))
        share = f"{100 * run.rate / floor.rate:.0f}%" if floor and floor.rate else ""
        crypto = ""
        if floor and floor.rate and run.rate and run.server_cpu:
            needed = cpu_ms_per_op(floor, floor.client_cpu) + (cpu_ms_per_op(tokens, tokens.client_cpu)
                                                                if tokens else 0.0)
            crypto = f"{100 * needed / cpu_ms_per_op(run, run.server_cpu):.0f}%"
        cpu = cpu_ms_per_op(run, run.server_cpu or run.client_cpu)
        lines.append(f"| {run.name} | {run.rate:,.1f} | {run.percentile(0.5):.1f} | {run.percentile(0.99):.1f} | "
                     f"{share} | {cpu:.2f} | {crypto} | {run.server_cpu:.2f} | {run.client_cpu:.2f} | "
                     f"{run.load:.1f} |")
        for error, n in run.errors.most_common(3):
            lines.append(f"|   errors: {n} x {error} | | | | | | | | | |")
    profiled = [r for r in runs if r.profile]
    if profiled:
        lines += ["", "Server time holding the GIL, by category (py-spy --gil; argon2 and SQLite I/O run without it):",
                  ""]
        for run in profiled:
            shares = ", ".join(f"{label} {pct:.0f}%" for label, pct in run.profile if pct >= 1)
            lines.append(f"- {run.name}: {shares}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--profile", type=Path, default=None, help="sample the server with py-spy into DIR")
    parser.add_argument("--only", default="", help="comma-separated workloads: password,srp,refresh,getuser,raw")
    args = parser.parse_args()
    isolate_aws_config()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    wanted = set(filter(None, args.only.split(","))) or {"password", "srp", "refresh", "getuser", "raw"}
    with tempfile.TemporaryDirectory(prefix="cognate-signin-") as tmp:
        server = CognateServer(Path(tmp) / "data", log_path=Path(tmp) / "server.log", extra_env=OWASP_ENV)
        server.start()
        try:
            fx = prepare(server, args.threads)
            # Each floor is measured right before the workload it bounds: the machine's other load drifts.
            floors: dict[str, Run] = {}
            runs: list[Run] = []
            workloads = [("password", "USER_PASSWORD_AUTH", password_workload, "argon2", argon2_floor),
                         ("srp", "USER_SRP_AUTH (both steps)", srp_workload, "srp", srp_floor),
                         ("refresh", "REFRESH_TOKEN_AUTH", refresh_workload, "", None),
                         ("getuser", "GetUser (boto3)", get_user_workload, "", None),
                         ("raw", "GetUser (raw HTTP)", raw_get_user_workload, "", None)]
            if wanted & {"password", "srp"}:
                floors["tokens"] = token_floor(args.threads, args.seconds)
            for key, label, workload, floor_key, floor in workloads:
                if key not in wanted:
                    continue
                if floor is not None:
                    floors[floor_key] = floor(args.threads, args.seconds)
                runs.append(run_threads(label, args.threads, args.seconds, workload(fx), server, args.profile))
        finally:
            server.stop()
    print(f"# bench/signin.py, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n")
    print(report(runs, floors, args.threads))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
