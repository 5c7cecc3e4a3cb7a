"""Administration of users: AdminCreateUser, AdminGetUser, AdminUpdateUserAttributes,
AdminDeleteUserAttributes, AdminDeleteUser, AdminDisableUser, AdminEnableUser, AdminConfirmSignUp,
AdminSetUserPassword, AdminResetUserPassword (API reference of each)."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from typing import Any

from cognate.domain.auth import credentials
from cognate.domain.context import Deps
from cognate.domain.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    UnsupportedUserStateException,
    UserNotFoundException,
)
from cognate.domain.userpool import codes, messages, policy, pools, schema, signup, users
from cognate.domain.userpool.model import CodePurpose, User, UserPool, UserStatus
from cognate.store.ports import UnitOfWork


def _with_user(deps: Deps, pool_id: str, username: str, change: Callable[[UnitOfWork, UserPool, User], Any]) -> Any:
    """Run ``change`` on one user in one transaction, stamping the modification time."""
    with deps.store.write() as uow:
        pool = pools.get(uow, pool_id)
        user = users.require(uow, pool, username)
        result = change(uow, pool, user)
        if uow.users.get(pool.id, user.username_key) is not None:
            users.touch(deps, uow, user)
        return result


def _record_for(deps: Deps, pool_id: str, name: str, password: str) -> credentials.PasswordRecord:
    """The password record of an existing user, made before the write transaction (argon2 is slow). The SRP
    verifier needs the internal user name, which ``name`` (maybe an alias) resolves to."""
    with deps.store.read() as uow:
        user = users.require(uow, pools.get(uow, pool_id), name)
    return credentials.prepare(deps, pool_id, user.username, password)


def temporary_password(pool_policy: dict[str, Any]) -> str:
    """A random password that satisfies the pool's policy: one of each class, then random fill."""
    pools_of_chars = [string.ascii_lowercase, string.ascii_uppercase, string.digits, "^$*.[]{}()?!@#%&/,><:;|_~=+-"]
    length = max(int(pool_policy.get("MinimumLength", 8)), 12)
    chars = [secrets.choice(group) for group in pools_of_chars]
    chars += [secrets.choice(string.ascii_letters + string.digits) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def create_user(deps: Deps, request: dict[str, Any]) -> dict[str, Any]:
    attributes = signup.attributes_from(request.get("UserAttributes"))
    action = request.get("MessageAction")
    with deps.store.read() as uow:
        pool = pools.get(uow, request["UserPoolId"])
    password_policy = pool.config["Policies"]["PasswordPolicy"]
    password = request.get("TemporaryPassword") or temporary_password(password_policy)
    if "TemporaryPassword" in request:
        policy.check(password_policy, password)
    if action == "RESEND":
        return _resend_invitation(deps, pool, request, password)
    username = signup.sign_in_name(pool, request["Username"], attributes)
    # Required attributes are not enforced here: "either you should supply [them] ... or the user should
    # supply [them]" at first sign-in (API reference, AdminCreateUser); NEW_PASSWORD_REQUIRED asks for them.
    schema.check_attributes(pool.config["SchemaAttributes"], attributes, admin=True)
    record = credentials.prepare(deps, pool.id, username, password)
    user = signup.new_user(deps, pool, username, attributes, UserStatus.FORCE_CHANGE_PASSWORD, record)
    with deps.store.write() as uow:
        pool = pools.get(uow, pool.id, for_update=True)
        signup.ensure_unique(uow, pool, username, attributes, "User account already exists")
        for attribute, flag in users.ALIAS_VERIFIED.items():
            if attributes.get(flag) == "true" and attribute in attributes:
                users.claim_alias(uow, pool, user, attribute, bool(request.get("ForceAliasCreation")))
        signup.add_user(deps, uow, pool, user, record)
        if action != "SUPPRESS":
            _invite(deps, uow, pool, user, password, request.get("DesiredDeliveryMediums"))
    return {"User": users.describe(user)}


def _resend_invitation(deps: Deps, pool: UserPool, request: dict[str, Any], password: str) -> dict[str, Any]:
    """MessageAction RESEND: a new temporary password, and the invitation again."""
    record = _record_for(deps, pool.id, request["Username"], password)

    def change(uow: UnitOfWork, pool: UserPool, user: User) -> dict[str, Any]:
        if user.status != UserStatus.FORCE_CHANGE_PASSWORD:
            raise UnsupportedUserStateException(f"Resend not possible. {user.username} status is not "
                                                "FORCE_CHANGE_PASSWORD")
        credentials.store(deps, uow, user, record)
        _invite(deps, uow, pool, user, password, request.get("DesiredDeliveryMediums"))
        return {"User": users.describe(user)}

    try:
        result: dict[str, Any] = _with_user(deps, pool.id, request["Username"], change)
    except UserNotFoundException as exc:
        raise UserNotFoundException("User does not exist.") from exc
    return result


def _invite(deps: Deps, uow: UnitOfWork, pool: UserPool, user: User, password: str,
            mediums: list[str] | None) -> None:
    """The invitation, by each medium asked for. Without DesiredDeliveryMediums it goes by SMS (AWS's default)
    to a user with a phone number, else by email; a user with neither is created without one. A medium asked
    for whose attribute the user lacks is refused, with AWS's message for email."""
    template = pool.config.get("AdminCreateUserConfig", {}).get("InviteMessageTemplate", {})
    if mediums:
        targets = list(dict.fromkeys(mediums))
        for medium in targets:
            if not user.attributes.get("email" if medium == "EMAIL" else "phone_number"):
                raise InvalidParameterException("No email provided but desired delivery medium was Email"
                                                if medium == "EMAIL" else
                                                "No phone_number provided but desired delivery medium was SMS")
    else:
        targets = ["SMS"] if user.attributes.get("phone_number") else ["EMAIL"] if user.attributes.get("email") \
            else []
    for medium in targets:
        body = template.get("EmailMessage" if medium == "EMAIL" else "SMSMessage") or messages.DEFAULT_INVITE
        deps.messenger.send(uow, messages.email_message(pool.config,
            channel=medium, destination=user.attributes["email" if medium == "EMAIL" else "phone_number"],
            subject=template.get("EmailSubject") or messages.DEFAULT_INVITE_SUBJECT if medium == "EMAIL" else None,
            body=messages.render(body, password, user.username), purpose="invitation", created=deps.clock.now()))


def get_user(deps: Deps, pool_id: str, username: str) -> dict[str, Any]:
    with deps.store.read() as uow:
        pool = pools.get(uow, pool_id)
        user = users.require(uow, pool, username)
    return {**users.describe(user, key="UserAttributes"), "MFAOptions": [], "UserMFASettingList": []}


def update_attributes(deps: Deps, request: dict[str, Any]) -> None:
    changes = signup.attributes_from(request["UserAttributes"])

    def change(uow: UnitOfWork, pool: UserPool, user: User) -> None:
        schema.check_attributes(pool.config["SchemaAttributes"], changes, admin=True, existing=user.attributes)
        to_verify = []
        for attribute, flag in users.ALIAS_VERIFIED.items():
            changed = attribute in changes and changes[attribute] != user.attributes.get(attribute)
            if changed and user.id is not None:
                # A code sent for the old value must not verify the new one.
                uow.codes.discard(user.id, f"verify:{attribute}")
            if changed and changes.get(flag) != "true":
                changes[flag] = "false"
                to_verify.append(attribute)
        user.attributes.update(changes)
        for attribute in changes:
            users.ensure_sign_in_name_free(uow, pool, user, attribute)
        for attribute, flag in users.ALIAS_VERIFIED.items():
            if changes.get(flag) == "true" and user.attributes.get(attribute):
                users.claim_alias(uow, pool, user, attribute, False)
        for attribute in to_verify:
            if attribute in pool.config.get("AutoVerifiedAttributes", []) and user.attributes.get(attribute):
                users.send_verification(deps, uow, pool, user, attribute, f"verify:{attribute}")

    _with_user(deps, request["UserPoolId"], request["Username"], change)


def delete_attributes(deps: Deps, request: dict[str, Any]) -> None:
    names = request["UserAttributeNames"]

    def change(uow: UnitOfWork, pool: UserPool, user: User) -> None:
        for name in names:
            schema.check_removable(pool.config["SchemaAttributes"], name, admin=True)
            user.attributes.pop(name, None)
            if name in users.ALIAS_VERIFIED:
                user.attributes.pop(users.ALIAS_VERIFIED[name], None)
                if user.id is not None:
                    uow.codes.discard(user.id, f"verify:{name}")

    _with_user(deps, request["UserPoolId"], request["Username"], change)


def delete_user(deps: Deps, pool_id: str, username: str) -> None:
    def change(uow: UnitOfWork, pool: UserPool, user: User) -> None:
        uow.users.delete(user)
        uow.pools.adjust_user_count(pool.id, -1)

    _with_user(deps, pool_id, username, change)


def set_enabled(deps: Deps, pool_id: str, username: str, enabled: bool) -> None:
    def change(uow: UnitOfWork, pool: UserPool, user: User) -> None:
        user.enabled = enabled

    _with_user(deps, pool_id, username, change)


def confirm_sign_up(deps: Deps, pool_id: str, username: str) -> None:
    def change(uow: UnitOfWork, pool: UserPool, user: User) -> None:
        if user.status != UserStatus.UNCONFIRMED:
            raise NotAuthorizedException(f"User cannot be confirmed. Current status is {user.status.value}")
        user.status = UserStatus.CONFIRMED
        if user.id is not None:
            uow.codes.discard(user.id, CodePurpose.SIGN_UP)

    _with_user(deps, pool_id, username, change)


def set_password(deps: Deps, request: dict[str, Any]) -> None:
    with deps.store.read() as uow:
        pool = pools.get(uow, request["UserPoolId"])
    policy.check(pool.config["Policies"]["PasswordPolicy"], request["Password"])
    record = _record_for(deps, pool.id, request["Username"], request["Password"])

    def change(uow: UnitOfWork, pool: UserPool, user: User) -> None:
        if user.status == UserStatus.EXTERNAL_PROVIDER:
            raise InvalidParameterException("Cannot set a password for a federated user.")
        credentials.store(deps, uow, user, record)
        user.status = UserStatus.CONFIRMED if request.get("Permanent") else UserStatus.FORCE_CHANGE_PASSWORD

    _with_user(deps, request["UserPoolId"], request["Username"], change)


def reset_password(deps: Deps, pool_id: str, username: str) -> None:
    """Status RESET_REQUIRED and a reset code to a verified email or phone (AccountRecoverySetting order)."""
    def change(uow: UnitOfWork, pool: UserPool, user: User) -> None:
        channel = recovery_channel(pool, user)
        if channel is None:
            raise InvalidParameterException("Cannot reset password for the user as there is no registered/"
                                            "verified email or phone_number")
        if user.status == UserStatus.UNCONFIRMED:
            raise NotAuthorizedException("User password cannot be reset in the current state.")
        user.status = UserStatus.RESET_REQUIRED
        assert user.id is not None
        code = codes.issue(deps, uow, user.id, CodePurpose.FORGOT_PASSWORD)
        messages.send_code(deps, uow, pool.config, user, channel, code, CodePurpose.FORGOT_PASSWORD)

    _with_user(deps, pool_id, username, change)


def recovery_channel(pool: UserPool, user: User) -> str | None:
    """The first verified contact in AccountRecoverySetting's priority order. Without the setting "Amazon
    Cognito uses the legacy behavior to determine the recovery method where SMS is preferred over email" (API
    reference, CreateUserPool AccountRecoverySetting)."""
    setting = pool.config.get("AccountRecoverySetting", {}).get("RecoveryMechanisms")
    order = [m["Name"] for m in sorted(setting, key=lambda m: m["Priority"])] if setting else \
        ["verified_phone_number", "verified_email"]
    for mechanism in order:
        attribute = {"verified_email": "email", "verified_phone_number": "phone_number"}.get(mechanism)
        if attribute and user.attributes.get(users.ALIAS_VERIFIED[attribute]) == "true":
            return attribute
    return None
