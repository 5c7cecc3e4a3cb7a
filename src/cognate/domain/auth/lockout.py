"""Failed sign-ins counted per user; from the fifth on, further attempts are refused for a back-off that
doubles (1 s, 2 s, 4 s, ... up to 15 minutes), for password and SRP alike, as Cognito does."""

from __future__ import annotations

from cognate.domain.context import Deps
from cognate.domain.errors import NotAuthorizedException
from cognate.store.ports import UnitOfWork

FREE_FAILURES = 5
MAX_BACKOFF = 900.0


def check(deps: Deps, uow: UnitOfWork, user_id: int) -> None:
    security = uow.security.get(user_id)
    if security.locked_until is not None and deps.clock.now() < security.locked_until:
        raise NotAuthorizedException("Password attempts exceeded")


def failed(deps: Deps, uow: UnitOfWork, user_id: int) -> None:
    security = uow.security.get(user_id)
    security.failed_sign_ins += 1
    if security.failed_sign_ins >= FREE_FAILURES:
        backoff = min(2.0 ** (security.failed_sign_ins - FREE_FAILURES), MAX_BACKOFF)
        security.locked_until = deps.clock.now() + backoff
    uow.security.put(security)


def succeeded(uow: UnitOfWork, user_id: int) -> None:
    security = uow.security.get(user_id)
    if security.failed_sign_ins or security.locked_until is not None:
        security.failed_sign_ins = 0
        security.locked_until = None
        uow.security.put(security)
