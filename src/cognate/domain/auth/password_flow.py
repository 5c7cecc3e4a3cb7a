"""USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH: the password checked against its argon2id hash.

The hash is checked outside any transaction (it is the slow part); the failure count and the tokens are
written after it. An unknown user costs the same hashing work as a known one."""

from __future__ import annotations

from typing import Any

from cognate.domain.auth import challenges, lockout
from cognate.domain.context import Deps
from cognate.domain.errors import NotAuthorizedException, PasswordResetRequiredException
from cognate.domain.userpool import clients, users
from cognate.domain.userpool.model import AppClient, UserPool, UserStatus


def sign_in(deps: Deps, pool: UserPool, client: AppClient, params: dict[str, str]) -> dict[str, Any]:
    username, password = challenges.require(params, "USERNAME", "PASSWORD")
    clients.check_secret_hash(deps, client, username, params.get("SECRET_HASH"))
    with deps.store.read() as uow:
        user = users.find(uow, pool, username)
        if user is not None and user.id is not None:
            lockout.check(deps, uow, user.id)
    if user is None or user.id is None:
        deps.passwords.verify(None, password)
        raise challenges.unknown_user(client)
    if user.password_hash is None and user.status == UserStatus.RESET_REQUIRED:
        raise PasswordResetRequiredException()  # an imported user has no password until it resets one
    correct = deps.passwords.verify(user.password_hash, password)
    with deps.store.write() as uow:
        if not correct:
            lockout.failed(deps, uow, user.id)
            raise NotAuthorizedException(challenges.INCORRECT).keeping_writes()
        current = uow.users.get(pool.id, user.username_key)
        if current is None:
            raise challenges.unknown_user(client)
        return challenges.after_password(deps, uow, pool, client, current, params.get("DEVICE_KEY"))
