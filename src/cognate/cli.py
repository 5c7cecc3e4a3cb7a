"""``cognate``: the server and its admin helpers (DESIGN.md §2, Process)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from cognate.config import Settings, load_settings

if TYPE_CHECKING:
    from cognate.domain.context import Deps


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config, {"host": getattr(args, "host", None), "port": getattr(args, "port", None),
                                       "data_dir": args.data_dir, "database_url": args.database_url})


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    """SIGTERM/SIGINT outside uvicorn's own handling: a clean exit (status 0), not death by signal."""
    raise SystemExit(0)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from cognate.app import build
    from cognate.web.server import build_web_app

    # uvicorn stops gracefully on SIGTERM/SIGINT, then re-raises the signal to the handler it found installed:
    # with the default handler the process would die by the signal (status -15) after a clean shutdown.
    # This handler turns it into exit status 0, and covers a signal arriving during start-up (migrations).
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _exit_cleanly)
    settings = _settings(args)
    logging.basicConfig(level=settings.log_level.upper(), format="%(message)s", stream=sys.stderr)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    cognate = build(settings)
    app = build_web_app(cognate)
    # uvicorn handles SIGTERM: it stops accepting, finishes in-flight requests, then runs shutdown.
    uvicorn.run(app, host=settings.host, port=settings.port, access_log=False, log_level="warning",
                lifespan="on", timeout_graceful_shutdown=10)
    return 0


def _outbox(args: argparse.Namespace) -> int:
    from cognate.store.sql.engine import SqlStore

    settings = _settings(args)
    store = SqlStore(settings.resolved_database_url())
    store.migrate()
    with store.read() as uow:
        for message in reversed(uow.outbox.list(args.limit)):
            subject = f" [{message.subject}]" if message.subject else ""
            print(f"{message.channel} to {message.destination}{subject} ({message.purpose}): {message.body}")
    return 0


def _credentials(args: argparse.Namespace) -> int:
    from cognate.app import root_credentials

    settings = _settings(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    creds, _ = root_credentials(settings)
    print(f"export AWS_ACCESS_KEY_ID={creds.access_key_id}\nexport AWS_SECRET_ACCESS_KEY={creds.secret_access_key}")
    return 0


def _key_deps(args: argparse.Namespace) -> Deps:
    """What the key commands need: the store and the master key the server seals signing keys with. A data
    dir without a master key (and no COGNATE_MASTER_KEY) is refused rather than given a new one, which
    would seal keys the server cannot open."""
    from cognate.app import build_deps
    from cognate.store.sql.engine import SqlStore

    settings = _settings(args)
    if not settings.master_key and not (settings.data_dir / "master.key").exists():
        raise SystemExit(f"cognate: no master key in {settings.data_dir} and COGNATE_MASTER_KEY is not set; "
                         "pass the server's --data-dir")
    store = SqlStore(settings.resolved_database_url())
    store.migrate()
    return build_deps(settings, store)


def _keys_list(args: argparse.Namespace) -> int:
    """Every signing key of the pool, newest last: in use, retired (still in the JWKS for a day), or gone."""
    from cognate.clock import utc
    from cognate.domain.tokens import keys

    deps = _key_deps(args)
    with deps.store.read() as uow:
        if uow.pools.get(args.pool) is None:
            print(f"cognate: user pool {args.pool} does not exist", file=sys.stderr)
            return 1
        found = uow.keys.for_pool(args.pool)
        published = {k.kid for k in keys.published(deps, uow, args.pool)}
    print("kid\tpurpose\tcreated\tstate")
    for key in found:
        state = "active" if key.retired is None else \
            f"retired {utc(key.retired):%Y-%m-%dT%H:%M:%SZ}" + (" (in JWKS)" if key.kid in published else "")
        print(f"{key.kid}\t{key.purpose}\t{utc(key.created):%Y-%m-%dT%H:%M:%SZ}\t{state}")
    return 0


def _keys_rotate(args: argparse.Namespace) -> int:
    """New ID- and access-token keys for the pool; running servers sign with them from their next token."""
    from cognate.domain.errors import ResourceNotFoundException
    from cognate.domain.tokens import keys

    deps = _key_deps(args)
    try:
        fresh = keys.rotate(deps, args.pool)
    except ResourceNotFoundException as exc:
        print(f"cognate: {exc.message}", file=sys.stderr)
        return 1
    for key in fresh:
        print(f"{key.purpose}\t{key.kid}")
    return 0


def _coverage(args: argparse.Namespace) -> int:
    import cognate.api.idp  # noqa: F401
    from cognate.wire.registry import implemented
    from cognate.wire.shapes import load_service_model

    for service in ("cognito-idp",):
        ops = load_service_model(service).operation_names()
        done = set(implemented(service))
        print(f"## {service}: {len(done)} of {len(ops)} operations\n")
        print("| operation | implemented |\n|---|---|")
        for op in ops:
            print(f"| {op} | {'yes' if op in done else 'no (UnsupportedOperationException)'} |")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="cognate", description="Self-hosted identity with Cognito's protocols")
    sub = root.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", type=Path, default=None, help="data directory (default ./.cognate)")
        p.add_argument("--database-url", default=None, help="sqlite:///... or postgresql://...")
        p.add_argument("--config", type=Path, default=None, help="TOML settings file")

    serve = sub.add_parser("serve", help="run the identity server")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    common(serve)
    serve.set_defaults(func=_serve)
    outbox = sub.add_parser("outbox", help="print messages kept for lack of a transport (newest last)")
    outbox.add_argument("--limit", type=int, default=20)
    common(outbox)
    outbox.set_defaults(func=_outbox)
    credentials = sub.add_parser("credentials", help="print the root SigV4 credentials as shell exports")
    common(credentials)
    credentials.set_defaults(func=_credentials)
    keys = sub.add_parser("keys", help="a user pool's token signing keys: list, rotate")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    keys_list = keys_sub.add_parser("list", help="list the pool's signing keys and their state")
    keys_rotate = keys_sub.add_parser("rotate", help="new signing keys; the old ones stay in the JWKS for a day")
    for command, func in ((keys_list, _keys_list), (keys_rotate, _keys_rotate)):
        command.add_argument("--pool", required=True, help="user pool id, e.g. us-east-1_AbCdEfGhI")
        common(command)
        command.set_defaults(func=func)
    coverage = sub.add_parser("coverage", help="print which AWS operations are implemented")
    coverage.set_defaults(func=_coverage)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:
        # `cognate coverage | head`: the reader left; stop quietly, and keep Python's flush at exit quiet too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
