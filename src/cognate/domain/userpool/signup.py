"""Self-service sign-up: SignUp, ConfirmSignUp, ResendConfirmationCode (API reference of each)."""

from __future__ import annotations

from typing import Any

from cognate import ids
from cognate.domain.auth import credentials
from cognate.domain.auth.credentials import PasswordRecord
from cognate.domain.context import Deps
from cognate.domain.errors import (
    AliasExistsException,
    ClientError,
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedException,
    UsernameExistsException,
    UserNotFoundException,
)
from cognate.domain.userpool import clients, codes, policy, pools, schema, users
from cognate.domain.userpool.model import AppClient, CodePurpose, User, UserPool, UserStatus
from cognate.domain.userpool.schema import EMAIL_RE, PHONE_RE
from cognate.store.ports import UnitOfWork


def attributes_from(items: list[dict[str, str]] | None) -> dict[str, str]:
    """AttributeListType as a dict; the verified flags are Booleans, kept as ``"true"``/``"false"``."""
    out = {item["Name"]: item.get("Value", "") for item in items or []}
    for flag in users.ALIAS_VERIFIED.values():
        if flag in out:
            out[flag] = out[flag].lower()
    return out


def _client_and_pool(uow: UnitOfWork, client_id: str) -> tuple[AppClient, UserPool]:
    client = clients.find(uow, client_id)
    return client, pools.get(uow, client.pool_id)


def sign_in_name(pool: UserPool, username: str, attributes: dict[str, str]) -> str:
    """The stored user name. With UsernameAttributes the email or phone given becomes an attribute and the
    user name is a fresh UUID, which ``new_user`` also makes the user's ``sub`` (Cognito names such users by
    their sub); with an email alias, a user name shaped like an email is refused."""
    kinds = users.username_attributes(pool)
    if kinds:
        if "email" in kinds and EMAIL_RE.match(username):
            attributes.setdefault("email", username)
        elif "phone_number" in kinds and PHONE_RE.match(username):
            attributes.setdefault("phone_number", username)
        else:
            raise InvalidParameterException("Username should be either an email or a phone number."
                                            if len(kinds) == 2 else f"Username should be an {kinds[0]}."
                                            if kinds[0] == "email" else "Username should be a phone number.")
        return ids.sub()
    if "email" in users.alias_attributes(pool) and EMAIL_RE.match(username):
        raise InvalidParameterException("Username cannot be of email format, since user pool is configured "
                                        "for email alias.")
    if "phone_number" in users.alias_attributes(pool) and PHONE_RE.match(username):
        raise InvalidParameterException("Username cannot be of phone number format, since user pool is "
                                        "configured for phone_number alias.")
    return username


def ensure_unique(uow: UnitOfWork, pool: UserPool, username: str, attributes: dict[str, str],
                  message: str = "User already exists") -> None:
    if uow.users.get(pool.id, users.username_key(pool, username)) is not None:
        raise UsernameExistsException(message)
    for attribute in users.unique_sign_in_attributes(pool):
        if attributes.get(attribute) and uow.users.find_by_attribute(pool.id, attribute, attributes[attribute], 1):
            if attribute == "preferred_username":
                raise AliasExistsException("An account with the given preferred_username already exists.")
            kind = "email" if attribute == "email" else "phone number"
            raise UsernameExistsException(f"An account with the given {kind} already exists.")


def new_user(deps: Deps, pool: UserPool, username: str, attributes: dict[str, str], status: UserStatus,
             record: PasswordRecord | None) -> User:
    now = deps.clock.now()
    sub = username if users.username_attributes(pool) else ids.sub()
    return User(pool_id=pool.id, username=username, username_key=users.username_key(pool, username),
                sub=sub, status=status, enabled=True, created=now, modified=now, attributes=attributes,
                password_hash=record.password_hash if record else None, password_set_at=now if record else None)


def add_user(deps: Deps, uow: UnitOfWork, pool: UserPool, user: User, record: PasswordRecord | None) -> None:
    """Insert a new user with its password's SRP verifier, and count it in the pool."""
    uow.users.add(user)
    uow.pools.adjust_user_count(pool.id, 1)
    if record is not None:
        credentials.store(deps, uow, user, record)


def sign_up(deps: Deps, request: dict[str, Any]) -> dict[str, Any]:
    attributes = attributes_from(request.get("UserAttributes"))
    with deps.store.read() as uow:
        client, pool = _client_and_pool(uow, request["ClientId"])
    clients.check_secret_hash(deps, client, request["Username"], request.get("SecretHash"))
    if pool.config.get("AdminCreateUserConfig", {}).get("AllowAdminCreateUserOnly"):
        raise NotAuthorizedException("SignUp is not permitted for this user pool")
    password = request.get("Password")
    if password is None:
        raise InvalidParameterException("Password is required: this user pool's sign-in policy needs one.")
    username = sign_in_name(pool, request["Username"], attributes)
    schema.check_attributes(pool.config["SchemaAttributes"], attributes, admin=False,
                            writable=client.config.get("WriteAttributes"))
    for flag in users.ALIAS_VERIFIED.values():
        attributes.pop(flag, None)
    schema.check_required(pool.config["SchemaAttributes"], attributes)
    policy.check(pool.config["Policies"]["PasswordPolicy"], password)
    # Hash outside the transaction: argon2 is the slow part and must not hold a write lock.
    record = credentials.prepare(deps, pool.id, username, password)
    user = new_user(deps, pool, username, attributes, UserStatus.UNCONFIRMED, record)
    with deps.store.write() as uow:
        pool = pools.get(uow, pool.id, for_update=True)
        ensure_unique(uow, pool, username, attributes)
        add_user(deps, uow, pool, user, record)
        out: dict[str, Any] = {"UserConfirmed": False, "UserSub": user.sub}
        channel = users.auto_verified_channel(pool, user)
        if channel is not None:
            out["CodeDeliveryDetails"] = users.send_verification(deps, uow, pool, user, channel,
                                                                 CodePurpose.SIGN_UP)
    return out


def _prevents_existence_errors(client: AppClient) -> bool:
    return client.config.get("PreventUserExistenceErrors") == "ENABLED"


def _unknown_user() -> ClientError:
    """What a LEGACY client answers for a user name it does not know (the message Cognito sends)."""
    return UserNotFoundException("Username/client id combination not found.")


def confirm_sign_up(deps: Deps, request: dict[str, Any]) -> None:
    with deps.store.write() as uow:
        client, pool = _client_and_pool(uow, request["ClientId"])
        clients.check_secret_hash(deps, client, request["Username"], request.get("SecretHash"))
        user = users.find(uow, pool, request["Username"])
        if user is None:
            raise CodeMismatchException() if _prevents_existence_errors(client) else _unknown_user()
        if user.status != UserStatus.UNCONFIRMED:
            raise NotAuthorizedException(f"User cannot be confirmed. Current status is {user.status.value}")
        assert user.id is not None
        codes.redeem(deps, uow, user.id, CodePurpose.SIGN_UP, request["ConfirmationCode"])
        channel = users.auto_verified_channel(pool, user)
        if channel is not None:
            users.claim_alias(uow, pool, user, channel, bool(request.get("ForceAliasCreation")))
            user.attributes[users.ALIAS_VERIFIED[channel]] = "true"
        user.status = UserStatus.CONFIRMED
        users.touch(deps, uow, user)


def resend_confirmation_code(deps: Deps, request: dict[str, Any]) -> dict[str, Any]:
    with deps.store.write() as uow:
        client, pool = _client_and_pool(uow, request["ClientId"])
        clients.check_secret_hash(deps, client, request["Username"], request.get("SecretHash"))
        user = users.find(uow, pool, request["Username"])
        if user is None:
            if _prevents_existence_errors(client):
                return {"CodeDeliveryDetails": _simulated_delivery(pool)}
            raise _unknown_user()
        if user.status != UserStatus.UNCONFIRMED:
            raise InvalidParameterException("User is already confirmed.")
        channel = users.auto_verified_channel(pool, user)
        if channel is None:
            raise InvalidParameterException("Auto verification not turned on.")
        return {"CodeDeliveryDetails": users.send_verification(deps, uow, pool, user, channel,
                                                               CodePurpose.SIGN_UP)}


def _simulated_delivery(pool: UserPool) -> dict[str, str]:
    """What a pool that hides user existence answers for an unknown user: a plausible delivery."""
    auto = pool.config.get("AutoVerifiedAttributes", ["email"])
    if "phone_number" in auto:
        return {"Destination": "+*******0000", "DeliveryMedium": "SMS", "AttributeName": "phone_number"}
    return {"Destination": "u***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
