"""A password as Cognate keeps it: an argon2id hash for password flows and an SRP verifier (sealed) for
USER_SRP_AUTH, both made whenever a password is set, whatever the door (srp.md §5)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from cognate.domain.auth import srp
from cognate.domain.auth.model import UserSecurity
from cognate.domain.context import Deps
from cognate.domain.userpool.model import User
from cognate.store.ports import UnitOfWork

SRP_PURPOSE = "srp-verifier"


@dataclass(frozen=True)
class PasswordRecord:
    password_hash: str
    srp_sealed: str


def pool_part(pool_id: str) -> str:
    return pool_id.split("_", 1)[1]


def prepare(deps: Deps, pool_id: str, username: str, password: str) -> PasswordRecord:
    """The slow part (argon2id, one modexp), done before any transaction opens."""
    record = srp.make_verifier(pool_part(pool_id), username, password)
    sealed = deps.box.seal(json.dumps({"salt": format(record.salt, "x"), "verifier": format(record.verifier, "x")}),
                           SRP_PURPOSE)
    return PasswordRecord(deps.passwords.hash(password), sealed)


def store(deps: Deps, uow: UnitOfWork, user: User, record: PasswordRecord) -> None:
    """Attach the record to a user already added (it has an id)."""
    assert user.id is not None
    user.password_hash = record.password_hash
    user.password_set_at = deps.clock.now()
    security = uow.security.get(user.id)
    security.srp = record.srp_sealed
    uow.security.put(security)


def srp_verifier(deps: Deps, uow: UnitOfWork, user: User, security: UserSecurity | None = None) -> srp.Verifier | None:
    """The user's SRP salt and verifier, opened from ``security`` when the caller has just read it."""
    assert user.id is not None
    sealed = (security or uow.security.get(user.id)).srp
    if sealed is None:
        return None
    data = json.loads(deps.box.open(sealed, SRP_PURPOSE))
    return srp.Verifier(int(data["salt"], 16), int(data["verifier"], 16))
