"""USER_SRP_AUTH and its PASSWORD_VERIFIER challenge (shared/reference/srp.md §3-5; API reference,
InitiateAuth and RespondToAuthChallenge).

The server secret ``b`` lives only in the server-side session row; the verifier stays sealed with the user
and is read again to check the claim. SECRET_BLOCK is random, must come back unchanged, and names the
session (pycognito answers PASSWORD_VERIFIER without a Session, as Cognito allows). The modular
exponentiations run outside any transaction.

An unknown user, when the client prevents user-existence errors, gets a plausible challenge from a decoy
verifier (a stable salt per name, a UUID user id where users sign in with an email or phone) and the
same work at the second step, then "Incorrect username or password.".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import uuid
from typing import Any

from cognate.domain.auth import challenges, credentials, lockout, sessions, srp
from cognate.domain.context import Deps
from cognate.domain.errors import (
    CognateError,
    InvalidParameterException,
    NotAuthorizedException,
    PasswordResetRequiredException,
)
from cognate.domain.userpool import clients, users
from cognate.domain.userpool.model import AppClient, UserPool, UserStatus
from cognate.store.ports import UnitOfWork

CLOCK_SKEW = 300.0  # Cognito's allowed TIMESTAMP skew is not published (srp.md §4)
CHALLENGE = "PASSWORD_VERIFIER"


def _decoy(deps: Deps, pool: UserPool, username: str) -> tuple[srp.Verifier, str]:
    """A stable fake verifier and user id for an unknown user, so repeated probes see a consistent salt."""
    seed = deps.box.mac(f"{pool.id}:{username}", "srp-decoy")  # 64 hex digits: salt, id and verifier from it
    user_id = str(uuid.UUID(seed[32:], version=4)) if users.username_attributes(pool) else username
    return srp.Verifier(int(seed[:32], 16), int(seed, 16) % srp.N), user_id


def _whom(deps: Deps, uow: UnitOfWork, pool: UserPool, client: AppClient,
          username: str) -> tuple[srp.Verifier, str, dict[str, Any]]:
    """The verifier to challenge against, the USER_ID_FOR_SRP, and what the session must remember. A user
    who cannot answer (unknown, or without a verifier) gets the decoy when existence is hidden."""
    hidden = client.config.get("PreventUserExistenceErrors") == "ENABLED"
    user = users.find(uow, pool, username)
    if user is not None and user.id is not None:
        lockout.check(deps, uow, user.id)
        found = credentials.srp_verifier(deps, uow, user)
        if found is not None:
            return found, user.username, {"username_key": user.username_key, "set_at": user.password_set_at}
        if user.status == UserStatus.RESET_REQUIRED:
            raise PasswordResetRequiredException()  # an imported user has no password until it resets one
        if not hidden:
            raise NotAuthorizedException(challenges.INCORRECT)
    elif not hidden:
        raise challenges.unknown_user(client)
    verifier, user_id = _decoy(deps, pool, username)
    return verifier, user_id, {"username_key": None, "decoy": format(verifier.verifier, "x")}


def start(deps: Deps, pool: UserPool, client: AppClient, params: dict[str, str]) -> dict[str, Any]:
    username, srp_a = challenges.require(params, "USERNAME", "SRP_A")
    clients.check_secret_hash(deps, client, username, params.get("SECRET_HASH"))
    try:
        a_public = srp.parse_a(srp_a)
    except ValueError as exc:
        raise InvalidParameterException("SRP_A is not valid.") from exc
    with deps.store.read() as uow:
        verifier, user_id, state = _whom(deps, uow, pool, client, username)
    state["A"] = format(a_public, "x")
    step = srp.server_step(verifier.verifier)
    secret_block = base64.b64encode(secrets.token_bytes(64)).decode()
    state.update(user_id=user_id, b=format(step.b, "x"), B=format(step.B, "x"), secret_block=secret_block)
    with deps.store.write() as uow:
        token = sessions.open_session(deps, uow, client, user_id, CHALLENGE, state, token=secret_block)
    return {"ChallengeName": CHALLENGE, "Session": token,
            "ChallengeParameters": {"SALT": format(verifier.salt, "x"), "SRP_B": format(step.B, "x"),
                                    "SECRET_BLOCK": secret_block, "USER_ID_FOR_SRP": user_id, "USERNAME": user_id}}


def _timestamp_ok(deps: Deps, text: str) -> bool:
    try:
        moment = srp.parse_timestamp(text)
    except srp.TimestampFormatError as exc:
        raise InvalidParameterException(str(exc)) from exc
    return moment is not None and abs(moment.timestamp() - deps.clock.now()) <= CLOCK_SKEW


def _claim_matches(pool: UserPool, state: dict[str, Any], answers: dict[str, str], verifier: int) -> bool:
    try:
        given = base64.b64decode(answers["PASSWORD_CLAIM_SIGNATURE"], validate=True)
        block = base64.b64decode(state["secret_block"])
    except (binascii.Error, ValueError):
        given, block = b"", b""
    step = srp.ServerStep(int(state["b"], 16), int(state["B"], 16))
    try:
        key = srp.session_key(int(state["A"], 16), step, verifier)
    except ValueError:  # u == 0: a client that chose A to make it so proves nothing
        return False
    expected = srp.claim_signature(key, credentials.pool_part(pool.id), state["user_id"], block, answers["TIMESTAMP"])
    return hmac.compare_digest(hashlib.sha256(expected).digest(), hashlib.sha256(given).digest())


def _take(deps: Deps, client: AppClient, pool: UserPool, block: str,
          username: str) -> tuple[dict[str, Any], int | None, bool]:
    """Consume the session and count the attempt against the user's lockout, in one transaction: the state,
    the verifier to check against, and whether the user the answer names is the one that started."""
    with deps.store.write() as uow:
        state = sessions.take(deps, uow, client, block, CHALLENGE).state
        if state["username_key"] is None:
            return state, int(state["decoy"], 16), False
        user = uow.users.get(pool.id, state["username_key"])
        if user is None or user.id is None:
            return state, None, False
        try:
            security = lockout.attempt(deps, uow, user.id)
        except CognateError as exc:
            raise exc.keeping_writes() from None  # the session is spent all the same
        # USERNAME may be the internal name (pycognito, Amplify) or an alias or sub that resolves to it.
        named = user if users.username_key(pool, username) == user.username_key else users.find(uow, pool, username)
        same = named is not None and named.id == user.id and user.password_set_at == state.get("set_at")
        found = credentials.srp_verifier(deps, uow, user, security)
        return state, found.verifier if found else None, same


def verify(deps: Deps, pool: UserPool, client: AppClient, session: str | None,
           answers: dict[str, str]) -> dict[str, Any]:
    """PASSWORD_VERIFIER: the claim checked with the verifier of the user that started, named again by
    USERNAME (its internal name, an alias or its sub), signed at a TIMESTAMP within the allowed skew."""
    username, block, _, timestamp = challenges.require(
        answers, "USERNAME", "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP")
    clients.check_secret_hash(deps, client, username, answers.get("SECRET_HASH"))
    in_time = _timestamp_ok(deps, timestamp)
    if session and session != block:
        raise NotAuthorizedException(challenges.INCORRECT)
    state, verifier, same_user = _take(deps, client, pool, block, username)
    # The claim is computed for decoys too: an unknown user costs the same work as a wrong password.
    proven = verifier is not None and _claim_matches(pool, state, answers, verifier) and in_time and same_user
    if not proven:
        raise NotAuthorizedException(challenges.INCORRECT)
    with deps.store.write() as uow:
        user = uow.users.get(pool.id, state["username_key"])
        if user is None or user.password_set_at != state.get("set_at"):
            raise NotAuthorizedException(challenges.INCORRECT)
        answer = challenges.after_password(deps, uow, pool, client, user)
    return challenges.finish(answer)
