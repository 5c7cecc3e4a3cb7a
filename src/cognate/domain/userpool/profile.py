"""The signed-in user's own profile: GetUser, UpdateUserAttributes, DeleteUserAttributes, DeleteUser,
GetUserAttributeVerificationCode, VerifyUserAttribute, ChangePassword (API reference of each).

Every operation here is authorized by an access token carrying the scope ``aws.cognito.signin.user.admin``
(``tokens/verify.py``): an invalid, expired or revoked token, or a disabled user, is refused with
NotAuthorizedException before anything else happens. The token's ``client_id`` names the app client whose
ReadAttributes and WriteAttributes bound what the user may see and change.
"""

from __future__ import annotations

from typing import Any

from cognate.domain.auth import credentials, lockout
from cognate.domain.auth.challenges import INCORRECT, missing
from cognate.domain.context import Deps
from cognate.domain.errors import (
    InvalidParameterException,
    LimitExceededException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UnsupportedFeature,
    UserNotConfirmedException,
)
from cognate.domain.tokens import verify
from cognate.domain.tokens.verify import Caller
from cognate.domain.userpool import codes, policy, schema, users
from cognate.domain.userpool.model import AppClient, User, UserPool, UserStatus
from cognate.store.ports import UnitOfWork

# The attributes a code can verify (API reference, GetUserAttributeVerificationCode and VerifyUserAttribute).
VERIFIABLE = tuple(users.ALIAS_VERIFIED)
# The verified flags are Cognito's to set after a code (or an administrator's), never the user's.
VERIFIED_FLAGS = set(users.ALIAS_VERIFIED.values())
UNAUTHORIZED_WRITE = "A client attempted to write unauthorized attribute"


def caller_of(deps: Deps, uow: UnitOfWork, token: str) -> Caller:
    """The user behind the token, in a state that may use it: every token-authenticated operation of the
    model lists PasswordResetRequiredException and UserNotConfirmedException for the other states."""
    caller = verify.authenticate(deps, uow, token)
    if caller.user.status == UserStatus.RESET_REQUIRED:
        raise PasswordResetRequiredException()
    if caller.user.status == UserStatus.UNCONFIRMED:
        raise UserNotConfirmedException()
    return caller


def _client(uow: UnitOfWork, caller: Caller) -> AppClient:
    """The app client the token was issued to; a token of a deleted client no longer names one."""
    client = uow.clients.get(str(caller.claims.get("client_id")))
    if client is None or client.pool_id != caller.pool.id:
        raise NotAuthorizedException("Invalid Access Token")
    return client


def _user_id(user: User) -> int:
    assert user.id is not None
    return user.id


# --- GetUser -----------------------------------------------------------------------------------------------


def get_user(deps: Deps, token: str) -> dict[str, Any]:
    """Username and the attributes the token's client may read (``sub`` always, first; developer-only
    attributes never). MFAOptions, PreferredMfaSetting and UserMFASettingList describe MFA settings: Cognate
    keeps none per user yet, so they are left out, as AWS leaves them out for a user without MFA."""
    with deps.store.read() as uow:
        caller = caller_of(deps, uow, token)
        client = _client(uow, caller)
    readable = client.config.get("ReadAttributes")
    names = None if readable is None else ["sub", *readable]
    shown = [a for a in users.attribute_list(caller.user, names) if not a["Name"].startswith("dev:")]
    return {"Username": caller.user.username, "UserAttributes": shown}


# --- UpdateUserAttributes and DeleteUserAttributes ----------------------------------------------------------


def _check_removable(pool: UserPool, client: AppClient, name: str) -> None:
    """A user may remove an attribute its client can write, that exists, is neither required nor immutable."""
    entry = schema.schema_index(pool.config["SchemaAttributes"]).get(name)
    if entry is not None and name not in schema.READ_ONLY and not name.startswith("dev:"):
        _check_writable(client, name)
    schema.check_removable(pool.config["SchemaAttributes"], name, admin=False)


def _check_writable(client: AppClient, name: str) -> None:
    writable = client.config.get("WriteAttributes")
    if name in VERIFIED_FLAGS or (writable is not None and name not in writable):
        raise NotAuthorizedException(UNAUTHORIZED_WRITE)


def _refuse_pending_updates(pool: UserPool, user: User, changes: dict[str, str]) -> None:
    """AttributesRequireVerificationBeforeUpdate keeps the old value until the new one is verified, which
    needs a pending value Cognate does not store yet: refused rather than ignored (pools.py refuses the
    setting too, so only a pool stored before that rule could carry it)."""
    settings = pool.config.get("UserAttributeUpdateSettings") or {}
    for name in settings.get("AttributesRequireVerificationBeforeUpdate") or []:
        if name in changes and changes[name] != user.attributes.get(name):
            raise UnsupportedFeature("UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate "
                                     "(verifying an email or phone number before it changes) yet")


def _remove(uow: UnitOfWork, user: User, name: str) -> None:
    user.attributes.pop(name, None)
    if name in users.ALIAS_VERIFIED:
        user.attributes.pop(users.ALIAS_VERIFIED[name], None)
        uow.codes.discard(_user_id(user), f"verify:{name}")


def update_attributes(deps: Deps, request: dict[str, Any]) -> dict[str, Any]:
    """New values are checked against the schema and the client's WriteAttributes; a blank value deletes the
    attribute. A changed email or phone number becomes unverified, any code sent for the old value stops
    working, and a new code goes to it when the pool auto-verifies that attribute."""
    changes = {item["Name"]: item.get("Value", "") for item in request["UserAttributes"]}
    with deps.store.write() as uow:
        caller = caller_of(deps, uow, request["AccessToken"])
        pool, user, client = caller.pool, caller.user, _client(uow, caller)
        _refuse_pending_updates(pool, user, changes)
        values = {k: v for k, v in changes.items() if v != ""}
        for name in changes:
            if name not in values:
                _check_removable(pool, client, name)
            elif name in VERIFIED_FLAGS:
                raise NotAuthorizedException(UNAUTHORIZED_WRITE)
        schema.check_attributes(pool.config["SchemaAttributes"], values, admin=False,
                                writable=client.config.get("WriteAttributes"), existing=user.attributes)
        to_verify = _apply(uow, pool, user, changes)
        auto = pool.config.get("AutoVerifiedAttributes", [])
        sent = [users.send_verification(deps, uow, pool, user, name, f"verify:{name}")
                for name in to_verify if name in auto]
        users.touch(deps, uow, user)
    return {"CodeDeliveryDetailsList": sent} if sent else {}


def _apply(uow: UnitOfWork, pool: UserPool, user: User, changes: dict[str, str]) -> list[str]:
    """Write the changes; returns the email/phone attributes whose value changed (now unverified)."""
    to_verify = []
    for name, value in changes.items():
        if value == "":
            _remove(uow, user, name)
            continue
        changed = user.attributes.get(name) != value
        user.attributes[name] = value
        if changed:
            users.ensure_sign_in_name_free(uow, pool, user, name)
        if name in users.ALIAS_VERIFIED and changed:
            user.attributes[users.ALIAS_VERIFIED[name]] = "false"
            uow.codes.discard(_user_id(user), f"verify:{name}")
            to_verify.append(name)
    return to_verify


def delete_attributes(deps: Deps, token: str, names: list[str]) -> None:
    with deps.store.write() as uow:
        caller = caller_of(deps, uow, token)
        client = _client(uow, caller)
        for name in names:
            _check_removable(caller.pool, client, name)
        for name in names:
            _remove(uow, caller.user, name)
        users.touch(deps, uow, caller.user)


# --- DeleteUser ----------------------------------------------------------------------------------------------


def delete_user(deps: Deps, token: str) -> None:
    """The user and everything hanging off it (refresh tokens, codes, group memberships) go; its access tokens
    then name no user and are refused (UserNotFoundException, as AWS answers a deleted user's token)."""
    with deps.store.write() as uow:
        caller = caller_of(deps, uow, token)
        uow.users.delete(caller.user)
        uow.pools.adjust_user_count(caller.pool.id, -1)


# --- GetUserAttributeVerificationCode and VerifyUserAttribute ---------------------------------------------


def _verifiable(user: User, name: str) -> None:
    if name not in VERIFIABLE:
        raise InvalidParameterException(f"Cannot verify the attribute {name}: only email and phone_number can "
                                        "be verified.")
    if not user.attributes.get(name):
        raise InvalidParameterException(f"The user has no {name} attribute to verify.")


def verification_code(deps: Deps, token: str, name: str) -> dict[str, Any]:
    """A fresh code to the attribute's current value; an earlier one stops working."""
    with deps.store.write() as uow:
        caller = caller_of(deps, uow, token)
        _verifiable(caller.user, name)
        return {"CodeDeliveryDetails": users.send_verification(deps, uow, caller.pool, caller.user, name,
                                                               f"verify:{name}")}


def verify_attribute(deps: Deps, token: str, name: str, code: str) -> None:
    """The code (single use, 24 hours, attempt-limited) marks the attribute verified; a verified email or
    phone that is a sign-in alias must not be another user's verified alias (AliasExistsException)."""
    with deps.store.write() as uow:
        caller = caller_of(deps, uow, token)
        pool, user = caller.pool, caller.user
        _verifiable(user, name)
        codes.redeem(deps, uow, _user_id(user), f"verify:{name}", code)
        users.claim_alias(uow, pool, user, name, False)
        user.attributes[users.ALIAS_VERIFIED[name]] = "true"
        users.touch(deps, uow, user)


# --- ChangePassword ------------------------------------------------------------------------------------------


def _count_attempt(deps: Deps, token: str) -> Caller:
    """The caller, with this attempt counted towards the sign-in back-off before the password is checked (so
    concurrent guesses cannot all pass a lockout check). While locked out ChangePassword answers
    LimitExceededException, as Cognito does; sign-in answers NotAuthorizedException "Password attempts exceeded"."""
    with deps.store.write() as uow:
        caller = caller_of(deps, uow, token)
        try:
            lockout.attempt(deps, uow, _user_id(caller.user))
        except NotAuthorizedException:
            raise LimitExceededException() from None
    return caller


def change_password(deps: Deps, request: dict[str, Any]) -> None:
    """PreviousPassword proves the user (a wrong one counts towards the sign-in back-off); the proposed one
    must meet the pool's policy and becomes the password hash and SRP verifier. Sessions stay signed in, as
    AWS documents nothing else for ChangePassword."""
    token, proposed, previous = request["AccessToken"], request["ProposedPassword"], request.get("PreviousPassword")
    with deps.store.read() as uow:
        caller = caller_of(deps, uow, token)
    pool, user = caller.pool, caller.user
    policy.check(pool.config["Policies"]["PasswordPolicy"], proposed)
    if user.password_hash is None:
        # A user without a password (passwordless sign-in only) sets one without proving an old one.
        correct = True
    else:
        if previous is None:
            raise missing("PreviousPassword")
        user = _count_attempt(deps, token).user
        # The slow parts (argon2id, the SRP verifier) run outside any transaction.
        correct = deps.passwords.verify(user.password_hash, previous)
    if not correct:
        raise NotAuthorizedException(INCORRECT)
    record = credentials.prepare(deps, pool.id, user.username, proposed)
    with deps.store.write() as uow:
        current = caller_of(deps, uow, token).user
        if current.password_hash != user.password_hash:
            # The password changed since it was checked: the proof is about a password no longer in force.
            raise NotAuthorizedException(INCORRECT)
        lockout.succeeded(uow, _user_id(current))
        credentials.store(deps, uow, current, record)
        users.touch(deps, uow, current)
