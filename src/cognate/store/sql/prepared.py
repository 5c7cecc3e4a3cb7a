"""Hot statements run on the driver's cursor, compiled once per dialect.

A primary-key SELECT through SQLAlchemy's ``Connection.execute`` costs about 100 µs of Python on SQLite (cache
key, execution context, result metadata) for about 12 µs of database work, and every token-authenticated
operation makes several. The statements here are still SQLAlchemy Core (one definition for both dialects,
checked against the tables); only their execution skips the per-call machinery. They run inside the unit of
work's transaction, on its connection. Only statements whose columns and parameters need no type processing
belong here: text, numbers, bytes (SQLite's booleans come back as 0/1, which the row mappers pass through
``bool``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.sql import Delete, Insert, Select, Update


class Prepared:
    def __init__(self, statement: Select[Any] | Insert | Update | Delete) -> None:
        self.statement = statement
        self.names = tuple(c.name for c in statement.selected_columns) if isinstance(statement, Select) else ()
        # Per dialect: the SQL, the order of positional parameters, and the values bound in the statement itself
        # (a LIMIT, say).
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}

    def _sql(self, conn: Connection) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
        dialect = conn.dialect
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            order = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup else None
            bound = {k: v for k, v in compiled.params.items() if v is not None}
            found = self._compiled[dialect.name] = (str(compiled), order, bound)
        return found

    def _execute(self, conn: Connection, params: dict[str, Any]) -> Any:
        sql, order, bound = self._sql(conn)
        if bound:
            params = {**bound, **params}
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql, tuple(params[name] for name in order) if order is not None else params)
        except BaseException:
            cursor.close()
            raise
        return cursor

    def first(self, conn: Connection, **params: Any) -> dict[str, Any] | None:
        """The first row as a dict of column names, or None."""
        cursor = self._execute(conn, params)
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        return dict(zip(self.names, row, strict=True)) if row is not None else None

    def all(self, conn: Connection, **params: Any) -> list[dict[str, Any]]:
        cursor = self._execute(conn, params)
        try:
            rows = cursor.fetchall()
        finally:
            cursor.close()
        return [dict(zip(self.names, row, strict=True)) for row in rows]

    def run(self, conn: Connection, **params: Any) -> int:
        """Execute an INSERT, UPDATE or DELETE; the number of rows it touched."""
        cursor = self._execute(conn, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()
