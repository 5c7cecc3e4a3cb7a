"""Users of a pool: how names resolve (username, alias, username attribute), how users are described, and the
rules shared by every door that changes them."""

from __future__ import annotations

import re
from typing import Any

from cognate.domain.context import Deps
from cognate.domain.errors import AliasExistsException, ClientError, UserNotFoundException
from cognate.domain.userpool import codes, messages
from cognate.domain.userpool.model import User, UserPool
from cognate.store.ports import UnitOfWork

ALIAS_VERIFIED = {"email": "email_verified", "phone_number": "phone_number_verified"}
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def case_sensitive(pool: UserPool) -> bool:
    """UsernameConfiguration.CaseSensitive; pools created without it are case sensitive (API reference)."""
    return bool(pool.config.get("UsernameConfiguration", {}).get("CaseSensitive", True))


def username_key(pool: UserPool, username: str) -> str:
    return username if case_sensitive(pool) else username.lower()


def username_attributes(pool: UserPool) -> list[str]:
    return list(pool.config.get("UsernameAttributes", []))


def alias_attributes(pool: UserPool) -> list[str]:
    return list(pool.config.get("AliasAttributes", []))


def find(uow: UnitOfWork, pool: UserPool, name: str) -> User | None:
    """The user a caller means by ``name``: its user name, a sign-in alias of the pool, or its ``sub``.

    Email and phone aliases count only once verified; with UsernameAttributes the email or phone is the
    sign-in name whether verified or not (Developer Guide, "User pool attributes: usernames and aliases").
    Any other value "must be the sub of a local user" (API reference, the Username of AdminGetUser & al.).
    """
    user = uow.users.get(pool.id, username_key(pool, name))
    if user is not None:
        return user
    for attribute in username_attributes(pool):
        found = uow.users.find_by_attribute(pool.id, attribute, name, limit=1)
        if found:
            return found[0]
    for attribute in alias_attributes(pool):
        for candidate in uow.users.find_by_attribute(pool.id, attribute, name):
            flag = ALIAS_VERIFIED.get(attribute)
            if flag is None or candidate.attributes.get(flag) == "true":
                return candidate
    if _UUID.fullmatch(name):
        return uow.users.get_by_sub(pool.id, name.lower())
    return None


def require(uow: UnitOfWork, pool: UserPool, name: str) -> User:
    user = find(uow, pool, name)
    if user is None:
        raise UserNotFoundException()
    return user


def attribute_list(user: User, names: list[str] | None = None) -> list[dict[str, str]]:
    """Attributes as AWS lists them: ``sub`` first, then the rest."""
    values = {"sub": user.sub, **user.attributes}
    if names is not None:
        values = {k: v for k, v in values.items() if k in names}
    return [{"Name": k, "Value": v} for k, v in values.items()]


def describe(user: User, names: list[str] | None = None, *, key: str = "Attributes") -> dict[str, Any]:
    """UserType (ListUsers, AdminCreateUser); ``key="UserAttributes"`` gives AdminGetUser's shape."""
    return {"Username": user.username, key: attribute_list(user, names), "UserCreateDate": user.created,
            "UserLastModifiedDate": user.modified, "Enabled": user.enabled, "UserStatus": user.status.value}


def auto_verified_channel(pool: UserPool, user: User) -> str | None:
    """The attribute a confirmation code goes to: the phone when both are auto-verified, as Cognito does."""
    auto = pool.config.get("AutoVerifiedAttributes", [])
    for attribute in ("phone_number", "email"):
        if attribute in auto and user.attributes.get(attribute):
            return attribute
    return None


def claim_alias(uow: UnitOfWork, pool: UserPool, user: User, attribute: str, force: bool) -> None:
    """Before ``attribute`` of ``user`` becomes verified: no other user may hold it as a verified alias.

    With ForceAliasCreation the alias moves to this user and the other one loses its verified flag.
    """
    if attribute not in alias_attributes(pool) + username_attributes(pool):
        return
    flag = ALIAS_VERIFIED[attribute]
    for other in uow.users.find_by_attribute(pool.id, attribute, user.attributes[attribute]):
        if other.id == user.id or other.attributes.get(flag) != "true":
            continue
        if not force:
            raise _alias_taken(attribute)
        other.attributes[flag] = "false"
        uow.users.update(other)


def _alias_taken(attribute: str) -> ClientError:
    return AliasExistsException(f"An account with the given {attribute.replace('_number', '')} already exists.")


def unique_sign_in_attributes(pool: UserPool) -> list[str]:
    """Attributes no two users may share: UsernameAttributes (verified or not), and preferred_username when it
    is an alias (it needs no verification to sign in, so it is unique as soon as it is set)."""
    aliases = ["preferred_username"] if "preferred_username" in alias_attributes(pool) else []
    return username_attributes(pool) + aliases


def ensure_sign_in_name_free(uow: UnitOfWork, pool: UserPool, user: User, attribute: str) -> None:
    """Changing a sign-in name (see ``unique_sign_in_attributes``) to another user's is an alias conflict."""
    if attribute not in unique_sign_in_attributes(pool) or not user.attributes.get(attribute):
        return
    for other in uow.users.find_by_attribute(pool.id, attribute, user.attributes[attribute], limit=2):
        if other.id != user.id:
            raise _alias_taken(attribute)


def send_verification(deps: Deps, uow: UnitOfWork, pool: UserPool, user: User, attribute: str,
                      purpose: str) -> dict[str, str]:
    assert user.id is not None
    code = codes.issue(deps, uow, user.id, purpose)
    return messages.send_code(deps, uow, pool.config, user, attribute, code, purpose)


def touch(deps: Deps, uow: UnitOfWork, user: User) -> None:
    user.modified = deps.clock.now()
    uow.users.update(user)
