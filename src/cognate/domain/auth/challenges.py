"""What follows a proven password: the user's state decides between tokens, a challenge, or an error
(API reference, InitiateAuth "Errors"; Developer Guide, "User pool authentication flow")."""

from __future__ import annotations

import json
from typing import Any

from cognate.domain.auth import credentials, lockout, sessions
from cognate.domain.context import Deps
from cognate.domain.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UnsupportedFeature,
    UserNotConfirmedException,
    UserNotFoundException,
)
from cognate.domain.tokens.claims import SignIn
from cognate.domain.tokens.issue import authentication_result
from cognate.domain.userpool import clients, policy, schema, users
from cognate.domain.userpool.model import AppClient, User, UserPool, UserStatus
from cognate.store.ports import UnitOfWork

INCORRECT = "Incorrect username or password."
DAY = 86400.0


def missing(name: str) -> InvalidParameterException:
    return InvalidParameterException(f"Missing required parameter {name}")


def require(params: dict[str, str], *names: str) -> list[str]:
    for name in names:
        if not params.get(name):
            raise missing(name)
    return [params[name] for name in names]


def unknown_user(client: AppClient) -> Exception:
    """A pool that prevents user-existence errors answers an unknown user like a wrong password."""
    if client.config.get("PreventUserExistenceErrors") == "ENABLED":
        return NotAuthorizedException(INCORRECT)
    return UserNotFoundException("User does not exist.")


def _temporary_password_expired(deps: Deps, pool: UserPool, user: User) -> bool:
    days = int(pool.config["Policies"]["PasswordPolicy"].get("TemporaryPasswordValidityDays", 7))
    return days > 0 and user.password_set_at is not None and deps.clock.now() > user.password_set_at + days * DAY


def after_password(deps: Deps, uow: UnitOfWork, pool: UserPool, client: AppClient, user: User,
                   device_key: str | None = None) -> dict[str, Any]:
    assert user.id is not None
    lockout.succeeded(uow, user.id)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.").keeping_writes()
    if user.status == UserStatus.UNCONFIRMED:
        raise UserNotConfirmedException().keeping_writes()
    if user.status == UserStatus.RESET_REQUIRED:
        raise PasswordResetRequiredException().keeping_writes()
    if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        if _temporary_password_expired(deps, pool, user):
            raise NotAuthorizedException("Temporary password has expired and must be reset by an administrator.")
        return _new_password_challenge(deps, uow, pool, client, user)
    if pool.config.get("MfaConfiguration", "OFF") == "ON":
        raise UnsupportedFeature("sign-in to a pool whose MfaConfiguration is ON (MFA) yet")
    return {"ChallengeParameters": {},
            "AuthenticationResult": authentication_result(deps, uow, pool, client, user,
                                                          SignIn.new(deps.clock.now(), device_key))}


def _new_password_challenge(deps: Deps, uow: UnitOfWork, pool: UserPool, client: AppClient,
                            user: User) -> dict[str, Any]:
    shown = {k: v for k, v in user.attributes.items() if not k.startswith("dev:")}
    required = [f"userAttributes.{e['Name']}" for e in pool.config["SchemaAttributes"]
                if e["Required"] and e["Name"] != "sub" and not user.attributes.get(e["Name"])]
    token = sessions.open_session(deps, uow, client, user.username, "NEW_PASSWORD_REQUIRED",
                                  {"username_key": user.username_key, "sub": user.sub})
    return {"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": token,
            "ChallengeParameters": {"USER_ID_FOR_SRP": user.username, "requiredAttributes": json.dumps(required),
                                    "userAttributes": json.dumps(shown)}}


def new_password(deps: Deps, pool: UserPool, client: AppClient, session: str | None,
                 answers: dict[str, str]) -> dict[str, Any]:
    """NEW_PASSWORD_REQUIRED: a password of the pool's policy, and the required attributes still missing.

    Invalid answers leave the session usable (the transaction that would consume it rolls back)."""
    username, password = require(answers, "USERNAME", "NEW_PASSWORD")
    clients.check_secret_hash(deps, client, username, answers.get("SECRET_HASH"))
    policy.check(pool.config["Policies"]["PasswordPolicy"], password)
    changes = {k.removeprefix("userAttributes."): v for k, v in answers.items() if k.startswith("userAttributes.")}
    with deps.store.read() as uow:
        user = users.find(uow, pool, username)
    if user is None:
        raise NotAuthorizedException(sessions.EXPIRED)
    record = credentials.prepare(deps, pool.id, user.username, password)
    with deps.store.write() as uow:
        state = sessions.take(deps, uow, client, session, "NEW_PASSWORD_REQUIRED").state
        user = uow.users.get(pool.id, state["username_key"])
        if user is None or user.sub != state["sub"] or users.find(uow, pool, username) != user:
            raise NotAuthorizedException(sessions.EXPIRED)
        schema.check_attributes(pool.config["SchemaAttributes"], changes, admin=False,
                                writable=client.config.get("WriteAttributes"), existing=user.attributes)
        user.attributes.update(changes)
        for entry in pool.config["SchemaAttributes"]:
            if entry["Required"] and entry["Name"] != "sub" and not user.attributes.get(entry["Name"]):
                raise InvalidParameterException(f"Missing required attribute {entry['Name']}")
        credentials.store(deps, uow, user, record)
        user.status = UserStatus.CONFIRMED
        users.touch(deps, uow, user)
        return after_password(deps, uow, pool, client, user, answers.get("DEVICE_KEY"))
