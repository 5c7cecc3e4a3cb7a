"""What follows a proven password: the user's state decides between tokens, a challenge, or an error
(API reference, InitiateAuth "Errors" and RespondToAuthChallenge; Developer Guide, "Authentication flow").

NEW_PASSWORD_REQUIRED (a user with a temporary password) is answered here too: a new password of the
pool's policy and the required attributes still missing (``requiredAttributes``), optionally other
attributes the client may write. A required attribute that already has a value cannot be sent again.
"""

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
from cognate.domain.tokens.issue import Minted, mint
from cognate.domain.userpool import clients, policy, schema, users
from cognate.domain.userpool.model import AppClient, User, UserPool, UserStatus
from cognate.store.ports import UnitOfWork

INCORRECT = "Incorrect username or password."
TEMPORARY_EXPIRED = "Temporary password has expired and must be reset by an administrator."
NEW_PASSWORD = "NEW_PASSWORD_REQUIRED"
DAY = 86400.0
# What a proven password leads to: a challenge (a complete answer), or tokens still to be signed.
Answer = dict[str, Any] | Minted


def missing(name: str) -> InvalidParameterException:
    return InvalidParameterException(f"Missing required parameter {name}")


def require(params: dict[str, str], *names: str) -> list[str]:
    for name in names:
        if not params.get(name):
            raise missing(name)
    return [params[name] for name in names]


def unknown_user(client: AppClient) -> Exception:
    """A client that prevents user-existence errors answers an unknown user like a wrong password (API
    reference, CreateUserPoolClient, PreventUserExistenceErrors); LEGACY says the user does not exist."""
    if client.config.get("PreventUserExistenceErrors") == "ENABLED":
        return NotAuthorizedException(INCORRECT)
    return UserNotFoundException("User does not exist.")


def _temporary_password_expired(deps: Deps, pool: UserPool, user: User) -> bool:
    """PasswordPolicy.TemporaryPasswordValidityDays counts from the moment the temporary password was set."""
    days = int(pool.config["Policies"]["PasswordPolicy"].get("TemporaryPasswordValidityDays") or 7)
    return user.password_set_at is not None and deps.clock.now() > user.password_set_at + days * DAY


def after_password(deps: Deps, uow: UnitOfWork, pool: UserPool, client: AppClient, user: User) -> Answer:
    """The answer to a proven password. The lockout count is cleared whatever follows (the password was
    right), so errors below keep that write. A DEVICE_KEY sent with the sign-in is not honoured: Cognate
    pools do not track devices (DeviceConfiguration is refused), so no device of the user exists to name."""
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
            raise NotAuthorizedException(TEMPORARY_EXPIRED).keeping_writes()
        return _new_password_challenge(deps, uow, pool, client, user)
    if pool.config.get("MfaConfiguration", "OFF") == "ON":
        raise UnsupportedFeature("sign-in to a pool whose MfaConfiguration is ON (MFA) yet")
    return mint(deps, uow, pool, client, user, SignIn.new(deps.clock.now()))


def finish(answer: Answer) -> dict[str, Any]:
    """The response of a step, once its transaction has committed: tokens are signed here, outside it."""
    if isinstance(answer, Minted):
        return {"ChallengeParameters": {}, "AuthenticationResult": answer.result()}
    return answer


def _required_missing(pool: UserPool, attributes: dict[str, str]) -> list[str]:
    return [e["Name"] for e in pool.config["SchemaAttributes"]
            if e["Required"] and e["Name"] != "sub" and not attributes.get(e["Name"])]


def _new_password_challenge(deps: Deps, uow: UnitOfWork, pool: UserPool, client: AppClient,
                            user: User) -> dict[str, Any]:
    """ChallengeParameters as Cognito sends them: the user's attributes and the required ones still missing,
    both JSON strings, and USER_ID_FOR_SRP (the internal user name)."""
    readable = client.config.get("ReadAttributes")
    shown = {k: v for k, v in user.attributes.items()
             if not k.startswith("dev:") and (readable is None or k in readable)}
    required = [f"userAttributes.{name}" for name in _required_missing(pool, user.attributes)]
    token = sessions.open_session(deps, uow, client, user.username, NEW_PASSWORD,
                                  {"username_key": user.username_key, "sub": user.sub})
    return {"ChallengeName": NEW_PASSWORD, "Session": token,
            "ChallengeParameters": {"USER_ID_FOR_SRP": user.username, "requiredAttributes": json.dumps(required),
                                    "userAttributes": json.dumps(shown)}}


def _check_changes(pool: UserPool, client: AppClient, user: User, changes: dict[str, str]) -> None:
    """Attributes sent with the new password: a required one that already has a value cannot be sent again
    (RespondToAuthChallenge, ChallengeResponses); the others must be writable by the client and valid."""
    required = {e["Name"] for e in pool.config["SchemaAttributes"] if e["Required"]}
    for name in changes:
        if name in required and user.attributes.get(name):
            raise NotAuthorizedException(f"Cannot modify an already provided {name}")
    schema.check_attributes(pool.config["SchemaAttributes"], changes, admin=False,
                            writable=client.config.get("WriteAttributes"), existing=user.attributes)


def new_password(deps: Deps, pool: UserPool, client: AppClient, session: str | None,
                 answers: dict[str, str]) -> dict[str, Any]:
    """NEW_PASSWORD_REQUIRED. Every refusal leaves the session usable for another try (its transaction rolls
    back): a password the policy refuses is found before the session is even read."""
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
        state = sessions.take(deps, uow, client, session, NEW_PASSWORD).state
        user = uow.users.get(pool.id, state["username_key"])
        if user is None or user.sub != state["sub"] or users.find(uow, pool, username) != user:
            raise NotAuthorizedException(sessions.EXPIRED)
        if not user.enabled:
            raise NotAuthorizedException("User is disabled.")
        _check_changes(pool, client, user, changes)
        user.attributes.update(changes)
        absent = _required_missing(pool, user.attributes)
        if absent:
            raise InvalidParameterException(f"Invalid attributes given, {absent[0]} is missing")
        credentials.store(deps, uow, user, record)
        user.status = UserStatus.CONFIRMED
        users.touch(deps, uow, user)
        answer = after_password(deps, uow, pool, client, user)
    return finish(answer)
