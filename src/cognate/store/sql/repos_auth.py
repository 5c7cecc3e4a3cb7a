"""SQL repositories of sign-in (ports in ``store/auth_ports.py``)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from sqlalchemy import Select, and_, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from cognate.domain.auth.model import AuthSession, Group, RefreshToken, SigningKey, UserSecurity
from cognate.domain.userpool.model import User
from cognate.store.sql.prepared import Prepared
from cognate.store.sql.tables import (
    auth_sessions,
    groups,
    refresh_tokens,
    revoked_origins,
    signing_keys,
    user_groups,
    user_security,
    users,
)

# Statements of the hot paths (every sign-in, refresh and token-authenticated call), built once: SQLAlchemy
# then reuses their compiled form and skips rebuilding the expression, about half the cost of a point query.
_KEYS_OF_POOL = Prepared(select(signing_keys).where(signing_keys.c.pool_id == bindparam("pool_id"))
                          .order_by(signing_keys.c.created, signing_keys.c.kid))
_KEY = Prepared(select(signing_keys).where(signing_keys.c.kid == bindparam("kid")))
_REFRESH_TOKEN = Prepared(select(refresh_tokens).where(refresh_tokens.c.id == bindparam("id")))
_ORIGIN_REVOKED = Prepared(select(revoked_origins.c.origin_jti)
                           .where(revoked_origins.c.origin_jti == bindparam("origin")))
_SESSION = Prepared(select(auth_sessions).where(auth_sessions.c.id == bindparam("id")))
_DELETE_SESSION = Prepared(delete(auth_sessions).where(auth_sessions.c.id == bindparam("id")))
_SECURITY_SELECT = select(user_security).where(user_security.c.user_id == bindparam("user_id"))
_SECURITY = Prepared(_SECURITY_SELECT)
_SECURITY_FOR_UPDATE = _SECURITY_SELECT.with_for_update()
_UPDATE_SECURITY = (update(user_security).where(user_security.c.user_id == bindparam("key"))
                    .values({c.name: bindparam(c.name) for c in user_security.c if c.name != "user_id"}))
# Every column a bind parameter named after it: the dataclasses' fields are the tables' columns.
_INSERT_REFRESH_TOKEN = Prepared(insert(refresh_tokens))
_INSERT_SESSION = Prepared(insert(auth_sessions))
_EXPIRED_SESSIONS_BATCH = 100
_SWEEPS: dict[str, Prepared] = {}


_GROUPS_OF_USER: dict[str, Prepared] = {}


def _sweep_expired_sessions(dialect: str) -> Prepared:
    """DELETE a batch of expired sessions; on PostgreSQL rows another transaction holds are skipped, so two
    sweeps never wait on each other (or deadlock). Built once per dialect."""
    if dialect not in _SWEEPS:
        expired = (select(auth_sessions.c.id).where(auth_sessions.c.expires < bindparam("now"))
                   .limit(_EXPIRED_SESSIONS_BATCH))
        if dialect == "postgresql":
            expired = expired.with_for_update(skip_locked=True)
        _SWEEPS[dialect] = Prepared(delete(auth_sessions).where(auth_sessions.c.id.in_(expired.scalar_subquery())))
    return _SWEEPS[dialect]


class SqlKeys:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @staticmethod
    def _from_row(row: RowMapping | dict[str, Any]) -> SigningKey:
        return SigningKey(kid=row["kid"], pool_id=row["pool_id"], purpose=row["purpose"],
                          private_key=row["private_key"], public_jwk=json.loads(row["public_jwk"]),
                          created=row["created"], retired=row["retired"])

    def add(self, key: SigningKey) -> None:
        values = asdict(key)
        values["public_jwk"] = json.dumps(key.public_jwk)
        self.conn.execute(insert(signing_keys).values(**values))

    def for_pool(self, pool_id: str) -> list[SigningKey]:
        """Oldest first (by creation time, then kid)."""
        return [self._from_row(r) for r in _KEYS_OF_POOL.all(self.conn, pool_id=pool_id)]

    def get(self, kid: str) -> SigningKey | None:
        row = _KEY.first(self.conn, kid=kid)
        return self._from_row(row) if row else None

    def retire(self, kid: str, when: float) -> None:
        self.conn.execute(update(signing_keys).where(signing_keys.c.kid == kid, signing_keys.c.retired.is_(None))
                          .values(retired=when))


class SqlRefreshTokens:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, token: RefreshToken) -> None:
        _INSERT_REFRESH_TOKEN.run(self.conn, **asdict(token))

    def get(self, token_id: str) -> RefreshToken | None:
        row = _REFRESH_TOKEN.first(self.conn, id=token_id)
        return RefreshToken(**row) if row else None

    def update(self, token: RefreshToken) -> None:
        values = asdict(token)
        values.pop("id")
        self.conn.execute(update(refresh_tokens).where(refresh_tokens.c.id == token.id).values(**values))

    def revoke_for_user(self, user_id: int, when: float) -> list[str]:
        """Revoke every live refresh token of a user; returns their origin jtis."""
        live = and_(refresh_tokens.c.user_id == user_id, refresh_tokens.c.revoked.is_(None))
        origins = [r[0] for r in self.conn.execute(select(refresh_tokens.c.origin_jti).where(live))]
        self.conn.execute(update(refresh_tokens).where(live).values(revoked=when))
        return origins

    def revoke_origin(self, origin_jti: str, pool_id: str, when: float, expires: float) -> None:
        """Revoke a sign-in's refresh tokens and remember, until ``expires``, that its access tokens are dead."""
        self.conn.execute(update(refresh_tokens).where(refresh_tokens.c.origin_jti == origin_jti,
                                                       refresh_tokens.c.revoked.is_(None)).values(revoked=when))
        self.conn.execute(delete(revoked_origins).where(revoked_origins.c.expires < when))
        if not self.origin_revoked(origin_jti):
            self.conn.execute(insert(revoked_origins).values(origin_jti=origin_jti, pool_id=pool_id, expires=expires))

    def origin_revoked(self, origin_jti: str) -> bool:
        return _ORIGIN_REVOKED.first(self.conn, origin=origin_jti) is not None


class SqlSessions:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, session: AuthSession) -> None:
        """Store a session, and sweep a batch of expired ones (sessions never answered are removed here)."""
        _sweep_expired_sessions(self.conn.dialect.name).run(self.conn, now=session.created)
        values: dict[str, Any] = asdict(session)
        values["state"] = json.dumps(session.state)
        _INSERT_SESSION.run(self.conn, **values)

    def take(self, session_id: str, now: float) -> AuthSession | None:
        """The session, deleted as it is read: only one caller can ever get it (a concurrent DELETE of the same
        row waits for this transaction and then deletes nothing). Expired ones are None."""
        row = _SESSION.first(self.conn, id=session_id)
        if row is None or _DELETE_SESSION.run(self.conn, id=session_id) != 1:
            return None
        if row["expires"] <= now:
            return None
        return AuthSession(**{**row, "state": json.loads(row["state"])})


class SqlSecurity:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, user_id: int, *, for_update: bool = False) -> UserSecurity:
        """``for_update`` locks the row on PostgreSQL; SQLite write transactions are serialized already."""
        if for_update and self.conn.dialect.name == "postgresql":
            row = self.conn.execute(_SECURITY_FOR_UPDATE, {"user_id": user_id}).mappings().first()
            return UserSecurity(**row) if row else UserSecurity(user_id=user_id)
        found = _SECURITY.first(self.conn, user_id=user_id)
        return UserSecurity(**found) if found else UserSecurity(user_id=user_id)

    def put(self, security: UserSecurity) -> None:
        """Update the row, or create it; two first writers for one user do not collide (upsert)."""
        values = asdict(security)
        done = self.conn.execute(_UPDATE_SECURITY, {**values, "key": security.user_id}).rowcount
        if not done:
            dialect_insert = postgresql_insert if self.conn.dialect.name == "postgresql" else sqlite_insert
            changes = {k: v for k, v in values.items() if k != "user_id"}
            self.conn.execute(dialect_insert(user_security).values(**values)
                              .on_conflict_do_update(index_elements=["user_id"], set_=changes))


class SqlGroups:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @staticmethod
    def _from_row(row: RowMapping | dict[str, Any]) -> Group:
        return Group(pool_id=row["pool_id"], name=row["name"], created=row["created"], modified=row["modified"],
                     description=row["description"], role_arn=row["role_arn"], precedence=row["precedence"])

    @staticmethod
    def _values(group: Group) -> dict[str, Any]:
        return {"description": group.description, "role_arn": group.role_arn, "precedence": group.precedence,
                "modified": group.modified}

    def _groups(self, query: Select[Any]) -> list[Group]:
        return [self._from_row(r) for r in self.conn.execute(query).mappings()]

    def add(self, group: Group) -> None:
        self.conn.execute(insert(groups).values(pool_id=group.pool_id, name=group.name, created=group.created,
                                                **self._values(group)))

    def get(self, pool_id: str, name: str, *, for_update: bool = False) -> Group | None:
        query = select(groups).where(groups.c.pool_id == pool_id, groups.c.name == name)
        if for_update and self.conn.dialect.name == "postgresql":
            # SQLite serializes writers (BEGIN IMMEDIATE); PostgreSQL needs the row lock.
            query = query.with_for_update()
        found = self._groups(query)
        return found[0] if found else None

    def update(self, group: Group) -> None:
        self.conn.execute(update(groups).where(groups.c.pool_id == group.pool_id, groups.c.name == group.name)
                          .values(**self._values(group)))

    def delete(self, pool_id: str, name: str) -> None:
        # The group row first: it waits for (or makes wait) a concurrent AdminAddUserToGroup holding that row,
        # so the membership delete below also sees a member added meanwhile and none is left behind.
        self.conn.execute(delete(groups).where(groups.c.pool_id == pool_id, groups.c.name == name))
        self.conn.execute(delete(user_groups).where(user_groups.c.pool_id == pool_id,
                                                    user_groups.c.group_name == name))

    def count(self, pool_id: str) -> int:
        query = select(func.count()).select_from(groups).where(groups.c.pool_id == pool_id)
        return int(self.conn.execute(query).scalar_one())

    def page(self, pool_id: str, after: str | None, limit: int) -> list[Group]:
        query = select(groups).where(groups.c.pool_id == pool_id)
        if after is not None:
            query = query.where(groups.c.name > after)
        return self._groups(query.order_by(groups.c.name).limit(limit))

    def _membership(self, pool_id: str, name: str, user_id: int) -> ColumnElement[bool]:
        return and_(user_groups.c.pool_id == pool_id, user_groups.c.group_name == name,
                    user_groups.c.user_id == user_id)

    def add_member(self, pool_id: str, name: str, user_id: int) -> bool:
        if self.conn.execute(select(user_groups.c.user_id).where(self._membership(pool_id, name, user_id))
                             ).first() is not None:
            return False
        self.conn.execute(insert(user_groups).values(pool_id=pool_id, group_name=name, user_id=user_id))
        return True

    def remove_member(self, pool_id: str, name: str, user_id: int) -> None:
        self.conn.execute(delete(user_groups).where(self._membership(pool_id, name, user_id)))

    def _of_user(self, user_id: int | BindParameter[int]) -> Select[Any]:
        joined = groups.join(user_groups, and_(user_groups.c.pool_id == groups.c.pool_id,
                                               user_groups.c.group_name == groups.c.name))
        return select(groups).select_from(joined).where(user_groups.c.user_id == user_id)

    def of_user(self, user_id: int) -> list[Group]:
        """Every sign-in reads these (the tokens' group claims): the statement is built once per dialect."""
        dialect = self.conn.dialect.name
        if dialect not in _GROUPS_OF_USER:
            name: ColumnElement[str] = groups.c.name
            if dialect == "postgresql":
                # Code point order, as SQLite's and Python's: both tokens list a user's groups in one order.
                name = name.collate("C")
            _GROUPS_OF_USER[dialect] = Prepared(self._of_user(bindparam("user_id")).order_by(
                groups.c.precedence.is_(None), groups.c.precedence, name))
        return [self._from_row(r) for r in _GROUPS_OF_USER[dialect].all(self.conn, user_id=user_id)]

    def count_of_user(self, user_id: int) -> int:
        query = select(func.count()).select_from(user_groups).where(user_groups.c.user_id == user_id)
        return int(self.conn.execute(query).scalar_one())

    def page_of_user(self, user_id: int, after: str | None, limit: int) -> list[Group]:
        query = self._of_user(user_id)
        if after is not None:
            query = query.where(groups.c.name > after)
        return self._groups(query.order_by(groups.c.name).limit(limit))

    def members(self, pool_id: str, name: str, after: int | None, limit: int) -> list[User]:
        # Imported here: repos.py imports this module, and users are built in one place.
        from cognate.store.sql.repos import SqlUsers

        query = select(users).select_from(users.join(user_groups, user_groups.c.user_id == users.c.id)).where(
            user_groups.c.pool_id == pool_id, user_groups.c.group_name == name)
        if after is not None:
            query = query.where(user_groups.c.user_id > after)
        rows = self.conn.execute(query.order_by(user_groups.c.user_id).limit(limit)).mappings()
        return [SqlUsers._from_row(r) for r in rows]
