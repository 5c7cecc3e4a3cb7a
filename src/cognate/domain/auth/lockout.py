"""Failed sign-ins counted per user, as Cognito does (Developer Guide, "User pool authentication flow",
lockout behavior for failed sign-in attempts): after five failures the user is locked out for one second,
the lockout doubling with each further failure (2^(n-5) s) up to about 15 minutes. Attempts during a
lockout get "Password attempts exceeded" and do not count; a success after a lockout, or 15 quiet minutes
after one, starts the count again. Password and SRP sign-ins and ChangePassword share the count.

An attempt is counted *before* its password is checked (``attempt``) and forgiven once it proves right
(``succeeded``): hashing takes tens of milliseconds, and counting only afterwards would let concurrent
guesses all pass the lockout check before the first failure is written.
"""

from __future__ import annotations

from cognate.domain.auth.model import UserSecurity
from cognate.domain.context import Deps
from cognate.domain.errors import NotAuthorizedException
from cognate.store.ports import UnitOfWork

FREE_FAILURES = 5
MAX_BACKOFF = 900.0
QUIET_RESET = 900.0
EXCEEDED = "Password attempts exceeded"


def _forget_if_quiet(security: UserSecurity, now: float) -> bool:
    """A lockout followed by 15 minutes without attempts returns the count to zero."""
    if security.locked_until is not None and now >= security.locked_until + QUIET_RESET:
        security.failed_sign_ins = 0
        security.locked_until = None
        return True
    return False


def _count(security: UserSecurity, now: float) -> None:
    security.failed_sign_ins += 1
    if security.failed_sign_ins >= FREE_FAILURES:
        security.locked_until = now + min(2.0 ** (security.failed_sign_ins - FREE_FAILURES), MAX_BACKOFF)


def _refuse_if_locked(security: UserSecurity, now: float) -> None:
    if security.locked_until is not None and now < security.locked_until:
        raise NotAuthorizedException(EXCEEDED)


def check(deps: Deps, uow: UnitOfWork, user_id: int) -> None:
    """Refuse while the user is locked out (read-only: nothing is counted)."""
    _refuse_if_locked(uow.security.get(user_id), deps.clock.now())


def attempt(deps: Deps, uow: UnitOfWork, user_id: int) -> UserSecurity:
    """Before a password or SRP claim is checked: refused while locked out, else counted as a failure until
    ``succeeded`` forgives it. Call it in a write transaction that commits before the check runs. Returns the
    user's security record as written."""
    security = uow.security.get(user_id, for_update=True)
    now = deps.clock.now()
    _forget_if_quiet(security, now)
    _refuse_if_locked(security, now)
    _count(security, now)
    uow.security.put(security)
    return security


def failed(deps: Deps, uow: UnitOfWork, user_id: int) -> None:
    """Count a failure found after the fact (ChangePassword's previous password)."""
    security = uow.security.get(user_id, for_update=True)
    now = deps.clock.now()
    _forget_if_quiet(security, now)
    _count(security, now)
    uow.security.put(security)


def succeeded(uow: UnitOfWork, user_id: int) -> None:
    security = uow.security.get(user_id)
    if security.failed_sign_ins or security.locked_until is not None:
        security.failed_sign_ins = 0
        security.locked_until = None
        uow.security.put(security)
