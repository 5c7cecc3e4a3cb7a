"""One contract suite for every store (DESIGN.md, house rules): SQLite and PostgreSQL must agree."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cognate.config import Settings
from cognate.domain.errors import CodeMismatchException, UserNotFoundException
from cognate.domain.userpool.model import AppClient, User, UserPool, UserStatus
from cognate.store.sql.engine import SqlStore
from support.postgres import PostgresAdmin


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def sql_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'contract.db'}"
        name = None
        admin: PostgresAdmin | None = None
    else:
        admin = request.getfixturevalue("postgres_admin")
        name = admin.create_database()
        url = Settings(database_url=admin.database_url(name)).resolved_database_url()
    store = SqlStore(url)
    store.migrate()
    store.migrate()  # idempotent: a second start upgrades nothing
    try:
        yield store
    finally:
        store.close()
        if admin is not None and name is not None:
            admin.drop_database(name)


def _pool(store: SqlStore, pool_id: str = "us-east-1_Contract1") -> UserPool:
    pool = UserPool(id=pool_id, name="p", created=1.0, modified=1.0, config={"k": "v"})
    with store.write() as uow:
        uow.pools.add(pool)
    return pool


def _user(pool: UserPool, name: str, **attributes: str) -> User:
    return User(pool_id=pool.id, username=name, username_key=name.lower(), sub=f"sub-{name}",
                status=UserStatus.CONFIRMED, enabled=True, created=1.0, modified=1.0, attributes=dict(attributes))


def test_write_rolls_back_on_error(sql_store: SqlStore) -> None:
    pool = _pool(sql_store)
    with pytest.raises(UserNotFoundException), sql_store.write() as uow:
        uow.users.add(_user(pool, "alice"))
        raise UserNotFoundException()
    with sql_store.read() as uow:
        assert uow.users.get(pool.id, "alice") is None


def test_errors_that_keep_writes_commit_them(sql_store: SqlStore) -> None:
    pool = _pool(sql_store)
    with pytest.raises(CodeMismatchException), sql_store.write() as uow:
        uow.users.add(_user(pool, "bob"))
        raise CodeMismatchException().keeping_writes()
    with sql_store.read() as uow:
        assert uow.users.get(pool.id, "bob") is not None


def test_code_is_consumed_once(sql_store: SqlStore) -> None:
    pool = _pool(sql_store)
    with sql_store.write() as uow:
        user = uow.users.add(_user(pool, "carol"))
        assert user.id is not None
        uow.codes.put(user.id, "sign_up", "digest", 1.0, 100.0)
        code = uow.codes.get(user.id, "sign_up")
        assert code is not None
        assert uow.codes.consume(code.id) is True
        assert uow.codes.consume(code.id) is False
        assert uow.codes.get(user.id, "sign_up") is None


def test_new_code_replaces_the_old_one(sql_store: SqlStore) -> None:
    pool = _pool(sql_store)
    with sql_store.write() as uow:
        user = uow.users.add(_user(pool, "dave"))
        assert user.id is not None
        uow.codes.put(user.id, "sign_up", "first", 1.0, 100.0)
        uow.codes.put(user.id, "sign_up", "second", 2.0, 100.0)
        code = uow.codes.get(user.id, "sign_up")
        assert code is not None and code.code_hash == "second"
        uow.codes.record_failure(code.id)
        again = uow.codes.get(user.id, "sign_up")
        assert again is not None and again.attempts == 1


def test_username_key_is_unique_per_pool(sql_store: SqlStore) -> None:
    pool = _pool(sql_store)
    other = _pool(sql_store, "eu-west-1_Contract2")
    with sql_store.write() as uow:
        uow.users.add(_user(pool, "erin"))
        uow.users.add(_user(other, "erin"))  # another pool: allowed
    with pytest.raises(Exception), sql_store.write() as uow:  # noqa: B017 - the driver's IntegrityError
        uow.users.add(_user(pool, "Erin"))


def test_prefix_search_pages_through_the_index_order(sql_store: SqlStore) -> None:
    pool = _pool(sql_store)
    with sql_store.write() as uow:
        uow.users.add_many([_user(pool, f"u{i:02d}", email=f"User{i % 7}-{i:02d}@example.com") for i in range(40)])
    seen: list[str] = []
    after = None
    while True:
        with sql_store.read() as uow:
            rows = uow.users.search(pool.id, "email", "^=", "user3", after, 4)
        if not rows:
            break
        seen += [u.username for u, _ in rows]
        after = rows[-1][1]
    expected = sorted((f"user{i % 7}-{i:02d}@example.com", f"u{i:02d}") for i in range(40) if i % 7 == 3)
    assert seen == [name for _, name in expected]


def test_equality_search_and_alias_lookup(sql_store: SqlStore) -> None:
    pool = _pool(sql_store)
    with sql_store.write() as uow:
        uow.users.add(_user(pool, "fay", email="Fay@Example.com"))
        uow.users.add(_user(pool, "gus", email="gus@example.com"))
    with sql_store.read() as uow:
        assert [u.username for u, _ in uow.users.search(pool.id, "email", "=", "fay@example.com", None, 10)] == ["fay"]
        assert [u.username for u in uow.users.find_by_attribute(pool.id, "email", "FAY@example.COM")] == ["fay"]
        assert uow.users.existing_keys(pool.id, ["fay", "zed"]) == {"fay"}


def test_deleting_a_pool_removes_what_it_holds(sql_store: SqlStore) -> None:
    pool = _pool(sql_store)
    with sql_store.write() as uow:
        user = uow.users.add(_user(pool, "hal"))
        assert user.id is not None
        uow.codes.put(user.id, "sign_up", "x", 1.0, 2.0)
        uow.clients.add(AppClient(id="c" * 26, pool_id=pool.id, name="c", created=1.0, modified=1.0, config={}))
        uow.pools.adjust_user_count(pool.id, 1)
    with sql_store.read() as uow:
        stored = uow.pools.get(pool.id)
        assert stored is not None and stored.user_count == 1 and stored.config == {"k": "v"}
    with sql_store.write() as uow:
        uow.pools.delete(pool.id)
    with sql_store.read() as uow:
        assert uow.pools.get(pool.id) is None
        assert uow.users.get(pool.id, "hal") is None
        assert uow.clients.get("c" * 26) is None


def test_list_pools_is_scoped_to_a_region_and_paged(sql_store: SqlStore) -> None:
    for i in range(5):
        _pool(sql_store, f"us-east-1_Page{i}")
    _pool(sql_store, "us-east-2_Other")
    with sql_store.read() as uow:
        first = uow.pools.list("us-east-1", None, 3)
        rest = uow.pools.list("us-east-1", first[-1].id, 10)
    assert [p.id for p in first + rest] == [f"us-east-1_Page{i}" for i in range(5)]
