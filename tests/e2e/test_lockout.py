"""Lockout after failed sign-ins (Developer Guide, "User pool authentication flow", lockout behavior): five
wrong passwords lock the user out with a back-off that starts at one second, during which even the right
password gets NotAuthorizedException "Password attempts exceeded"; password and SRP sign-ins share the count,
and a success resets it. The back-off's growth and its end are tested with a fake clock in
tests/unit/test_sign_in_engine.py; here nothing waits, so nothing depends on timing beyond the first second.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

import pytest

from e2e.signin_helpers import INCORRECT, Member, member, password_sign_in, srp_sign_in
from support.aws import error_of
from support.factories import strong_password
from support.server import CognateServer

EXCEEDED = ("NotAuthorizedException", "Password attempts exceeded")


@pytest.fixture
def who(idp: Any) -> Member:
    return member(idp)


def wrong(who: Member) -> Member:
    return Member(**{**who.__dict__, "password": strong_password()})


def test_five_wrong_passwords_lock_out_even_the_right_one(idp: Any, idp_public: Any, who: Member) -> None:
    for _ in range(5):
        assert error_of(password_sign_in, idp_public=idp_public, who=wrong(who)) == INCORRECT

    assert error_of(password_sign_in, idp_public=idp_public, who=who) == EXCEEDED
    assert error_of(idp.admin_initiate_auth, UserPoolId=who.pool_id, ClientId=who.client_id,
                    AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": who.login, "PASSWORD": who.password}) == EXCEEDED


def test_srp_failures_lock_out_srp_and_password_sign_in(idp_public: Any, who: Member) -> None:
    for _ in range(5):
        assert error_of(srp_sign_in, idp_public=idp_public, who=who, password=strong_password()) == INCORRECT

    assert error_of(srp_sign_in, idp_public=idp_public, who=who) == EXCEEDED
    assert error_of(password_sign_in, idp_public=idp_public, who=who) == EXCEEDED


def test_password_failures_lock_out_srp(idp_public: Any, who: Member) -> None:
    for _ in range(5):
        assert error_of(password_sign_in, idp_public=idp_public, who=wrong(who)) == INCORRECT
    assert error_of(srp_sign_in, idp_public=idp_public, who=who) == EXCEEDED


def test_a_success_resets_the_count(idp_public: Any, who: Member) -> None:
    for _ in range(4):
        assert error_of(password_sign_in, idp_public=idp_public, who=wrong(who)) == INCORRECT
    assert password_sign_in(idp_public, who)["AuthenticationResult"]
    for _ in range(4):
        assert error_of(srp_sign_in, idp_public=idp_public, who=who, password=strong_password()) == INCORRECT

    assert srp_sign_in(idp_public, who)["AuthenticationResult"]
    assert password_sign_in(idp_public, who)["AuthenticationResult"]


def test_lockout_is_per_user(idp: Any, idp_public: Any, who: Member) -> None:
    other = member(idp)
    for _ in range(5):
        error_of(password_sign_in, idp_public=idp_public, who=wrong(who))
    assert password_sign_in(idp_public, other)["AuthenticationResult"]


def test_concurrent_guesses_cannot_outrun_the_lockout(server: CognateServer, who: Member) -> None:
    """Every attempt is counted before its password is checked, so twelve guesses fired at once get five
    password checks, plus one per lockout that ran out meanwhile: the k-th failure after the fifth can only
    come 2^k - 1 seconds after it (1 s, then 2 s, ...), however slowly the machine serves the burst."""
    answers: list[tuple[str, str]] = []
    clients = [server.client("cognito-idp", signed=False) for _ in range(12)]
    start = threading.Barrier(len(clients) + 1)

    def guess(client: Any) -> None:
        start.wait()
        answers.append(error_of(password_sign_in, idp_public=client, who=wrong(who)))

    threads = [threading.Thread(target=guess, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began

    assert len(answers) == 12 and set(answers) <= {INCORRECT, EXCEEDED}
    assert answers.count(INCORRECT) <= 5 + math.floor(math.log2(elapsed + 1))
    assert answers.count(EXCEEDED) >= 1
