"""Self-service password recovery: ForgotPassword and ConfirmForgotPassword (API reference of each; Developer
Guide, "Recovering user accounts").

The code goes to the first verified contact in the pool's AccountRecoverySetting order, rendered with the
pool's verification message templates, lives one hour and allows a bounded number of wrong guesses
(``codes.py``). Resetting the password does not sign the user out: AWS documents no token revocation for
ConfirmForgotPassword (an application that wants it calls GlobalSignOut), so refresh tokens keep working.
"""

from __future__ import annotations

from typing import Any

from cognate.domain.auth import credentials, lockout
from cognate.domain.context import Deps
from cognate.domain.errors import (
    ClientError,
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedException,
    UserNotFoundException,
)
from cognate.domain.userpool import admin_users, clients, codes, messages, policy, pools, users
from cognate.domain.userpool.model import AppClient, CodePurpose, User, UserPool, UserStatus
from cognate.store.ports import UnitOfWork

NO_CONTACT = "Cannot reset password for the user as there is no registered/verified email or phone_number"
ADMIN_ONLY = "Contact administrator to reset password."


def _client_and_pool(uow: UnitOfWork, client_id: str) -> tuple[AppClient, UserPool]:
    client = clients.find(uow, client_id)
    return client, pools.get(uow, client.pool_id)


def _hides_users(client: AppClient) -> bool:
    return client.config.get("PreventUserExistenceErrors") == "ENABLED"


def _unknown_user() -> ClientError:
    """What a LEGACY client answers for a user name it does not know (the message Cognito sends)."""
    return UserNotFoundException("Username/client id combination not found.")


def _mechanisms(pool: UserPool) -> list[str]:
    setting = (pool.config.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms") or []
    return [m["Name"] for m in sorted(setting, key=lambda m: m["Priority"])]


def _check_state(user: User) -> None:
    """Who may reset a password by themselves: an enabled user that has chosen a password already (a user
    invited with a temporary password answers the NEW_PASSWORD_REQUIRED challenge instead)."""
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if user.status in (UserStatus.FORCE_CHANGE_PASSWORD, UserStatus.EXTERNAL_PROVIDER):
        raise NotAuthorizedException("User password cannot be reset in the current state.")


def _simulated_delivery(pool: UserPool) -> dict[str, str]:
    """What a client that hides user existence answers for an unknown user: a plausible delivery by the
    channel the pool would use first (without AccountRecoverySetting, SMS in a pool that verifies only phone
    numbers, else email)."""
    auto = pool.config.get("AutoVerifiedAttributes", [])
    default = "verified_phone_number" if "phone_number" in auto and "email" not in auto else "verified_email"
    if next(iter(_mechanisms(pool)), default) == "verified_phone_number":
        return messages.delivery_details("SMS", "+10000000000", "phone_number")
    return messages.delivery_details("EMAIL", "user@example.com", "email")


def forgot_password(deps: Deps, request: dict[str, Any]) -> dict[str, Any]:
    """A reset code to the user's first verified contact; the password stays valid until it is used."""
    with deps.store.write() as uow:
        client, pool = _client_and_pool(uow, request["ClientId"])
        clients.check_secret_hash(deps, client, request["Username"], request.get("SecretHash"))
        if "admin_only" in _mechanisms(pool):
            raise NotAuthorizedException(ADMIN_ONLY)
        user = users.find(uow, pool, request["Username"])
        if user is None:
            if _hides_users(client):
                return {"CodeDeliveryDetails": _simulated_delivery(pool)}
            raise _unknown_user()
        _check_state(user)
        channel = admin_users.recovery_channel(pool, user)
        if channel is None:
            raise InvalidParameterException(NO_CONTACT)
        assert user.id is not None
        code = codes.issue(deps, uow, user.id, CodePurpose.FORGOT_PASSWORD)
        details = messages.send_code(deps, uow, pool.config, user, channel, code, CodePurpose.FORGOT_PASSWORD)
    return {"CodeDeliveryDetails": details}


def confirm_forgot_password(deps: Deps, request: dict[str, Any]) -> None:
    """The code and a new password of the pool's policy: the password is set (hash and SRP verifier), the
    user becomes CONFIRMED (from RESET_REQUIRED too) and its failed sign-ins are forgotten."""
    password = request["Password"]
    with deps.store.read() as uow:
        client, pool = _client_and_pool(uow, request["ClientId"])
        clients.check_secret_hash(deps, client, request["Username"], request.get("SecretHash"))
        user = users.find(uow, pool, request["Username"])
    if user is None:
        raise CodeMismatchException() if _hides_users(client) else _unknown_user()
    _check_state(user)
    policy.check(pool.config["Policies"]["PasswordPolicy"], password)
    # argon2id and the SRP verifier are the slow part: made before the write transaction opens.
    record = credentials.prepare(deps, pool.id, user.username, password)
    with deps.store.write() as uow:
        current = users.find(uow, pool, request["Username"])
        if current is None or current.id != user.id:
            raise CodeMismatchException()
        _check_state(current)
        assert current.id is not None
        codes.redeem(deps, uow, current.id, CodePurpose.FORGOT_PASSWORD, request["ConfirmationCode"])
        credentials.store(deps, uow, current, record)
        current.status = UserStatus.CONFIRMED
        lockout.succeeded(uow, current.id)
        users.touch(deps, uow, current)
