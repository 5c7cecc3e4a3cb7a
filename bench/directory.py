"""The directory benchmark: bulk import through user import jobs, then lookup latency, on each store.

    .venv/bin/python bench/directory.py [--users N] [--store sqlite|postgresql|both] [--calls N]

For each store it starts a real ``cognate serve`` (the test harness's ``CognateServer``), creates a pool,
writes CSV files of at most 500,000 users (Cognito's per-file limit) from GetCSVHeader, imports them with
CreateUserImportJob / PUT to the PreSignedUrl / StartUserImportJob / DescribeUserImportJob, and records the
import rate. It then measures, through boto3 (one client, sequential, after a warm-up), p50/p99 latency of
AdminGetUser, ListUsers ``email = "..."`` and ListUsers ``email ^= "..."``; checks with EXPLAIN that the SQL
those calls run walks an index (exit status 1 if a table scan appears); restarts the server to time the first
calls of a fresh process; and reads the server's RSS from /proc.

Targets (performance-floors.md): import >= 20,000 users/s, p99 < 20 ms per lookup at 1M users, RSS < 200 MB.
``--users 2000`` is a smoke run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

from support.postgres import PostgresAdmin  # noqa: E402
from support.server import CognateServer, isolate_aws_config  # noqa: E402

MAX_PER_FILE = 500_000
ROLE = "arn:aws:iam::000000000000:role/CognitoImportRole"
GIVEN = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Leslie", "Margaret", "Niklaus",
         "Radia", "Tony", "Whitfield", "Yukihiro", "Zhang"]
FAMILY = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Lamport",
          "Hamilton", "Wirth", "Perlman", "Hoare", "Diffie", "Matsumoto", "Wei", "Smith", "Garcia", "Okafor",
          "Nguyen", "Kowalski", "Haddad", "Silva", "Jensen"]


def username(i: int) -> str:
    return f"user{i:07d}"


def email(i: int) -> str:
    return f"user{i:07d}@example.com"


def csv_file(header: list[str], start: int, stop: int) -> bytes:
    """Users ``start``..``stop - 1``: distinct user names, emails and phone numbers, varied names."""
    at = {name: i for i, name in enumerate(header)}
    template = [""] * len(header)
    template[at["email_verified"]] = "true"
    template[at["phone_number_verified"]] = "false"
    template[at["cognito:mfa_enabled"]] = "false"
    lines = [",".join(header)]
    for i in range(start, stop):
        values = list(template)
        given, family = GIVEN[i % len(GIVEN)], FAMILY[(i // 7) % len(FAMILY)]
        values[at["cognito:username"]] = username(i)
        values[at["email"]] = email(i)
        values[at["given_name"]] = given
        values[at["family_name"]] = family
        values[at["name"]] = f"{given} {family}"
        values[at["phone_number"]] = f"+1555{i:07d}"
        values[at["locale"]] = "en-US"
        lines.append(",".join(values))
    return ("\n".join(lines) + "\n").encode()


@dataclass
class Result:
    store: str
    users: int
    import_seconds: float = 0.0
    import_wall: float = 0.0
    files: list[tuple[int, float]] = field(default_factory=list)
    latency: dict[str, tuple[float, float, float]] = field(default_factory=dict)   # p50, p99, max (ms)
    server_latency: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    cold: dict[str, float] = field(default_factory=dict)
    cold_server: dict[str, float] = field(default_factory=dict)
    plans: dict[str, list[str]] = field(default_factory=dict)
    rss_mb: float = 0.0
    peak_rss_mb: float = 0.0
    scans: list[str] = field(default_factory=list)


def rss(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def put(url: str, data: bytes) -> None:
    request = urllib.request.Request(url, data=data, method="PUT",
                                     headers={"x-amz-server-side-encryption": "aws:kms"})
    with urllib.request.urlopen(request, timeout=600) as response:
        if response.status != 200:
            raise SystemExit(f"upload failed: HTTP {response.status}")


def import_users(idp: Any, pool_id: str, total: int, result: Result) -> None:
    header = idp.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    wall = time.perf_counter()
    for start in range(0, total, MAX_PER_FILE):
        stop = min(total, start + MAX_PER_FILE)
        data = csv_file(header, start, stop)
        job = idp.create_user_import_job(JobName=f"bench-{start}", UserPoolId=pool_id,
                                         CloudWatchLogsRoleArn=ROLE)["UserImportJob"]
        put(job["PreSignedUrl"], data)
        del data
        idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
        while True:
            time.sleep(0.5)
            job = idp.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
            if job["Status"] not in ("Pending", "InProgress"):
                break
        if job["Status"] != "Succeeded" or job["ImportedUsers"] != stop - start:
            raise SystemExit(f"import of users {start}..{stop} ended {job['Status']}: {job}")
        # Server-side start and completion stamps: the import itself, without the client's polling period.
        seconds = (job["CompletionDate"] - job["StartDate"]).total_seconds()
        result.files.append((stop - start, seconds))
        result.import_seconds += seconds
        print(f"  imported {stop - start:,} users in {seconds:.1f} s ({(stop - start) / seconds:,.0f}/s)",
              flush=True)
    result.import_wall = time.perf_counter() - wall


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    return (statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.99) - 1] * 1000, ordered[-1] * 1000)


def lookups(idp: Any, pool_id: str, users: int) -> dict[str, Callable[[], Any]]:
    prefixes = max(1, users // 1000)

    def admin_get_user() -> Any:
        return idp.admin_get_user(UserPoolId=pool_id, Username=username(random.randrange(users)))

    def by_email() -> Any:
        found = idp.list_users(UserPoolId=pool_id, Filter=f'email = "{email(random.randrange(users))}"', Limit=60)
        assert len(found["Users"]) == 1, found
        return found

    def by_prefix() -> Any:
        found = idp.list_users(UserPoolId=pool_id, Filter=f'email ^= "user{random.randrange(prefixes):04d}"',
                               Limit=60)
        assert len(found["Users"]) == min(60, users), len(found["Users"])
        return found

    return {"AdminGetUser": admin_get_user, 'ListUsers email = "…"': by_email,
            'ListUsers email ^= "user0001"': by_prefix}


def measure(server: CognateServer, calls: dict[str, Callable[[], Any]], count: int, result: Result) -> None:
    for name, call in calls.items():
        for _ in range(max(200, count // 10)):  # warm-up: connections, caches, branch predictors
            call()
        offset = server.log_size()
        samples = []
        for _ in range(count):
            started = time.perf_counter()
            call()
            samples.append(time.perf_counter() - started)
        result.latency[name] = percentiles(samples)
        result.server_latency[name] = percentiles(server_times(server, offset, count))
        p50, p99, worst = result.latency[name]
        s50, s99, _ = result.server_latency[name]
        print(f"  {name}: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {worst:.2f} ms "
              f"(inside the server: p50 {s50:.2f} ms, p99 {s99:.2f} ms)", flush=True)


def server_times(server: CognateServer, offset: int, calls: int) -> list[float]:
    """Seconds each AWS call spent in the server, from its access log (one JSON line per request). The server
    writes a line once the response has gone, so wait (a bounded while) for the last ones."""
    times: list[float] = []
    for _ in range(100):
        times = []
        for line in server.log_text(offset).splitlines():
            if line.startswith("{") and '"operation": "' in line and '"operation": ""' not in line:
                times.append(json.loads(line)["ms"] / 1000)
        if len(times) >= calls:
            break
        time.sleep(0.02)
    if len(times) < calls:
        raise SystemExit(f"the access log shows {len(times)} of {calls} calls")
    return times


def explain(server: CognateServer, pool_id: str, users: int, result: Result) -> None:
    """EXPLAIN the very SQL the server runs for the three lookups (captured from the store's own code)."""
    from sqlalchemy import event

    from cognate.config import Settings
    from cognate.store.sql.engine import SqlStore

    url = Settings(data_dir=server.data_dir, database_url=server.database_url or "").resolved_database_url()
    store = SqlStore(url)
    captured: list[tuple[str, Any]] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, params, context, many: captured.append((statement, params)))
    cases: dict[str, Callable[[Any], Any]] = {
        "AdminGetUser": lambda uow: uow.users.get(pool_id, username(users // 2)),
        'ListUsers email = "…"': lambda uow: uow.users.search(pool_id, "email", "=", email(users // 2), None, 61),
        'ListUsers email ^= "user0001"': lambda uow: uow.users.search(pool_id, "email", "^=", "user0001", None, 61),
    }
    try:
        for name, run in cases.items():
            with store.read() as uow:
                captured.clear()
                run(uow)
                statement, params = captured[-1]
                prefix = "EXPLAIN QUERY PLAN " if store.dialect == "sqlite" else "EXPLAIN "
                rows = uow.conn.exec_driver_sql(prefix + statement, params).fetchall()
            plan = [str(r[-1]).strip() for r in rows]
            result.plans[name] = plan
            key = "username_key" if name == "AdminGetUser" else "email_key"
            if not _walks_index(store.dialect, plan, key):
                result.scans.append(f"{name}: {' | '.join(plan)}")
            print(f"  plan {name}: {' | '.join(plan)}", flush=True)
    finally:
        store.close()


def _walks_index(dialect: str, plan: list[str], key: str) -> bool:
    """The lookup's column bounds an index range: not a table scan, nor a walk of another index with a filter
    (an "Index Scan" on (pool_id, id) filtering email_key reads the whole pool)."""
    if dialect == "sqlite":
        # "SEARCH users USING INDEX ix (pool_id=? AND email_key=?)" is a range; "SCAN users" walks the table.
        return not any(line.startswith("SCAN") for line in plan) and any(
            line.startswith("SEARCH") and key in line for line in plan)
    return not any("Seq Scan" in line for line in plan) and any(
        line.startswith("Index Cond") and key in line for line in plan)


def cold_start(server: CognateServer, pool_id: str, users: int, result: Result) -> None:
    """First calls after a restart: a new process, its SQLite page cache or PostgreSQL connections empty (the OS
    page cache is shared with other tenants of this machine and is not dropped)."""
    server.restart()
    idp = server.client("cognito-idp")
    for name, call in lookups(idp, pool_id, users).items():
        offset = server.log_size()
        started = time.perf_counter()
        call()
        result.cold[name] = (time.perf_counter() - started) * 1000
        result.cold_server[name] = server_times(server, offset, 1)[0] * 1000
        print(f"  first {name} after restart: {result.cold[name]:.1f} ms "
              f"(inside the server: {result.cold_server[name]:.1f} ms)", flush=True)


def run_store(store: str, users: int, calls: int, workdir: Path) -> Result:
    result = Result(store, users)
    admin: PostgresAdmin | None = None
    database = None
    database_url = None
    if store == "postgresql":
        admin, reason = PostgresAdmin.discover()
        if admin is None:
            raise SystemExit(reason)
        database = admin.create_database("cognate_bench_")
        database_url = admin.database_url(database)
    # Log level info: the access log gives each call's time inside the server.
    server = CognateServer(workdir / store, database_url=database_url, log_path=workdir / f"{store}.log",
                           extra_env={"COGNATE_LOG_LEVEL": "info"})
    try:
        server.start()
        print(f"[{store}] cognate serve pid {server.pid}, log {server.log_path}", flush=True)
        idp = server.client("cognito-idp")
        pool_id = idp.create_user_pool(PoolName="bench", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
        import_users(idp, pool_id, users, result)
        explain(server, pool_id, users, result)
        measure(server, lookups(idp, pool_id, users), calls, result)
        assert server.pid is not None
        result.rss_mb, result.peak_rss_mb = rss(server.pid)
        print(f"  server RSS {result.rss_mb:.0f} MB (peak {result.peak_rss_mb:.0f} MB)", flush=True)
        cold_start(server, pool_id, users, result)
    finally:
        server.stop()
        if admin is not None and database is not None:
            admin.drop_database(database)
    return result


def report(results: list[Result], users: int) -> str:
    lines = [f"| {users:,} users | " + " | ".join(r.store for r in results) + " |",
             "|---|" + "---|" * len(results)]

    def line(label: str, cell: Callable[[Result], str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(r) for r in results) + " |")

    line("import rate (server-side, users/s)", lambda r: f"{r.users / r.import_seconds:,.0f}")
    line("import time (server-side / wall incl. CSV generation and upload)",
         lambda r: f"{r.import_seconds:.1f} s / {r.import_wall:.1f} s")
    for name in results[0].latency:
        line(f"{name} p50 / p99 (max), through boto3",
             lambda r, n=name: "{:.2f} / {:.2f} ms ({:.1f})".format(*r.latency[n]))
        line(f"{name} p50 / p99, inside the server",
             lambda r, n=name: "{:.2f} / {:.2f} ms".format(*r.server_latency[n][:2]))
    for name in results[0].cold:
        line(f"first {name} after restart: through boto3 (inside the server)",
             lambda r, n=name: f"{r.cold[n]:.1f} ms ({r.cold_server[n]:.1f} ms)")
    line("server RSS after the run (peak)", lambda r: f"{r.rss_mb:.0f} MB ({r.peak_rss_mb:.0f} MB)")
    line("lookups walk an index (EXPLAIN)", lambda r: "yes" if not r.scans else "NO: " + "; ".join(r.scans))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--calls", type=int, default=2000, help="measured calls per lookup (default 2000)")
    args = parser.parse_args()
    isolate_aws_config()
    random.seed(7)
    stores = ["sqlite", "postgresql"] if args.store == "both" else [args.store]
    print(f"directory benchmark: {args.users:,} users, stores {', '.join(stores)}, {args.calls} calls per lookup; "
          f"nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="cognate-bench-") as tmp:
        results = [run_store(store, args.users, args.calls, Path(tmp)) for store in stores]
    print()
    print(report(results, args.users))
    failed = [f"{r.store}: {scan}" for r in results for scan in r.scans]
    if failed:
        print("\nTABLE SCAN in the SQL of a lookup:\n  " + "\n  ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
