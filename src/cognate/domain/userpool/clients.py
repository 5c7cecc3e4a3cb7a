"""App clients: CreateUserPoolClient, DescribeUserPoolClient, UpdateUserPoolClient, DeleteUserPoolClient,
ListUserPoolClients, and the SECRET_HASH check every public operation of a client with a secret makes.

Client secrets are sealed at rest with the master key (``SecretBox``) and opened only to answer
Describe/Create and to check a SECRET_HASH.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
from typing import Any
from urllib.parse import urlsplit

from cognate import ids
from cognate.domain import pagination
from cognate.domain.context import Deps
from cognate.domain.errors import (
    InvalidOAuthFlowException,
    InvalidParameterException,
    NotAuthorizedException,
    ResourceNotFoundException,
    ScopeDoesNotExistException,
    UnsupportedFeature,
)
from cognate.domain.userpool import pools
from cognate.domain.userpool.model import AppClient
from cognate.domain.userpool.schema import schema_index
from cognate.store.ports import UnitOfWork

SECRET_PURPOSE = "client-secret"
STANDARD_SCOPES = {"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"}
LEGACY_FLOWS = {"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"}
# Validity limits by unit, in seconds (API reference, TokenValidityUnitsType and CreateUserPoolClient).
UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
VALIDITY_RANGE = {"AccessToken": (300, 86400), "IdToken": (300, 86400), "RefreshToken": (3600, 315360000)}
# What a client that sets no validity describes: (value, unit) per token.
DEFAULT_VALIDITY = {"AccessToken": (60, "minutes"), "IdToken": (60, "minutes"), "RefreshToken": (30, "days")}
# The unit of a validity given without TokenValidityUnits (API reference, TokenValidityUnitsType).
API_DEFAULT_UNIT = {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}
DEFAULTS: dict[str, Any] = {
    "RefreshTokenValidity": 30, "AccessTokenValidity": 60, "IdTokenValidity": 60,
    "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
    "AllowedOAuthFlowsUserPoolClient": False, "PreventUserExistenceErrors": "LEGACY",
    "EnableTokenRevocation": True, "EnablePropagateAdditionalUserContextData": False, "AuthSessionValidity": 3,
}
SETTINGS = ("RefreshTokenValidity", "AccessTokenValidity", "IdTokenValidity", "TokenValidityUnits",
            "ReadAttributes", "WriteAttributes", "ExplicitAuthFlows", "SupportedIdentityProviders", "CallbackURLs",
            "LogoutURLs", "DefaultRedirectURI", "AllowedOAuthFlows", "AllowedOAuthScopes",
            "AllowedOAuthFlowsUserPoolClient", "PreventUserExistenceErrors", "EnableTokenRevocation",
            "EnablePropagateAdditionalUserContextData", "AuthSessionValidity", "RefreshTokenRotation")


def _refuse_unsupported(request: dict[str, Any]) -> None:
    if request.get("AnalyticsConfiguration"):
        raise UnsupportedFeature("AnalyticsConfiguration (Amazon Pinpoint analytics)")
    if request.get("PublishSecretsInAWSSecretsManager"):
        raise UnsupportedFeature("PublishSecretsInAWSSecretsManager")


def _settings(request: dict[str, Any], pool_config: dict[str, Any], has_secret: bool) -> dict[str, Any]:
    config = copy.deepcopy(DEFAULTS)
    for key in SETTINGS:
        if key in request:
            config[key] = copy.deepcopy(request[key])
    _resolve_validities(request, config)
    _check_validity(config)
    _check_flows(config.get("ExplicitAuthFlows", []))
    _check_attributes(config, pool_config)
    _check_oauth(config, has_secret)
    if config.get("EnablePropagateAdditionalUserContextData") and not has_secret:
        raise InvalidParameterException("EnablePropagateAdditionalUserContextData can only be activated in an "
                                        "app client that has a client secret.")
    return config


def _resolve_validities(request: dict[str, Any], config: dict[str, Any]) -> None:
    """Each token's (validity, unit) as the API reference of CreateUserPoolClient reads a request.

    A validity given without its unit is in the unit's API default (hours for access and ID tokens, days
    for refresh tokens); a unit given without a validity applies to the default lifetime (one hour, 30 days);
    a RefreshTokenValidity of 0 is replaced by the default of 30 days.
    """
    given_units = request.get("TokenValidityUnits", {})
    units: dict[str, str] = {}
    for token, (default_value, default_unit) in DEFAULT_VALIDITY.items():
        value, unit = request.get(f"{token}Validity"), given_units.get(token)
        if token == "RefreshToken" and value == 0:
            value, unit = None, None
        if value is None:
            seconds = default_value * UNIT_SECONDS[default_unit]
            if unit is None or seconds % UNIT_SECONDS[unit]:
                value, unit = default_value, default_unit
            else:
                value = seconds // UNIT_SECONDS[unit]
        elif unit is None:
            unit = API_DEFAULT_UNIT[token]
        config[f"{token}Validity"], units[token] = value, unit
    config["TokenValidityUnits"] = units


def _check_validity(config: dict[str, Any]) -> None:
    for token, (low, high) in VALIDITY_RANGE.items():
        seconds = config[f"{token}Validity"] * UNIT_SECONDS[config["TokenValidityUnits"][token]]
        if not low <= seconds <= high:
            raise InvalidParameterException(
                f"{token} validity must be between {low // 60} minutes and {high // 86400} days.")
    refresh = config["RefreshTokenValidity"] * UNIT_SECONDS[config["TokenValidityUnits"]["RefreshToken"]]
    for token in ("AccessToken", "IdToken"):
        if config[f"{token}Validity"] * UNIT_SECONDS[config["TokenValidityUnits"][token]] > refresh:
            raise InvalidParameterException(f"{token} validity can not be greater than RefreshToken validity.")


def _check_flows(flows: list[str]) -> None:
    legacy = [f for f in flows if f in LEGACY_FLOWS]
    if legacy and len(legacy) != len(flows):
        raise InvalidParameterException("ExplicitAuthFlows can not have both ALLOW_ and legacy values.")


def _check_attributes(config: dict[str, Any], pool_config: dict[str, Any]) -> None:
    known = schema_index(pool_config["SchemaAttributes"])
    for key in ("ReadAttributes", "WriteAttributes"):
        for name in config.get(key, []):
            if name not in known or (name == "sub" and key == "WriteAttributes"):
                raise InvalidParameterException(f"Invalid {key[:-10].lower()} attributes specified while "
                                                f"creating a client: {name}")


# Schemes a browser would run or read locally instead of navigating to an application.
UNSAFE_SCHEMES = {"javascript", "data", "vbscript", "file", "blob", "about"}


def _check_url(url: str) -> None:
    """An absolute URI without fragment: https, http to the loopback only, or an app's own scheme
    (API reference, CreateUserPoolClient CallbackURLs)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = urlsplit(""), None
    local = host in ("localhost", "127.0.0.1", "::1")
    scheme = parts.scheme.lower()
    if (parts.fragment or not scheme or scheme in UNSAFE_SCHEMES or (scheme == "http" and not local)
            or (scheme in ("http", "https") and not host)):
        raise InvalidParameterException(f"{url} is not a valid redirect URI: use https, or http on localhost.")


def _check_oauth(config: dict[str, Any], has_secret: bool) -> None:
    for url in config.get("CallbackURLs", []) + config.get("LogoutURLs", []):
        _check_url(url)
    if "DefaultRedirectURI" in config and config["DefaultRedirectURI"] not in config.get("CallbackURLs", []):
        raise InvalidParameterException("DefaultRedirectURI must be one of the CallbackURLs.")
    flows = set(config.get("AllowedOAuthFlows", []))
    if "client_credentials" in flows and flows - {"client_credentials"}:
        raise InvalidOAuthFlowException(
            "client_credentials flow can not be selected along with code flow or implicit flow.")
    if "client_credentials" in flows and not has_secret:
        raise InvalidOAuthFlowException("client_credentials flow can not be selected if client does not have "
                                        "a client secret.")
    for scope in config.get("AllowedOAuthScopes", []):
        # A custom scope is `<resource server identifier>/<scope name>`; Cognate has no resource servers
        # (CreateResourceServer is not implemented), so no custom scope exists yet.
        if scope not in STANDARD_SCOPES:
            raise ScopeDoesNotExistException(f"Invalid scope requested: {scope}")
        if scope in STANDARD_SCOPES and "client_credentials" in flows:
            raise InvalidOAuthFlowException("client_credentials flow can only be used with custom scopes.")
    if config.get("AllowedOAuthFlowsUserPoolClient") and (not flows or not config.get("AllowedOAuthScopes")):
        raise InvalidOAuthFlowException("AllowedOAuthFlows and AllowedOAuthScopes are required when "
                                        "AllowedOAuthFlowsUserPoolClient is true.")
    if flows & {"code", "implicit"} and config.get("AllowedOAuthFlowsUserPoolClient") \
            and not config.get("CallbackURLs"):
        raise InvalidParameterException("CallbackURLs are required for the code and implicit flows.")
    for provider in config.get("SupportedIdentityProviders", []):
        if provider != "COGNITO":
            raise InvalidParameterException(f"The provider {provider} does not exist for User Pool.")


def describe_client(deps: Deps, client: AppClient) -> dict[str, Any]:
    out = {"UserPoolId": client.pool_id, "ClientName": client.name, "ClientId": client.id,
           "CreationDate": client.created, "LastModifiedDate": client.modified, **copy.deepcopy(client.config)}
    secret = secret_of(deps, client)
    if secret is not None:
        out["ClientSecret"] = secret
    return out


def secret_of(deps: Deps, client: AppClient) -> str | None:
    return deps.box.open(client.secret, SECRET_PURPOSE) if client.secret else None


def create(deps: Deps, request: dict[str, Any]) -> dict[str, Any]:
    _refuse_unsupported(request)
    secret = request.get("ClientSecret")
    if secret is not None and request.get("GenerateSecret"):
        raise InvalidParameterException("You cannot specify both GenerateSecret as true and a ClientSecret.")
    if secret is None and request.get("GenerateSecret"):
        secret = ids.client_secret()
    with deps.store.write() as uow:
        pool = pools.get(uow, request["UserPoolId"])
        now = deps.clock.now()
        client = AppClient(id=ids.client_id(), pool_id=pool.id, name=request["ClientName"], created=now,
                           modified=now, config=_settings(request, pool.config, secret is not None),
                           secret=deps.box.seal(secret, SECRET_PURPOSE) if secret else None)
        uow.clients.add(client)
    return describe_client(deps, client)


def get(uow: UnitOfWork, pool_id: str, client_id: str) -> AppClient:
    """The client of that pool; a client of another pool is as unknown as a missing one."""
    pools.get(uow, pool_id)
    client = uow.clients.get(client_id)
    if client is None or client.pool_id != pool_id:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    return client


def find(uow: UnitOfWork, client_id: str) -> AppClient:
    """The client named by a public operation's ClientId."""
    client = uow.clients.get(client_id)
    if client is None:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    return client


def describe(deps: Deps, pool_id: str, client_id: str) -> dict[str, Any]:
    with deps.store.read() as uow:
        return describe_client(deps, get(uow, pool_id, client_id))


def update(deps: Deps, request: dict[str, Any]) -> dict[str, Any]:
    """Settings left out return to their defaults (API reference, UpdateUserPoolClient)."""
    _refuse_unsupported(request)
    with deps.store.write() as uow:
        client = get(uow, request["UserPoolId"], request["ClientId"])
        pool = pools.get(uow, client.pool_id)
        client.config = _settings(request, pool.config, client.secret is not None)
        client.name = request.get("ClientName", client.name)
        client.modified = deps.clock.now()
        uow.clients.update(client)
    return describe_client(deps, client)


def delete(deps: Deps, pool_id: str, client_id: str) -> None:
    with deps.store.write() as uow:
        get(uow, pool_id, client_id)
        uow.clients.delete(client_id)


def list_clients(deps: Deps, pool_id: str, max_results: int, next_token: str | None) -> dict[str, Any]:
    after = pagination.decode(next_token, "clients") if next_token else None
    with deps.store.read() as uow:
        pools.get(uow, pool_id)
        found = uow.clients.list(pool_id, after, max_results + 1)
    page = found[:max_results]
    out: dict[str, Any] = {"UserPoolClients": [
        {"ClientId": c.id, "UserPoolId": c.pool_id, "ClientName": c.name} for c in page]}
    if len(found) > max_results:
        out["NextToken"] = pagination.encode(page[-1].id, "clients")
    return out


def secret_hash(secret: str, username: str, client_id: str) -> str:
    """SECRET_HASH = Base64(HMAC_SHA256(client secret, username + client id)) (Developer Guide)."""
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def check_secret_hash(deps: Deps, client: AppClient, username: str, given: str | None) -> None:
    secret = secret_of(deps, client)
    if secret is None:
        return
    if not given:
        raise NotAuthorizedException(f"Client {client.id} is configured with secret but SECRET_HASH was not "
                                     "received")
    if not hmac.compare_digest(secret_hash(secret, username, client.id), given):
        raise NotAuthorizedException(f"Unable to verify secret hash for client {client.id}")
