"""Confirmation codes against a temporary SQLite store with a clock the test moves: expiry, bounded
attempts, single use, and replacement by a newer code (DESIGN.md: consume-once storage contract)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cognate.domain.auth.passwords import Passwords
from cognate.domain.context import Deps
from cognate.domain.errors import CodeMismatchException, ExpiredCodeException, LimitExceededException
from cognate.domain.secretbox import SecretBox
from cognate.domain.userpool import codes
from cognate.domain.userpool.model import OutboxMessage, User, UserPool, UserStatus
from cognate.store.ports import UnitOfWork
from cognate.store.sql.engine import SqlStore

T0 = 1_700_000_000.0
HOUR = 3600.0
MAX_ATTEMPTS = 3


@dataclass
class FakeClock:
    at: float = T0

    def now(self) -> float:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += seconds


class NoMessenger:
    def send(self, uow: UnitOfWork, message: OutboxMessage) -> None:
        raise AssertionError("codes never send anything themselves")


@dataclass
class World:
    deps: Deps
    clock: FakeClock
    user_id: int

    def issue(self, purpose: str = "sign_up") -> str:
        with self.deps.store.write() as uow:
            return codes.issue(self.deps, uow, self.user_id, purpose)

    def redeem(self, code: str, purpose: str = "sign_up") -> None:
        with self.deps.store.write() as uow:
            codes.redeem(self.deps, uow, self.user_id, purpose, code)

    def attempts(self, purpose: str = "sign_up") -> int | None:
        with self.deps.store.read() as uow:
            stored = uow.codes.get(self.user_id, purpose)
        return None if stored is None else stored.attempts


def other_than(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    store = SqlStore(f"sqlite:///{tmp_path / 'codes.db'}")
    store.migrate()
    clock = FakeClock()
    deps = Deps(store=store, clock=clock, box=SecretBox(os.urandom(32)), passwords=Passwords(1024, 1, 1),
                messenger=NoMessenger(), account_id="000000000000", public_url="http://127.0.0.1",
                code_max_attempts=MAX_ATTEMPTS)
    with store.write() as uow:
        uow.pools.add(UserPool(id="us-east-1_Codes0001", name="codes", created=T0, modified=T0, config={}))
        user = uow.users.add(User(pool_id="us-east-1_Codes0001", username="ann", username_key="ann",
                                  sub="7f1c3c2e-0d7a-4f0e-9d51-2b8d3c4e5f60", status=UserStatus.UNCONFIRMED,
                                  enabled=True, created=T0, modified=T0))
    assert user.id is not None
    yield World(deps, clock, user.id)
    store.close()


def test_a_code_is_six_digits_and_works_once(world: World) -> None:
    code = world.issue()
    assert len(code) == 6 and code.isdigit()

    world.redeem(code)

    with pytest.raises(CodeMismatchException):
        world.redeem(code)


def test_the_code_is_kept_as_a_digest(world: World) -> None:
    code = world.issue()
    with world.deps.store.read() as uow:
        stored = uow.codes.get(world.user_id, "sign_up")
    assert stored is not None
    assert code not in stored.code_hash
    assert stored.expires == T0 + 24 * HOUR


def test_a_wrong_code_counts_as_an_attempt_and_leaves_the_code_usable(world: World) -> None:
    code = world.issue()

    with pytest.raises(CodeMismatchException) as caught:
        world.redeem(other_than(code))

    assert caught.value.message == "Invalid verification code provided, please try again."
    assert world.attempts() == 1  # recorded although the operation failed
    world.redeem(code)


def test_after_the_attempt_limit_even_the_right_code_is_refused(world: World) -> None:
    code = world.issue()
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(CodeMismatchException):
            world.redeem(other_than(code))

    for _ in range(2):
        with pytest.raises(LimitExceededException) as caught:
            world.redeem(code)
        assert caught.value.message == "Attempt limit exceeded, please try after some time."

    fresh = world.issue()
    assert world.attempts() == 0
    world.redeem(fresh)


def test_sign_up_codes_expire_after_24_hours(world: World) -> None:
    code = world.issue()
    world.clock.advance(24 * HOUR)
    world.redeem(code)  # the last second of validity still counts

    code = world.issue()
    world.clock.advance(24 * HOUR + 1)
    with pytest.raises(ExpiredCodeException) as caught:
        world.redeem(code)
    assert caught.value.message == "Invalid code provided, please request a code again."

    world.redeem(world.issue())  # a new code starts a new 24 hours


def test_forgot_password_codes_expire_after_one_hour(world: World) -> None:
    code = world.issue("forgot_password")
    world.clock.advance(HOUR + 1)

    with pytest.raises(ExpiredCodeException):
        world.redeem(code, "forgot_password")


def test_attribute_verification_codes_last_24_hours(world: World) -> None:
    code = world.issue("verify:email")
    world.clock.advance(23 * HOUR)
    world.redeem(code, "verify:email")


def test_a_new_code_replaces_the_previous_one(world: World) -> None:
    old = world.issue()
    new = world.issue()
    if new == old:  # one chance in a million
        new = world.issue()

    with pytest.raises(CodeMismatchException):
        world.redeem(old)
    world.redeem(new)


def test_codes_of_one_purpose_do_not_redeem_another(world: World) -> None:
    code = world.issue("sign_up")

    with pytest.raises(CodeMismatchException):
        world.redeem(code, "verify:email")
    world.redeem(code, "sign_up")


def test_no_code_at_all_is_a_mismatch(world: World) -> None:
    with pytest.raises(CodeMismatchException):
        world.redeem("123456")
