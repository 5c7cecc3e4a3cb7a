"""The sign-in engine with a clock the test moves (the server's cannot be): challenge sessions expire after
the client's AuthSessionValidity and are used once, temporary passwords after TemporaryPasswordValidityDays,
the lockout back-off doubles and ends, refresh tokens expire and rotated ones outlive their grace period
for no longer than RetryGracePeriodSeconds."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP

from cognate.domain.auth import lockout
from cognate.domain.auth.challenges import TEMPORARY_EXPIRED
from cognate.domain.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    RefreshTokenReuseException,
)
from cognate.domain.tokens import keys
from cognate.domain.userpool.model import UserStatus
from unit.signin_world import PASSWORD, World, make_world

EXPIRED = "Invalid session for the user, session is expired."
MINUTE = 60.0
DAY = 86400.0


def _new_password_session(world: World, username: str = "ann") -> str:
    world.add_user(username, permanent=False)
    challenge = world.sign_in(username)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    session: str = challenge["Session"]
    return session


def test_a_challenge_session_expires_after_three_minutes_by_default(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    late, in_time = _new_password_session(world, "ann"), _new_password_session(world, "bob")
    world.clock.advance(3 * MINUTE - 1)

    assert "AuthenticationResult" in world.respond("NEW_PASSWORD_REQUIRED", in_time, USERNAME="bob",
                                                   NEW_PASSWORD="Another-Horse-1")
    world.clock.advance(2)
    with pytest.raises(NotAuthorizedException) as caught:
        world.respond("NEW_PASSWORD_REQUIRED", late, USERNAME="ann", NEW_PASSWORD="Another-Horse-1")
    assert caught.value.message == EXPIRED


def test_auth_session_validity_sets_the_lifetime(tmp_path: Path) -> None:
    world = make_world(tmp_path, AuthSessionValidity=15)
    first, second = _new_password_session(world, "ann"), _new_password_session(world, "bob")
    world.clock.advance(15 * MINUTE - 1)

    assert "AuthenticationResult" in world.respond("NEW_PASSWORD_REQUIRED", first, USERNAME="ann",
                                                   NEW_PASSWORD="Another-Horse-1")
    world.clock.advance(2)
    with pytest.raises(NotAuthorizedException, match="session is expired"):
        world.respond("NEW_PASSWORD_REQUIRED", second, USERNAME="bob", NEW_PASSWORD="Another-Horse-1")


def test_a_session_is_used_once(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    session = _new_password_session(world)
    world.respond("NEW_PASSWORD_REQUIRED", session, USERNAME="ann", NEW_PASSWORD="Another-Horse-1")

    with pytest.raises(NotAuthorizedException, match="session is expired"):
        world.respond("NEW_PASSWORD_REQUIRED", session, USERNAME="ann", NEW_PASSWORD="Third-Horse-22")


def _srp(world: World, username: str = "ann", password: str = PASSWORD) -> tuple[dict[str, Any], dict[str, str]]:
    """Start USER_SRP_AUTH with pycognito's client math: (the challenge, the answers to send)."""
    client = AWSSRP(username=username, password=password, pool_id=world.pool_id, client_id=world.client_id,
                    client=object())
    challenge = world.initiate("USER_SRP_AUTH", **client.get_auth_params())
    return challenge, client.process_challenge(challenge["ChallengeParameters"], client.get_auth_params())


def test_a_password_verifier_challenge_expires(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    world.add_user()
    _, late = _srp(world)
    challenge, in_time = _srp(world)
    world.clock.advance(3 * MINUTE - 1)
    assert "AuthenticationResult" in world.respond("PASSWORD_VERIFIER", challenge["Session"], **in_time)

    world.clock.advance(2)
    with pytest.raises(NotAuthorizedException, match="session is expired"):
        world.respond("PASSWORD_VERIFIER", None, **late)


def test_an_srp_claim_signed_too_far_from_now_is_refused(tmp_path: Path) -> None:
    world = make_world(tmp_path, AuthSessionValidity=15)
    world.add_user()
    _, answers = _srp(world)
    world.clock.advance(6 * MINUTE)  # the session is still valid; the TIMESTAMP is five minutes off

    with pytest.raises(NotAuthorizedException, match="Incorrect username or password"):
        world.respond("PASSWORD_VERIFIER", None, **answers)


def test_a_password_changed_during_an_srp_sign_in_voids_it(tmp_path: Path) -> None:
    from cognate.domain.userpool import admin_users

    world = make_world(tmp_path)
    world.add_user()
    _, answers = _srp(world)
    world.clock.advance(1)
    admin_users.set_password(world.deps, {"UserPoolId": world.pool_id, "Username": "ann",
                                          "Password": "Another-Horse-1", "Permanent": True})

    with pytest.raises(NotAuthorizedException, match="Incorrect username or password"):
        world.respond("PASSWORD_VERIFIER", None, **answers)


def test_a_temporary_password_expires(tmp_path: Path) -> None:
    world = make_world(tmp_path, pool={"Policies": {"PasswordPolicy": {"TemporaryPasswordValidityDays": 1}}})
    world.add_user("ann", permanent=False)
    world.add_user("bob", permanent=False)
    world.clock.advance(DAY - 1)
    assert world.sign_in("ann")["ChallengeName"] == "NEW_PASSWORD_REQUIRED"

    world.clock.advance(2)
    with pytest.raises(NotAuthorizedException) as caught:
        world.sign_in("bob")
    assert caught.value.message == TEMPORARY_EXPIRED
    with pytest.raises(NotAuthorizedException, match="Incorrect username or password"):
        world.sign_in("bob", "Wrong-Horse-9")


def test_new_password_required_collects_missing_required_attributes(tmp_path: Path) -> None:
    world = make_world(tmp_path, pool={"Schema": [{"Name": "name", "Required": True}]})
    world.add_user("ann", permanent=False, attributes={})
    challenge = world.sign_in()
    assert json.loads(challenge["ChallengeParameters"]["requiredAttributes"]) == ["userAttributes.name"]

    with pytest.raises(InvalidParameterException) as caught:
        world.respond("NEW_PASSWORD_REQUIRED", challenge["Session"], USERNAME="ann", NEW_PASSWORD="Another-Horse-1")
    assert caught.value.message == "Invalid attributes given, name is missing"
    done = world.respond("NEW_PASSWORD_REQUIRED", challenge["Session"], USERNAME="ann",
                         NEW_PASSWORD="Another-Horse-1", **{"userAttributes.name": "Ann"})
    assert "AuthenticationResult" in done
    with world.deps.store.read() as uow:
        stored = uow.users.get(world.pool_id, "ann")
    assert stored is not None and stored.status == UserStatus.CONFIRMED and stored.attributes["name"] == "Ann"


# --- lockout ----------------------------------------------------------------------------------------------------


def _fail(world: World, times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(NotAuthorizedException, match="Incorrect username or password"):
            world.sign_in(password="Wrong-Horse-9")


def _locked(world: World, password: str = PASSWORD) -> bool:
    try:
        world.sign_in(password=password)
    except NotAuthorizedException as exc:
        return exc.message == lockout.EXCEEDED
    return False


def test_the_lockout_doubles_from_one_second(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    world.add_user()
    _fail(world, 5)
    for seconds in (1.0, 2.0, 4.0, 8.0):
        assert _locked(world)
        world.clock.advance(seconds - 0.01)
        assert _locked(world)
        world.clock.advance(0.02)
        _fail(world)  # one more failure after the lockout: twice as long
    assert _locked(world)
    world.clock.advance(16.01)
    assert not _locked(world)  # the right password, once the lockout is over, signs in and resets


def test_the_lockout_is_capped_at_fifteen_minutes(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    world.add_user()
    _fail(world, 5)
    with world.deps.store.write() as uow:  # as after 20 failures: 2^15 s would be nine hours
        user = uow.users.get(world.pool_id, "ann")
        assert user is not None and user.id is not None
        security = uow.security.get(user.id)
        security.failed_sign_ins = 19
        uow.security.put(security)
    world.clock.advance(1.01)
    _fail(world)
    world.clock.advance(lockout.MAX_BACKOFF - 1)
    assert _locked(world)
    world.clock.advance(2)
    assert not _locked(world)


def test_fifteen_quiet_minutes_after_a_lockout_reset_the_count(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    world.add_user()
    _fail(world, 5)
    world.clock.advance(1 + 15 * MINUTE)
    _fail(world, 4)  # counted from zero again: four failures lock nothing
    assert not _locked(world)


def test_concurrent_guesses_get_five_password_checks(tmp_path: Path) -> None:
    """With the clock standing still, twelve wrong guesses at once: five are checked (and fail), the other
    seven are refused as locked out, because each attempt is counted before its password is checked."""
    world = make_world(tmp_path)
    world.add_user()
    start = threading.Barrier(12)
    answers: list[str] = []

    def guess() -> None:
        start.wait()
        try:
            world.sign_in(password="Wrong-Horse-9")
        except NotAuthorizedException as exc:
            answers.append(exc.message)

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == sorted(["Incorrect username or password."] * 5 + [lockout.EXCEEDED] * 7)


def test_concurrent_first_uses_of_a_pool_make_one_key_per_kind(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    start = threading.Barrier(4)

    def first_use() -> None:
        start.wait()
        keys.ensure(world.deps, world.pool_id)

    threads = [threading.Thread(target=first_use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with world.deps.store.read() as uow:
        found = uow.keys.for_pool(world.pool_id)
    assert sorted(k.purpose for k in found) == ["access", "id"]


# --- refresh ----------------------------------------------------------------------------------------------------


def test_a_refresh_token_expires_after_its_validity(tmp_path: Path) -> None:
    world = make_world(tmp_path, RefreshTokenValidity=60, TokenValidityUnits={"RefreshToken": "minutes"})
    world.add_user()
    token = world.sign_in()["AuthenticationResult"]["RefreshToken"]
    world.clock.advance(60 * MINUTE - 1)
    assert "AuthenticationResult" in world.initiate("REFRESH_TOKEN_AUTH", REFRESH_TOKEN=token)

    world.clock.advance(1)
    with pytest.raises(NotAuthorizedException) as caught:
        world.initiate("REFRESH_TOKEN_AUTH", REFRESH_TOKEN=token)
    assert caught.value.message == "Refresh Token has expired"


def test_a_rotated_token_works_for_the_grace_period_and_its_successor_keeps_the_end(tmp_path: Path) -> None:
    from cognate.domain.auth import refresh

    world = make_world(tmp_path, RefreshTokenValidity=1, TokenValidityUnits={"RefreshToken": "days"},
                       RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 30})
    world.add_user()
    first = world.sign_in()["AuthenticationResult"]["RefreshToken"]

    def rotate(token: str) -> str:
        result = refresh.get_tokens(world.deps, {"ClientId": world.client_id, "RefreshToken": token})
        new: str = result["AuthenticationResult"]["RefreshToken"]
        return new

    world.clock.advance(DAY / 2)
    second = rotate(first)
    world.clock.advance(29)
    assert rotate(first)  # a retry within the grace period
    world.clock.advance(1)
    with pytest.raises(RefreshTokenReuseException):
        rotate(first)
    world.clock.advance(DAY / 2 - 31)
    third = rotate(second)  # the successor lives as long as the original would have, no longer
    world.clock.advance(1)
    with pytest.raises(NotAuthorizedException, match="Refresh Token has expired"):
        rotate(third)
