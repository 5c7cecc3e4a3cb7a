"""The SQL store: engine set-up for SQLite and PostgreSQL, and one transaction per unit of work.

SQLite runs in WAL mode with ``synchronous=NORMAL``: an acknowledged commit survives the process being
killed (only an OS crash can lose the last commits). Write transactions start with ``BEGIN IMMEDIATE`` so
that two writers never deadlock upgrading a read lock. Writers of this process queue on a lock before they
ask SQLite: SQLite's own busy handler polls with sleeps of up to 100 ms, which under a few concurrent
sign-ins turned millisecond transactions into half-second waits; ``busy_timeout`` remains for other processes.
Reads in WAL mode never wait for writers, so the web layer may run light read-only operations on its event
loop (``reads_never_wait``) instead of paying a thread hop.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from cognate.domain.errors import CognateError
from cognate.store.sql import migrate
from cognate.store.sql.repos import SqlUnitOfWork

_WRITE = "cognate_write"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    # hide_parameters: a logged database error must never carry hashes, verifiers or e-mail addresses.
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True, hide_parameters=True)


def _sqlite_engine(url: str) -> Engine:
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                           pool_size=8, max_overflow=8, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Hand transaction control to us (pysqlite's implicit BEGIN cannot do IMMEDIATE).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000"):
            cur.execute(f"PRAGMA {pragma}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")

    return engine


class SqlStore:
    """The ``Store`` port over SQLAlchemy Core; the only place that opens transactions."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.dialect = self.engine.dialect.name
        self.reads_never_wait = self.dialect == "sqlite"
        self._writers = threading.Lock() if self.dialect == "sqlite" else None

    def migrate(self) -> None:
        migrate.upgrade(self.engine)

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[SqlUnitOfWork]:
        queue: AbstractContextManager[Any] = self._writers if write and self._writers else nullcontext()
        with queue, self.engine.connect() as conn:
            conn = conn.execution_options(**{_WRITE: write})
            tx = conn.begin()
            try:
                yield SqlUnitOfWork(conn, self.dialect)
            except CognateError as exc:
                # A failed attempt that must still count (a wrong code) keeps its writes.
                tx.commit() if exc.keep_writes else tx.rollback()
                raise
            except BaseException:
                tx.rollback()
                raise
            tx.commit()

    def write(self) -> Any:
        return self._transaction(True)

    def read(self) -> Any:
        return self._transaction(False)

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def close(self) -> None:
        self.engine.dispose()
