"""USER_SRP_AUTH and its PASSWORD_VERIFIER challenge (shared/reference/srp.md §3-5).

The server secret ``b`` lives only in the server-side session row; SECRET_BLOCK is random and must come
back unchanged. The two modular exponentiations run outside any transaction."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from typing import Any

from cognate.domain.auth import challenges, credentials, lockout, sessions, srp
from cognate.domain.context import Deps
from cognate.domain.errors import InvalidParameterException, NotAuthorizedException, PasswordResetRequiredException
from cognate.domain.userpool import clients, users
from cognate.domain.userpool.model import AppClient, UserPool, UserStatus

CLOCK_SKEW = 300.0
CHALLENGE = "PASSWORD_VERIFIER"


def _decoy(deps: Deps, pool: UserPool, username: str) -> srp.Verifier:
    """A stable fake verifier for an unknown user, so repeated probes see a consistent salt."""
    seed = deps.box.mac(f"{pool.id}:{username}", "srp-decoy")
    return srp.Verifier(int(seed[:32], 16), int(seed, 16) % srp.N)


def start(deps: Deps, pool: UserPool, client: AppClient, params: dict[str, str]) -> dict[str, Any]:
    username, srp_a = challenges.require(params, "USERNAME", "SRP_A")
    clients.check_secret_hash(deps, client, username, params.get("SECRET_HASH"))
    try:
        a_public = srp.parse_a(srp_a)
    except ValueError as exc:
        raise InvalidParameterException("SRP_A is not valid.") from exc
    with deps.store.read() as uow:
        user = users.find(uow, pool, username)
        if user is None:
            if client.config.get("PreventUserExistenceErrors") != "ENABLED":
                raise challenges.unknown_user(client)
            verifier, user_id, key = _decoy(deps, pool, username), username, None
        else:
            assert user.id is not None
            lockout.check(deps, uow, user.id)
            found = credentials.srp_verifier(deps, uow, user)
            if found is None:
                if user.status == UserStatus.RESET_REQUIRED:
                    raise PasswordResetRequiredException()
                raise NotAuthorizedException(challenges.INCORRECT)
            verifier, user_id, key = found, user.username, user.username_key
    step = srp.server_step(verifier.verifier)
    secret_block = base64.b64encode(secrets.token_bytes(64)).decode()
    state = {"username_key": key, "user_id": user_id, "A": format(a_public, "x"), "b": format(step.b, "x"),
             "B": format(step.B, "x"), "verifier": format(verifier.verifier, "x"), "secret_block": secret_block,
             "device_key": params.get("DEVICE_KEY")}
    with deps.store.write() as uow:
        # The SECRET_BLOCK doubles as the Session: pycognito answers PASSWORD_VERIFIER without a Session,
        # as Cognito allows, so the state must be found from the block that comes back.
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


def _claim_matches(pool: UserPool, state: dict[str, Any], answers: dict[str, str]) -> bool:
    if not hmac.compare_digest(answers["PASSWORD_CLAIM_SECRET_BLOCK"].encode(), state["secret_block"].encode()):
        return False
    try:
        given = base64.b64decode(answers["PASSWORD_CLAIM_SIGNATURE"], validate=True)
        block = base64.b64decode(state["secret_block"])
    except (binascii.Error, ValueError):
        return False
    step = srp.ServerStep(int(state["b"], 16), int(state["B"], 16))
    key = srp.session_key(int(state["A"], 16), step, int(state["verifier"], 16))
    expected = srp.claim_signature(key, credentials.pool_part(pool.id), state["user_id"], block, answers["TIMESTAMP"])
    return hmac.compare_digest(hashlib.sha256(expected).digest(), hashlib.sha256(given).digest())


def verify(deps: Deps, pool: UserPool, client: AppClient, session: str | None,
           answers: dict[str, str]) -> dict[str, Any]:
    username, _, _, timestamp = challenges.require(
        answers, "USERNAME", "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP")
    clients.check_secret_hash(deps, client, username, answers.get("SECRET_HASH"))
    in_time = _timestamp_ok(deps, timestamp)
    if session and session != answers["PASSWORD_CLAIM_SECRET_BLOCK"]:
        raise NotAuthorizedException(challenges.INCORRECT)
    with deps.store.write() as uow:
        state = sessions.take(deps, uow, client, answers["PASSWORD_CLAIM_SECRET_BLOCK"], CHALLENGE).state
    if state["username_key"] is None:
        raise NotAuthorizedException(challenges.INCORRECT)
    proven = in_time and _claim_matches(pool, state, answers)
    with deps.store.write() as uow:
        user = uow.users.get(pool.id, state["username_key"])
        named = users.find(uow, pool, username)
        if user is None or user.id is None or named is None or named.id != user.id:
            raise NotAuthorizedException(challenges.INCORRECT)
        if not proven:
            lockout.failed(deps, uow, user.id)
            raise NotAuthorizedException(challenges.INCORRECT).keeping_writes()
        return challenges.after_password(deps, uow, pool, client, user, answers.get("DEVICE_KEY") or
                                         state.get("device_key"))
