"""USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and its legacy name ADMIN_NO_SRP_AUTH: the password checked
against its argon2id hash (API reference, InitiateAuth and AdminInitiateAuth).

The attempt is counted (lockout.py) in a short transaction, the hash is checked outside any transaction
(it is the slow part), and the tokens are written after it. An unknown user costs the same hashing work
as a known one, and with PreventUserExistenceErrors ENABLED gets the same answer as a wrong password.
"""

from __future__ import annotations

from typing import Any

from cognate.domain.auth import challenges, lockout
from cognate.domain.context import Deps
from cognate.domain.errors import NotAuthorizedException, PasswordResetRequiredException
from cognate.domain.userpool import clients, users
from cognate.domain.userpool.model import AppClient, User, UserPool, UserStatus


def _counted_user(deps: Deps, pool: UserPool, username: str) -> User | None:
    """The user signing in, with this attempt counted against its lockout (refused while locked out)."""
    with deps.store.write() as uow:
        user = users.find(uow, pool, username)
        if user is None or user.id is None:
            return None
        if user.password_hash is None and user.status == UserStatus.RESET_REQUIRED:
            raise PasswordResetRequiredException()  # an imported user has no password until it resets one
        lockout.attempt(deps, uow, user.id)
        return user


def sign_in(deps: Deps, pool: UserPool, client: AppClient, params: dict[str, str]) -> dict[str, Any]:
    username, password = challenges.require(params, "USERNAME", "PASSWORD")
    clients.check_secret_hash(deps, client, username, params.get("SECRET_HASH"))
    user = _counted_user(deps, pool, username)
    if user is None:
        deps.passwords.verify(None, password)
        raise challenges.unknown_user(client)
    if not deps.passwords.verify(user.password_hash, password):
        raise NotAuthorizedException(challenges.INCORRECT)
    with deps.store.write() as uow:
        current = uow.users.get(pool.id, user.username_key)
        # The password proven is the one still set: a change since the check makes this attempt void.
        if current is None or current.id != user.id or current.password_hash != user.password_hash:
            raise NotAuthorizedException(challenges.INCORRECT)
        answer = challenges.after_password(deps, uow, pool, client, current)
    return challenges.finish(answer)
