"""SQL repositories: one small class per port of ``store/ports.py``, all bound to one connection."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ARRAY, String, and_, any_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from cognate.domain.errors import ConcurrentModificationException
from cognate.domain.userpool.model import (
    AppClient,
    Code,
    ImportJob,
    OutboxMessage,
    User,
    UserPool,
    UserStatus,
)
from cognate.store.ports import Cursor
from cognate.store.sql.prepared import Prepared
from cognate.store.sql.repos_auth import SqlGroups, SqlKeys, SqlRefreshTokens, SqlSecurity, SqlSessions
from cognate.store.sql.tables import (
    SEARCH_COLUMNS,
    codes,
    import_jobs,
    outbox,
    user_pool_clients,
    user_pools,
    users,
)

_POOL = Prepared(select(user_pools).where(user_pools.c.id == bindparam("id")))
_CLIENT = Prepared(select(user_pool_clients).where(user_pool_clients.c.id == bindparam("id")))
_USER_BY_KEY = Prepared(select(users).where(users.c.pool_id == bindparam("pool_id"),
                                            users.c.username_key == bindparam("key")))
_USER_BY_SUB = Prepared(select(users).where(users.c.pool_id == bindparam("pool_id"), users.c.sub == bindparam("sub")))
_USER_BY_ID = Prepared(select(users).where(users.c.id == bindparam("id")))


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


class SqlPools:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @staticmethod
    def _from_row(row: RowMapping | dict[str, Any]) -> UserPool:
        return UserPool(id=row["id"], name=row["name"], created=row["created"], modified=row["modified"],
                        config=json.loads(row["config"]), user_count=row["user_count"])

    def add(self, pool: UserPool) -> None:
        self.conn.execute(insert(user_pools).values(
            id=pool.id, name=pool.name, created=pool.created, modified=pool.modified,
            config=_dumps(pool.config), user_count=0))

    def get(self, pool_id: str, *, for_update: bool = False) -> UserPool | None:
        if for_update and self.conn.dialect.name == "postgresql":
            query = select(user_pools).where(user_pools.c.id == pool_id).with_for_update()
            row: RowMapping | dict[str, Any] | None = self.conn.execute(query).mappings().first()
        else:
            row = _POOL.first(self.conn, id=pool_id)
        return self._from_row(row) if row else None

    def update(self, pool: UserPool) -> None:
        self.conn.execute(update(user_pools).where(user_pools.c.id == pool.id).values(
            name=pool.name, modified=pool.modified, config=_dumps(pool.config)))

    def delete(self, pool_id: str) -> None:
        # Explicit children first: SQLite enforces cascades only with foreign_keys=ON, PostgreSQL always.
        user_ids = select(users.c.id).where(users.c.pool_id == pool_id).scalar_subquery()
        self.conn.execute(delete(codes).where(codes.c.user_id.in_(user_ids)))
        for table in (users, user_pool_clients, import_jobs):
            self.conn.execute(delete(table).where(table.c.pool_id == pool_id))
        self.conn.execute(delete(user_pools).where(user_pools.c.id == pool_id))

    def list(self, region: str, after: str | None, limit: int) -> list[UserPool]:
        query = select(user_pools).where(user_pools.c.id.like(f"{region}\\_%", escape="\\"))
        if after:
            query = query.where(user_pools.c.id > after)
        rows = self.conn.execute(query.order_by(user_pools.c.id).limit(limit)).mappings()
        return [self._from_row(r) for r in rows]

    def adjust_user_count(self, pool_id: str, delta: int) -> None:
        self.conn.execute(update(user_pools).where(user_pools.c.id == pool_id)
                          .values(user_count=user_pools.c.user_count + delta))


class SqlClients:
    def __init__(self, conn: Connection, unseal: Any = None) -> None:
        self.conn = conn

    @staticmethod
    def _from_row(row: RowMapping | dict[str, Any]) -> AppClient:
        secret = row["secret"]
        return AppClient(id=row["id"], pool_id=row["pool_id"], name=row["name"], created=row["created"],
                         modified=row["modified"], config=json.loads(row["config"]),
                         secret=secret.decode() if secret is not None else None)

    @staticmethod
    def _values(client: AppClient) -> dict[str, Any]:
        return {"name": client.name, "modified": client.modified, "config": _dumps(client.config),
                "secret": client.secret.encode() if client.secret is not None else None}

    def add(self, client: AppClient) -> None:
        self.conn.execute(insert(user_pool_clients).values(
            id=client.id, pool_id=client.pool_id, created=client.created, **self._values(client)))

    def get(self, client_id: str) -> AppClient | None:
        row = _CLIENT.first(self.conn, id=client_id)
        return self._from_row(row) if row else None

    def update(self, client: AppClient) -> None:
        self.conn.execute(update(user_pool_clients).where(user_pool_clients.c.id == client.id)
                          .values(**self._values(client)))

    def delete(self, client_id: str) -> None:
        self.conn.execute(delete(user_pool_clients).where(user_pool_clients.c.id == client_id))

    def list(self, pool_id: str, after: str | None, limit: int) -> list[AppClient]:
        query = select(user_pool_clients).where(user_pool_clients.c.pool_id == pool_id)
        if after:
            query = query.where(user_pool_clients.c.id > after)
        rows = self.conn.execute(query.order_by(user_pool_clients.c.id).limit(limit)).mappings()
        return [self._from_row(r) for r in rows]


def search_key(value: str) -> str:
    """The form a searchable value is kept and looked up in: lower-cased, and without NUL characters, which
    PostgreSQL text cannot hold (attribute values and ListUsers filters may carry them)."""
    return value.lower().replace("\x00", "")


def search_keys(attributes: dict[str, str]) -> dict[str, str | None]:
    """Lower-cased copies of the searchable attributes: ListUsers matches them case-insensitively."""
    return {col: (search_key(attributes[attr]) if attr in attributes else None) for attr, col in SEARCH_COLUMNS.items()}


_SEARCH_FIELDS = {"username": "username_key", **SEARCH_COLUMNS}
_USER_ROW = ("pool_id", "created", "username", "username_key", "sub", "status", "enabled", "modified", "attributes",
             "password_hash", "password_set_at", *SEARCH_COLUMNS.values())
_INSERT_USERS = f"INSERT INTO users ({', '.join(_USER_ROW)}) VALUES ({', '.join('?' * len(_USER_ROW))})"
_COPY_USERS = f"COPY users ({', '.join(_USER_ROW)}) FROM STDIN"
# _dumps' output from one encoder: json.dumps builds a new encoder per call when given separators.
_encode = json.JSONEncoder(separators=(",", ":")).encode


class SqlUsers:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @staticmethod
    def _from_row(row: RowMapping | dict[str, Any]) -> User:
        return User(id=row["id"], pool_id=row["pool_id"], username=row["username"],
                    username_key=row["username_key"], sub=row["sub"], status=UserStatus(row["status"]),
                    enabled=bool(row["enabled"]), created=row["created"], modified=row["modified"],
                    attributes=json.loads(row["attributes"]), password_hash=row["password_hash"],
                    password_set_at=row["password_set_at"])

    @staticmethod
    def _values(user: User) -> dict[str, Any]:
        return {"username": user.username, "username_key": user.username_key, "sub": user.sub,
                "status": user.status.value, "enabled": user.enabled, "modified": user.modified,
                "attributes": _dumps(user.attributes), "password_hash": user.password_hash,
                "password_set_at": user.password_set_at, **search_keys(user.attributes)}

    def add(self, user: User) -> User:
        result = self.conn.execute(insert(users).values(pool_id=user.pool_id, created=user.created,
                                                        **self._values(user)))
        key = result.inserted_primary_key
        assert key is not None
        user.id = int(key[0])
        return user

    @staticmethod
    def _row(u: User) -> tuple[Any, ...]:
        a = u.attributes
        return (u.pool_id, u.created, u.username, u.username_key, u.sub, u.status.value, u.enabled, u.modified,
                _encode(a), u.password_hash, u.password_set_at,
                *[(a[attr].lower() if attr in a else None) for attr in SEARCH_COLUMNS])

    def add_many(self, batch: Sequence[User]) -> None:
        """Many users in one round trip: COPY on PostgreSQL, one prepared ``executemany`` on SQLite.

        Both skip SQLAlchemy's per-row parameter processing, which costs more than the insert itself at the
        rate user import jobs load users. A username or sub committed meanwhile by another transaction raises
        ``ConcurrentModificationException``: the transaction is lost and the caller may retry the batch.
        """
        if not batch:
            return
        rows = [self._row(u) for u in batch]
        try:
            if self.conn.dialect.name == "postgresql":
                self._copy(rows)
            else:
                self.conn.exec_driver_sql(_INSERT_USERS, rows)
        except IntegrityError as exc:
            raise ConcurrentModificationException("A user of this batch was created concurrently.") from exc

    def _copy(self, rows: list[tuple[Any, ...]]) -> None:
        import psycopg

        raw: Any = self.conn.connection.dbapi_connection
        try:
            with raw.cursor() as cur, cur.copy(_COPY_USERS) as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.errors.UniqueViolation as exc:
            raise ConcurrentModificationException("A user of this batch was created concurrently.") from exc

    def get(self, pool_id: str, username_key: str) -> User | None:
        row = _USER_BY_KEY.first(self.conn, pool_id=pool_id, key=username_key)
        return self._from_row(row) if row else None

    def get_by_sub(self, pool_id: str, sub: str) -> User | None:
        row = _USER_BY_SUB.first(self.conn, pool_id=pool_id, sub=sub)
        return self._from_row(row) if row else None

    def get_by_id(self, user_id: int) -> User | None:
        row = _USER_BY_ID.first(self.conn, id=user_id)
        return self._from_row(row) if row else None

    def find_by_attribute(self, pool_id: str, attribute: str, value: str, limit: int = 10) -> list[User]:
        column = users.c[SEARCH_COLUMNS[attribute]]
        rows = self.conn.execute(select(users).where(users.c.pool_id == pool_id, column == search_key(value))
                                 .order_by(users.c.id).limit(limit)).mappings()
        return [self._from_row(r) for r in rows]

    def existing_keys(self, pool_id: str, username_keys: Sequence[str]) -> set[str]:
        keys = list(username_keys)
        match: ColumnElement[bool] = users.c.username_key.in_(keys)
        if self.conn.dialect.name == "postgresql":
            # One array parameter: an IN list of 10,000 placeholders (an import batch) costs more to build and
            # parse than the index lookups themselves.
            match = users.c.username_key == any_(bindparam("keys", keys, type_=ARRAY(String)))
        rows = self.conn.execute(select(users.c.username_key).where(users.c.pool_id == pool_id, match))
        return {r[0] for r in rows}

    def update(self, user: User) -> None:
        self.conn.execute(update(users).where(users.c.id == user.id).values(**self._values(user)))

    def delete(self, user: User) -> None:
        self.conn.execute(delete(codes).where(codes.c.user_id == user.id))
        self.conn.execute(delete(users).where(users.c.id == user.id))

    def search(self, pool_id: str, field: str | None, op: str, value: object, after: Cursor | None,
               limit: int) -> list[tuple[User, Cursor]]:
        """Users of a pool, optionally filtered on one column, walking that column's index.

        ``field`` is ``username``, ``sub``, ``status``, ``enabled`` or a searchable attribute; ``op`` is ``=``,
        ``^=`` or ``in`` (``value`` then a tuple). An equality or ``in`` scan is ordered by id within the (pool,
        column, value) index; a prefix scan by (value, id), its cursor being the last (value, id) returned.
        Each page is one index range scan.
        """
        query = select(users).where(users.c.pool_id == pool_id)
        if field is not None:
            field = _SEARCH_FIELDS.get(field, field)
        if isinstance(value, str):
            value = value.replace("\x00", "")
        if field is None or op in ("=", "in"):
            if field is not None:
                wanted = list(value) if isinstance(value, tuple | list) else [value]
                query = query.where(users.c[field].in_(wanted) if op == "in" else users.c[field] == value)
            if after:
                query = query.where(users.c.id > after[1])
            rows = self.conn.execute(query.order_by(users.c.id).limit(limit)).mappings()
            return [(u, ("", int(u.id or 0))) for u in map(self._from_row, rows)]
        column: ColumnElement[Any] = users.c[field]
        if self.conn.dialect.name == "postgresql" and field in ("sub", "status"):
            # Not key columns (no "C" collation): a linguistic collation would bend the byte range below.
            column = column.collate("C")
        prefix = str(value)
        # A half-open range instead of LIKE: index-backed on both stores and free of wildcard escaping.
        query = query.where(column >= prefix, column < prefix + "\U0010ffff")
        if after:
            query = query.where(or_(column > after[0], and_(column == after[0], users.c.id > after[1])))
        rows = self.conn.execute(query.order_by(column, users.c.id).limit(limit)).mappings()
        return [(self._from_row(r), (str(r[field]), int(r["id"]))) for r in rows]


class SqlCodes:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def put(self, user_id: int, purpose: str, code_hash: str, created: float, expires: float) -> None:
        # A new code replaces the previous one: only the latest code sent is valid, as in Cognito.
        self.discard(user_id, purpose)
        self.conn.execute(insert(codes).values(user_id=user_id, purpose=purpose, code_hash=code_hash,
                                               created=created, expires=expires, attempts=0))

    def get(self, user_id: int, purpose: str) -> Code | None:
        row = self.conn.execute(select(codes).where(codes.c.user_id == user_id, codes.c.purpose == purpose)
                                .order_by(codes.c.id.desc()).limit(1)).mappings().first()
        if row is None:
            return None
        return Code(id=row["id"], user_id=row["user_id"], purpose=row["purpose"], code_hash=row["code_hash"],
                    created=row["created"], expires=row["expires"], attempts=row["attempts"])

    def count_since(self, user_id: int, purpose: str, since: float) -> int:
        return int(self.conn.execute(select(func.count()).select_from(codes).where(
            codes.c.user_id == user_id, codes.c.purpose == purpose, codes.c.created >= since)).scalar_one())

    def record_failure(self, code_id: int) -> None:
        self.conn.execute(update(codes).where(codes.c.id == code_id).values(attempts=codes.c.attempts + 1))

    def consume(self, code_id: int) -> bool:
        return self.conn.execute(delete(codes).where(codes.c.id == code_id)).rowcount == 1

    def discard(self, user_id: int, purpose: str) -> None:
        self.conn.execute(delete(codes).where(codes.c.user_id == user_id, codes.c.purpose == purpose))


class SqlOutbox:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, message: OutboxMessage) -> None:
        self.conn.execute(insert(outbox).values(
            created=message.created, channel=message.channel, destination=message.destination,
            subject=message.subject, body=message.body, purpose=message.purpose))

    def list(self, limit: int) -> list[OutboxMessage]:
        rows = self.conn.execute(select(outbox).order_by(outbox.c.id.desc()).limit(limit)).mappings()
        return [OutboxMessage(id=r["id"], created=r["created"], channel=r["channel"], destination=r["destination"],
                              subject=r["subject"], body=r["body"], purpose=r["purpose"]) for r in rows]


_RUNNING = ("Pending", "InProgress", "Stopping")
_CSV_PIECE = 4 * 1024 * 1024
_JOB_FIELDS = ("id", "pool_id", "name", "status", "created", "role_arn", "upload_token", "upload_expires",
               "hashing_algorithm", "started", "completed", "imported", "skipped", "failed", "message")


class SqlImportJobs:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _query(self) -> Any:
        # The CSV column is left out: it can weigh 100 MB and only the worker reads it (read_csv).
        return select(*(import_jobs.c[f] for f in _JOB_FIELDS))

    def _one(self, query: Any, for_update: bool = False) -> ImportJob | None:
        if for_update and self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self.conn.execute(query).mappings().first()
        return ImportJob(**row) if row else None

    def add(self, job: ImportJob) -> None:
        self.conn.execute(insert(import_jobs).values(**{f: getattr(job, f) for f in _JOB_FIELDS}))

    def get(self, job_id: str, *, for_update: bool = False) -> ImportJob | None:
        return self._one(self._query().where(import_jobs.c.id == job_id), for_update)

    def by_upload_token(self, token: str) -> ImportJob | None:
        return self._one(self._query().where(import_jobs.c.upload_token == token))

    def update(self, job: ImportJob) -> None:
        self.conn.execute(update(import_jobs).where(import_jobs.c.id == job.id)
                          .values(**{f: getattr(job, f) for f in _JOB_FIELDS if f != "id"}))

    def count(self, pool_id: str) -> int:
        return int(self.conn.execute(select(func.count()).select_from(import_jobs)
                                     .where(import_jobs.c.pool_id == pool_id)).scalar_one())

    def running(self, *, for_update: bool = False) -> list[ImportJob]:
        query = self._query().where(import_jobs.c.status.in_(_RUNNING))
        if for_update and self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        return [ImportJob(**r) for r in self.conn.execute(query).mappings()]

    def list(self, pool_id: str, after: tuple[float, str] | None, limit: int) -> list[ImportJob]:
        c = import_jobs.c
        query = self._query().where(c.pool_id == pool_id)
        if after:
            query = query.where(or_(c.created < after[0], and_(c.created == after[0], c.id < after[1])))
        rows = self.conn.execute(query.order_by(c.created.desc(), c.id.desc()).limit(limit)).mappings()
        return [ImportJob(**r) for r in rows]

    # The CSV (up to 100 MB) moves in pieces. Sent or fetched whole, it stays in memory after the transaction:
    # pysqlite keeps a cached statement's last bound parameters, and libpq never shrinks a connection's
    # buffers from the largest message it carried, so each pooled connection would keep one file's worth.
    def put_csv(self, job_id: str, data: bytes | bytearray | None) -> None:
        where = import_jobs.c.id == job_id
        if not data:
            self.conn.execute(update(import_jobs).where(where).values(csv=None if data is None else b""))
            return
        view = memoryview(data)
        if self.conn.dialect.name == "sqlite":
            self.conn.execute(update(import_jobs).where(where).values(csv=func.zeroblob(len(data))))
            with self._blob(job_id, readonly=False) as blob:
                for start in range(0, len(data), _CSV_PIECE):
                    blob.write(view[start:start + _CSV_PIECE])
            return
        self.conn.execute(update(import_jobs).where(where).values(csv=b""))
        for start in range(0, len(data), _CSV_PIECE):
            piece = bytes(view[start:start + _CSV_PIECE])
            self.conn.execute(update(import_jobs).where(where).values(csv=import_jobs.c.csv.op("||")(piece)))

    def csv_size(self, job_id: str) -> int | None:
        size = self.conn.execute(select(func.length(import_jobs.c.csv)).where(import_jobs.c.id == job_id)).scalar()
        return int(size) if size is not None else None

    def read_csv(self, job_id: str, offset: int, size: int) -> bytes:
        if self.conn.dialect.name == "sqlite":
            with self._blob(job_id, readonly=True) as blob:
                blob.seek(offset)
                return bytes(blob.read(size))
        piece = self.conn.execute(select(func.substring(import_jobs.c.csv, offset + 1, size))
                                  .where(import_jobs.c.id == job_id)).scalar()
        return bytes(piece or b"")

    def _blob(self, job_id: str, *, readonly: bool) -> Any:
        """SQLite's incremental blob I/O on the job's CSV (no bound parameter holds the data)."""
        rowid = self.conn.exec_driver_sql("SELECT rowid FROM import_jobs WHERE id = ?", (job_id,)).scalar_one()
        raw: Any = self.conn.connection.dbapi_connection
        return raw.blobopen("import_jobs", "csv", rowid, readonly=readonly)

    def in_progress(self, pool_id: str) -> bool:
        return self.conn.execute(select(import_jobs.c.id).where(
            import_jobs.c.pool_id == pool_id, import_jobs.c.status.in_(_RUNNING)).limit(1)).first() is not None

    def refresh_statistics(self) -> None:
        # Without fresh statistics PostgreSQL may walk (pool_id, id) in id order and filter on email_key, i.e.
        # read the whole pool, until autovacuum analyzes. SQLite plans these lookups without statistics.
        if self.conn.dialect.name == "postgresql":
            self.conn.exec_driver_sql("ANALYZE users")


class SqlUnitOfWork:
    def __init__(self, conn: Connection, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect
        self.pools = SqlPools(conn)
        self.clients = SqlClients(conn)
        self.users = SqlUsers(conn)
        self.codes = SqlCodes(conn)
        self.outbox = SqlOutbox(conn)
        self.import_jobs = SqlImportJobs(conn)
        self.keys = SqlKeys(conn)
        self.refresh_tokens = SqlRefreshTokens(conn)
        self.sessions = SqlSessions(conn)
        self.security = SqlSecurity(conn)
        self.groups = SqlGroups(conn)
