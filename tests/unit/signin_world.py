"""A sign-in engine over a temporary SQLite store with a clock the test moves (DESIGN.md: time is injected),
for what an end-to-end test cannot do: the server's clock cannot be moved, so expiry is tested here."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cognate.domain.auth import flows
from cognate.domain.auth.passwords import Passwords
from cognate.domain.context import Deps
from cognate.domain.secretbox import SecretBox
from cognate.domain.userpool import admin_users, clients, pools
from cognate.domain.userpool.model import OutboxMessage
from cognate.store.ports import UnitOfWork
from cognate.store.sql.engine import SqlStore

PUBLIC_URL = "http://cognate.test"
PASSWORD = "Correct-Horse-9"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
         "ALLOW_REFRESH_TOKEN_AUTH"]


@dataclass
class FakeClock:
    """Starts at the real time (pycognito signs SRP timestamps with the real clock), then moves on command."""

    at: float

    def now(self) -> float:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += seconds


class Outbox:
    def __init__(self) -> None:
        self.sent: list[OutboxMessage] = []

    def send(self, uow: UnitOfWork, message: OutboxMessage) -> None:
        self.sent.append(message)


@dataclass
class World:
    deps: Deps
    clock: FakeClock
    pool_id: str
    client_id: str

    def initiate(self, flow: str, **params: str) -> dict[str, Any]:
        return flows.initiate(self.deps, {"ClientId": self.client_id, "AuthFlow": flow, "AuthParameters": params},
                              flows.Door(admin=False))

    def respond(self, challenge: str, session: str | None, **answers: str) -> dict[str, Any]:
        request: dict[str, Any] = {"ClientId": self.client_id, "ChallengeName": challenge,
                                   "ChallengeResponses": answers}
        if session is not None:
            request["Session"] = session
        return flows.respond(self.deps, request, flows.Door(admin=False))

    def sign_in(self, username: str = "ann", password: str = PASSWORD) -> dict[str, Any]:
        return self.initiate("USER_PASSWORD_AUTH", USERNAME=username, PASSWORD=password)

    def add_user(self, username: str = "ann", password: str = PASSWORD, *, permanent: bool = True,
                 attributes: dict[str, str] | None = None) -> None:
        given = attributes if attributes is not None else {"email": f"{username}@example.test"}
        admin_users.create_user(self.deps, {"UserPoolId": self.pool_id, "Username": username,
                                            "TemporaryPassword": password, "MessageAction": "SUPPRESS",
                                            "UserAttributes": [{"Name": k, "Value": v} for k, v in given.items()]})
        if permanent:
            admin_users.set_password(self.deps, {"UserPoolId": self.pool_id, "Username": username,
                                                 "Password": password, "Permanent": True})


def make_world(tmp_path: Path, pool: dict[str, Any] | None = None, **client_settings: Any) -> World:
    store = SqlStore(f"sqlite:///{tmp_path / 'signin.db'}")
    store.migrate()
    clock = FakeClock(float(int(time.time())))
    deps = Deps(store=store, clock=clock, box=SecretBox(os.urandom(32)), passwords=Passwords(1024, 1, 1),
                messenger=Outbox(), account_id="000000000000", public_url=PUBLIC_URL)
    pool_id = pools.create(deps, "us-east-1", {"PoolName": "signin", **(pool or {})})["Id"]
    client = clients.create(deps, {"UserPoolId": pool_id, "ClientName": "app", "ExplicitAuthFlows": FLOWS,
                                   **client_settings})
    return World(deps, clock, pool_id, client["ClientId"])
