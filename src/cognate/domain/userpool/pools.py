"""User pools: CreateUserPool, DescribeUserPool, UpdateUserPool, DeleteUserPool, ListUserPools, and tags.

A pool's settings are kept as the UserPoolType document AWS describes, filled with AWS's defaults at
creation, so DescribeUserPool returns exactly what was configured (API reference, CreateUserPool).
"""

from __future__ import annotations

import copy
from typing import Any

from cognate import ids
from cognate.domain import pagination
from cognate.domain.context import Deps
from cognate.domain.errors import (
    InvalidParameterException,
    ResourceNotFoundException,
    UnsupportedFeature,
)
from cognate.domain.userpool import messages, policy
from cognate.domain.userpool.model import UserPool
from cognate.domain.userpool.schema import STANDARD_ATTRIBUTES, build_schema
from cognate.store.ports import UnitOfWork

# Settings UpdateUserPool may change; everything else is fixed at creation (API reference, UpdateUserPool).
UPDATABLE = ("Policies", "DeletionProtection", "LambdaConfig", "AutoVerifiedAttributes", "SmsVerificationMessage",
             "EmailVerificationMessage", "EmailVerificationSubject", "VerificationMessageTemplate",
             "SmsAuthenticationMessage", "UserAttributeUpdateSettings", "MfaConfiguration", "DeviceConfiguration",
             "EmailConfiguration", "SmsConfiguration", "UserPoolTags", "AdminCreateUserConfig", "UserPoolAddOns",
             "AccountRecoverySetting", "UserPoolTier", "KeyConfiguration", "IssuerConfiguration",
             "AcrConfiguration")
FIXED = ("SchemaAttributes", "AliasAttributes", "UsernameAttributes", "UsernameConfiguration")
MAX_CUSTOM_ATTRIBUTES = 50


def _refuse_unsupported(request: dict[str, Any]) -> None:
    """Settings whose behaviour Cognate does not provide are refused, never stored and ignored."""
    if request.get("LambdaConfig"):
        raise UnsupportedFeature("LambdaConfig (Lambda triggers) yet")
    addons = request.get("UserPoolAddOns")
    if addons and addons.get("AdvancedSecurityMode", "OFF") != "OFF":
        raise UnsupportedFeature("UserPoolAddOns.AdvancedSecurityMode other than OFF (threat protection)")
    if request.get("MfaConfiguration") == "ON":
        raise UnsupportedFeature("MfaConfiguration ON (multi-factor authentication) yet")
    if request.get("DcrConfiguration"):
        raise UnsupportedFeature("DcrConfiguration (dynamic client registration) yet")
    key = request.get("KeyConfiguration")
    if key and key.get("KeyType", "AWS_OWNED_KEY") != "AWS_OWNED_KEY":
        raise UnsupportedFeature("KeyConfiguration with a customer-managed KMS key; secrets are encrypted "
                                 "with Cognate's master key")
    issuer = request.get("IssuerConfiguration")
    if issuer and issuer.get("Type", "ORIGINAL") != "ORIGINAL":
        raise UnsupportedFeature("IssuerConfiguration UPDATED; the issuer is always {public_url}/{poolId}")
    email = request.get("EmailConfiguration") or {}
    if email.get("EmailSendingAccount") == "DEVELOPER" and not email.get("SourceArn"):
        raise InvalidParameterException("SourceArn is required when EmailSendingAccount is DEVELOPER.")
    policies = request.get("Policies") or {}
    if (policies.get("PasswordPolicy") or {}).get("PasswordHistorySize"):
        raise UnsupportedFeature("PasswordPolicy.PasswordHistorySize (password history) yet")
    if "SOFTWARE_TOKEN" in (policies.get("SignInPolicy") or {}).get("AllowedFirstAuthFactors", []):
        raise InvalidParameterException("SOFTWARE_TOKEN is not supported as a first authentication factor.")
    if request.get("DeviceConfiguration"):
        raise UnsupportedFeature("DeviceConfiguration (device remembering) yet")
    if (request.get("UserAttributeUpdateSettings") or {}).get("AttributesRequireVerificationBeforeUpdate"):
        raise UnsupportedFeature("UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate "
                                 "(verifying an email or phone number before it changes) yet")
    if request.get("AcrConfiguration"):
        raise UnsupportedFeature("AcrConfiguration (custom acr claim names) yet")


def _password_policy(request: dict[str, Any]) -> dict[str, Any]:
    """PasswordPolicy over its defaults, with the legacy AdminCreateUserConfig.UnusedAccountValidityDays.

    A TemporaryPasswordValidityDays of 0 means the default; the legacy field stands for it when it is the only
    one given, and both together are refused (API reference, PasswordPolicyType).
    """
    given = dict((request.get("Policies") or {}).get("PasswordPolicy") or {})
    legacy = (request.get("AdminCreateUserConfig") or {}).get("UnusedAccountValidityDays")
    if legacy is not None and given.get("TemporaryPasswordValidityDays"):
        raise InvalidParameterException(
            "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays")
    if not given.get("TemporaryPasswordValidityDays"):
        given.pop("TemporaryPasswordValidityDays", None)
        if legacy:
            given["TemporaryPasswordValidityDays"] = legacy
    return policy.normalize(given)


def _settings(request: dict[str, Any]) -> dict[str, Any]:
    """The updatable part of a pool's document: the request over AWS's defaults."""
    password_policy = _password_policy(request)
    config: dict[str, Any] = {
        "Policies": {"PasswordPolicy": password_policy,
                     "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]}},
        "DeletionProtection": "INACTIVE",
        "LambdaConfig": {},
        "MfaConfiguration": "OFF",
        "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 7},
        "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": []},
        "UserPoolTier": "ESSENTIALS",
        "UserPoolTags": {},
    }
    if "SignInPolicy" in request.get("Policies", {}):
        config["Policies"]["SignInPolicy"] = request["Policies"]["SignInPolicy"]
    for key in UPDATABLE:
        if key in request and key != "Policies":
            config[key] = copy.deepcopy(request[key])
    # Members left out of a structure that was given keep their defaults.
    config["AdminCreateUserConfig"] = {"AllowAdminCreateUserOnly": False, **config["AdminCreateUserConfig"],
                                       "UnusedAccountValidityDays": password_policy["TemporaryPasswordValidityDays"]}
    config["EmailConfiguration"] = {"EmailSendingAccount": "COGNITO_DEFAULT", **config["EmailConfiguration"]}
    _sync_verification_template(config)
    return config


def _sync_verification_template(config: dict[str, Any]) -> None:
    """AWS keeps the legacy message fields and VerificationMessageTemplate in step; so do we."""
    template = dict(config.get("VerificationMessageTemplate") or {})
    template.setdefault("DefaultEmailOption", "CONFIRM_WITH_CODE")
    for legacy, field in (("EmailVerificationMessage", "EmailMessage"), ("EmailVerificationSubject", "EmailSubject"),
                          ("SmsVerificationMessage", "SmsMessage")):
        if legacy in config and field not in template:
            template[field] = config[legacy]
        elif field in template:
            config[legacy] = template[field]
    if template.get("DefaultEmailOption") == "CONFIRM_WITH_LINK":
        raise UnsupportedFeature("VerificationMessageTemplate.DefaultEmailOption CONFIRM_WITH_LINK yet")
    config["VerificationMessageTemplate"] = template
    if "SmsAuthenticationMessage" not in config:
        config["SmsAuthenticationMessage"] = messages.DEFAULT_VERIFY_SMS.replace("verification", "authentication")


def _check_identity_settings(request: dict[str, Any]) -> None:
    if request.get("AliasAttributes") and request.get("UsernameAttributes"):
        raise InvalidParameterException(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.")
    custom = [a for a in request.get("Schema", []) if a.get("Name") not in STANDARD_ATTRIBUTES]
    if len(custom) > MAX_CUSTOM_ATTRIBUTES:
        raise InvalidParameterException(f"A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes.")


def arn(deps: Deps, pool_id: str) -> str:
    return f"arn:aws:cognito-idp:{pool_id.split('_', 1)[0]}:{deps.account_id}:userpool/{pool_id}"


def pool_id_from_arn(deps: Deps, resource_arn: str) -> str:
    """The pool an ARN names; an ARN of another service, account or region names no pool of ours."""
    prefix, _, pool_id = resource_arn.rpartition(":userpool/")
    if not prefix.startswith("arn:") or not pool_id:
        raise InvalidParameterException(f"Invalid ARN: {resource_arn}")
    if arn(deps, pool_id) != resource_arn:
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    return pool_id


def create(deps: Deps, region: str, request: dict[str, Any]) -> dict[str, Any]:
    _refuse_unsupported(request)
    _check_identity_settings(request)
    now = deps.clock.now()
    config = _settings(request)
    config["SchemaAttributes"] = build_schema(request.get("Schema"))
    for key in ("AliasAttributes", "UsernameAttributes"):
        if request.get(key):
            config[key] = list(dict.fromkeys(request[key]))
    if "UsernameConfiguration" in request:
        config["UsernameConfiguration"] = request["UsernameConfiguration"]
    pool = UserPool(id=ids.user_pool_id(region), name=request["PoolName"], created=now, modified=now,
                    config=config)
    with deps.store.write() as uow:
        uow.pools.add(pool)
    return describe_pool(deps, pool)


def get(uow: UnitOfWork, pool_id: str, *, for_update: bool = False) -> UserPool:
    pool = uow.pools.get(pool_id, for_update=for_update)
    if pool is None:
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    return pool


def describe_pool(deps: Deps, pool: UserPool) -> dict[str, Any]:
    """UserPoolType as DescribeUserPool returns it."""
    out = copy.deepcopy(pool.config)
    out.update({"Id": pool.id, "Name": pool.name, "Arn": arn(deps, pool.id), "CreationDate": pool.created,
                "LastModifiedDate": pool.modified, "EstimatedNumberOfUsers": pool.user_count})
    return out


def describe(deps: Deps, pool_id: str) -> dict[str, Any]:
    with deps.store.read() as uow:
        return describe_pool(deps, get(uow, pool_id))


def update(deps: Deps, request: dict[str, Any]) -> None:
    """Settings left out of the request return to their defaults, as AWS documents for UpdateUserPool."""
    _refuse_unsupported(request)
    with deps.store.write() as uow:
        pool = get(uow, request["UserPoolId"], for_update=True)
        config = _settings(request)
        for key in FIXED:
            if key in pool.config:
                config[key] = pool.config[key]
        pool.config = config
        pool.name = request.get("PoolName", pool.name)
        pool.modified = deps.clock.now()
        uow.pools.update(pool)


def delete(deps: Deps, pool_id: str) -> None:
    with deps.store.write() as uow:
        pool = get(uow, pool_id, for_update=True)
        if pool.config.get("DeletionProtection") == "ACTIVE":
            raise InvalidParameterException(
                "The user pool cannot be deleted because deletion protection is activated. "
                "Deletion protection must be inactivated first.")
        uow.pools.delete(pool_id)


def list_pools(deps: Deps, region: str, max_results: int, next_token: str | None) -> dict[str, Any]:
    after = pagination.decode(next_token, "pools") if next_token else None
    with deps.store.read() as uow:
        pools = uow.pools.list(region, after, max_results + 1)
    page = pools[:max_results]
    out: dict[str, Any] = {"UserPools": [
        {"Id": p.id, "Name": p.name, "LambdaConfig": p.config.get("LambdaConfig", {}), "Status": "Enabled",
         "CreationDate": p.created, "LastModifiedDate": p.modified} for p in page]}
    if len(pools) > max_results:
        out["NextToken"] = pagination.encode(page[-1].id, "pools")
    return out


def tag(deps: Deps, resource_arn: str, tags: dict[str, str]) -> None:
    with deps.store.write() as uow:
        pool = get(uow, pool_id_from_arn(deps, resource_arn), for_update=True)
        merged = {**pool.config.get("UserPoolTags", {}), **tags}
        if len(merged) > 50:
            raise InvalidParameterException("A user pool can have at most 50 tags.")
        pool.config["UserPoolTags"] = merged
        uow.pools.update(pool)


def untag(deps: Deps, resource_arn: str, keys: list[str]) -> None:
    with deps.store.write() as uow:
        pool = get(uow, pool_id_from_arn(deps, resource_arn), for_update=True)
        pool.config["UserPoolTags"] = {k: v for k, v in pool.config.get("UserPoolTags", {}).items() if k not in keys}
        uow.pools.update(pool)


def list_tags(deps: Deps, resource_arn: str) -> dict[str, str]:
    with deps.store.read() as uow:
        return dict(get(uow, pool_id_from_arn(deps, resource_arn)).config.get("UserPoolTags", {}))
