"""Fixtures shared by every test. The machinery lives in `tests/support/`; this file only wires it.

- `smtp`: session SMTP sink (`support.smtp.SmtpSink`), started before any server.
- `store`: "sqlite" or "postgresql" (session-scoped parameter; the latter is marked `postgres`).
- `server`: session `CognateServer` for the store; shared, so tests create their own pools.
- `idp` / `idp_public`: cognito-idp boto3 clients for `server`, signed with the root keys / unsigned.
- `fresh_server`: factory for extra isolated servers (kill/restart tests), stopped at test end.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from support.postgres import PostgresAdmin
from support.require import require
from support.server import CognateServer, ServerFactory, isolate_aws_config
from support.smtp import SmtpSink

_LOG_MARKS = pytest.StashKey[dict[int, int]]()
_AUTO_MARKS = {"e2e": "e2e", "ui": "browser"}


def pytest_configure(config: pytest.Config) -> None:
    isolate_aws_config()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests under tests/e2e are marked `e2e`, those under tests/ui `browser`."""
    tests_dir = Path(__file__).parent
    for item in items:
        try:
            top = item.path.relative_to(tests_dir).parts[0]
        except (ValueError, IndexError):
            continue
        if top in _AUTO_MARKS:
            item.add_marker(_AUTO_MARKS[top])


# --- services --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


@pytest.fixture(scope="session")
def postgres_admin() -> PostgresAdmin:
    admin, reason = PostgresAdmin.discover()
    require(admin is not None, reason)
    assert admin is not None
    return admin


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> str:
    param: str = request.param
    return param


def _factory(request: pytest.FixtureRequest, store: str, smtp: SmtpSink, base_dir: Path) -> ServerFactory:
    admin = request.getfixturevalue("postgres_admin") if store == "postgresql" else None
    return ServerFactory(store, base_dir, smtp_url=smtp.url, postgres=admin)


@pytest.fixture(scope="session")
def server(
    request: pytest.FixtureRequest, store: str, smtp: SmtpSink, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CognateServer]:
    factory = _factory(request, store, smtp, tmp_path_factory.mktemp(f"cognate-{store}"))
    try:
        yield factory()
    finally:
        factory.close()


@pytest.fixture(scope="session")
def idp(server: CognateServer) -> Any:
    return server.client("cognito-idp")


@pytest.fixture(scope="session")
def idp_public(server: CognateServer) -> Any:
    return server.client("cognito-idp", signed=False)


@pytest.fixture
def fresh_server(
    request: pytest.FixtureRequest, store: str, smtp: SmtpSink, tmp_path: Path
) -> Iterator[ServerFactory]:
    """Call it: `fresh_server(extra_env=None, share_with=None, start=True) -> CognateServer`."""
    factory = _factory(request, store, smtp, tmp_path)
    try:
        yield factory
    finally:
        factory.close()


# --- server logs in failure reports ------------------------------------------------------------------


def _servers_of(item: pytest.Item) -> list[CognateServer]:
    found: list[CognateServer] = []
    for value in getattr(item, "funcargs", {}).values():
        if isinstance(value, CognateServer):
            found.append(value)
        elif isinstance(value, ServerFactory):
            found.extend(value.servers)
    return list({id(s): s for s in found}.values())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    item.stash[_LOG_MARKS] = {id(s): s.log_size() for s in _servers_of(item)}
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call" and report.failed:
        marks = item.stash.get(_LOG_MARKS, {})
        for s in _servers_of(item):
            tail = s.log_tail(lines=150, since=marks.get(id(s), 0))
            report.sections.append((f"cognate log {s.url} ({s.log_path})", tail or "(empty)"))
    return report
