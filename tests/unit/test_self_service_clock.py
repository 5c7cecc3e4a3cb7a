"""What only a clock the test moves can show about the self-service operations (domain/userpool/profile.py,
recovery.py, tokens/revocation.py) against a temporary SQLite store: the forgot-password code lives one
hour, an attribute verification code 24 hours (Developer Guide, "Quotas": code validity), an expired access
token is refused, and a revoked sign-in stays revoked for as long as its access tokens could live."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cognate.domain.auth import flows
from cognate.domain.auth.passwords import Passwords
from cognate.domain.context import Deps
from cognate.domain.errors import CognateError, ExpiredCodeException, NotAuthorizedException
from cognate.domain.secretbox import SecretBox
from cognate.domain.tokens import revocation
from cognate.domain.userpool import admin_users, clients, pools, profile, recovery
from cognate.domain.userpool.model import OutboxMessage
from cognate.store.ports import UnitOfWork
from cognate.store.sql.engine import SqlStore
from support.smtp import CODE_RE

T0 = 1_700_000_000.0
HOUR = 3600.0
PASSWORD = "Correct-Horse-9"


@dataclass
class FakeClock:
    at: float = T0

    def now(self) -> float:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += seconds


@dataclass
class Mailbox:
    sent: list[OutboxMessage] = field(default_factory=list)

    def send(self, uow: UnitOfWork, message: OutboxMessage) -> None:
        self.sent.append(message)

    def last_code(self) -> str:
        found = CODE_RE.findall(self.sent[-1].body)
        assert found, self.sent[-1].body
        return str(found[-1])


@dataclass
class World:
    deps: Deps
    clock: FakeClock
    mail: Mailbox
    pool_id: str
    client_id: str

    def sign_in(self) -> dict[str, Any]:
        out = flows.initiate(self.deps, {"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": self.client_id,
                                         "AuthParameters": {"USERNAME": "ann", "PASSWORD": PASSWORD}},
                             flows.Door(admin=False))
        return dict(out["AuthenticationResult"])


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    store = SqlStore(f"sqlite:///{tmp_path / 'self.db'}")
    store.migrate()
    clock, mail = FakeClock(), Mailbox()
    deps = Deps(store=store, clock=clock, box=SecretBox(os.urandom(32)), passwords=Passwords(1024, 1, 1),
                messenger=mail, account_id="000000000000", public_url="http://127.0.0.1")
    pool_id = pools.create(deps, "us-east-1", {"PoolName": "clock", "AutoVerifiedAttributes": ["email"]})["Id"]
    client_id = clients.create(deps, {"UserPoolId": pool_id, "ClientName": "app", "ExplicitAuthFlows": [
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]})["ClientId"]
    admin_users.create_user(deps, {"UserPoolId": pool_id, "Username": "ann", "MessageAction": "SUPPRESS",
                                   "UserAttributes": [{"Name": "email", "Value": "ann@example.test"},
                                                      {"Name": "email_verified", "Value": "true"}]})
    admin_users.set_password(deps, {"UserPoolId": pool_id, "Username": "ann", "Password": PASSWORD,
                                    "Permanent": True})
    yield World(deps, clock, mail, pool_id, client_id)
    store.close()


def refused(call: Any, *args: Any) -> CognateError:
    with pytest.raises(CognateError) as caught:
        call(*args)
    return caught.value


def test_a_forgot_password_code_lives_one_hour(world: World) -> None:
    request = {"ClientId": world.client_id, "Username": "ann"}
    recovery.forgot_password(world.deps, request)
    code = world.mail.last_code()
    world.clock.advance(HOUR + 1)

    error = refused(recovery.confirm_forgot_password, world.deps,
                    {**request, "ConfirmationCode": code, "Password": "Another-Pass-1"})

    assert isinstance(error, ExpiredCodeException)
    assert error.message == "Invalid code provided, please request a code again."
    recovery.forgot_password(world.deps, request)
    world.clock.advance(HOUR - 60)
    recovery.confirm_forgot_password(world.deps, {**request, "ConfirmationCode": world.mail.last_code(),
                                                  "Password": "Another-Pass-1"})


def test_an_attribute_verification_code_lives_a_day_and_the_access_token_an_hour(world: World) -> None:
    token = world.sign_in()["AccessToken"]
    profile.verification_code(world.deps, token, "email")
    code = world.mail.last_code()

    world.clock.advance(HOUR + 1)
    error = refused(profile.get_user, world.deps, token)
    assert isinstance(error, NotAuthorizedException)
    assert error.message == "Access Token has expired"

    world.clock.advance(23 * HOUR - 120)
    fresh = world.sign_in()["AccessToken"]
    profile.verify_attribute(world.deps, fresh, "email", code)

    profile.verification_code(world.deps, fresh, "email")
    world.clock.advance(24 * HOUR + 1)
    later = world.sign_in()["AccessToken"]
    assert isinstance(refused(profile.verify_attribute, world.deps, later, "email", world.mail.last_code()),
                      ExpiredCodeException)


def test_a_revoked_sign_in_stays_revoked_while_its_access_tokens_live(world: World) -> None:
    tokens = world.sign_in()
    revocation.revoke_token(world.deps, {"ClientId": world.client_id, "Token": tokens["RefreshToken"]})

    # Another revocation a while later prunes expired records; this one is still needed.
    world.clock.advance(HOUR - 60)
    other = world.sign_in()
    revocation.revoke_token(world.deps, {"ClientId": world.client_id, "Token": other["RefreshToken"]})

    error = refused(profile.get_user, world.deps, tokens["AccessToken"])
    assert error.message == "Access Token has been revoked"


def test_sign_out_refuses_tokens_issued_before_it_only(world: World) -> None:
    before = world.sign_in()["AccessToken"]
    world.clock.advance(5)
    revocation.admin_global_sign_out(world.deps, world.pool_id, "ann")

    assert refused(profile.get_user, world.deps, before).message == "Access Token has been revoked"
    world.clock.advance(1)
    after = world.sign_in()["AccessToken"]
    assert profile.get_user(world.deps, after)["Username"] == "ann"
