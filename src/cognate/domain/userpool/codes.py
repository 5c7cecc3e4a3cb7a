"""Confirmation and verification codes: 6 digits, stored as a keyed digest, single use, expiring, with a
bounded number of attempts (Cognito Developer Guide, "Quotas": code validity and attempt limits)."""

from __future__ import annotations

import hmac
import secrets

from cognate.domain.context import Deps
from cognate.domain.errors import CodeMismatchException, ExpiredCodeException, LimitExceededException
from cognate.store.ports import UnitOfWork

HOUR = 3600.0
VALIDITY = {"sign_up": 24 * HOUR, "verify:email": 24 * HOUR, "verify:phone_number": 24 * HOUR,
            "forgot_password": HOUR}


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _digest(deps: Deps, user_id: int, purpose: str, code: str) -> str:
    return deps.box.mac(f"{user_id}:{purpose}:{code}", "code")


def issue(deps: Deps, uow: UnitOfWork, user_id: int, purpose: str) -> str:
    """A fresh code for (user, purpose); any earlier one for the same purpose stops working."""
    code = new_code()
    now = deps.clock.now()
    uow.codes.put(user_id, purpose, _digest(deps, user_id, purpose, code), now, now + VALIDITY.get(purpose, HOUR))
    return code


def redeem(deps: Deps, uow: UnitOfWork, user_id: int, purpose: str, code: str) -> None:
    """Consume the code or raise. A wrong guess counts even though the operation fails: the errors raised
    after recording it keep the transaction's writes (``CognateError.keep_writes``)."""
    stored = uow.codes.get(user_id, purpose)
    if stored is None:
        raise CodeMismatchException()
    if stored.attempts >= deps.code_max_attempts:
        # Burnt: every later attempt, the right code included, is refused the same way until a new code
        # is issued (which replaces this one) or this one expires.
        raise LimitExceededException()
    if deps.clock.now() > stored.expires:
        raise ExpiredCodeException()
    if not hmac.compare_digest(stored.code_hash, _digest(deps, user_id, purpose, code)):
        uow.codes.record_failure(stored.id)
        raise CodeMismatchException().keeping_writes()
    if not uow.codes.consume(stored.id):
        raise CodeMismatchException()
