"""Which sign-in flows an app client allows, and what the others get (API reference: CreateUserPoolClient,
ExplicitAuthFlows; InitiateAuth and AdminInitiateAuth, AuthFlow).

Without ExplicitAuthFlows a client allows ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH and
ALLOW_CUSTOM_AUTH. The legacy values (USER_PASSWORD_AUTH, ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY) date from
before the ALLOW_ ones, when SRP, refresh and custom authentication were always on; CUSTOM_AUTH_FLOW_ONLY
turned SRP off. The messages are those Cognito sends (InvalidParameterException).
"""

from __future__ import annotations

from cognate.domain.errors import InvalidParameterException
from cognate.domain.userpool.model import AppClient

DEFAULT = frozenset({"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_SRP_AUTH"})
LEGACY = {"USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
          "CUSTOM_AUTH_FLOW_ONLY": "ALLOW_CUSTOM_AUTH"}
PERMISSION = {"USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
              "ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
              "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH", "USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH",
              "REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH", "REFRESH_TOKEN": "ALLOW_REFRESH_TOKEN_AUTH",
              "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH", "USER_AUTH": "ALLOW_USER_AUTH"}
# ADMIN_USER_PASSWORD_AUTH and ADMIN_NO_SRP_AUTH "aren't valid for InitiateAuth"; USER_PASSWORD_AUTH is not
# a flow of AdminInitiateAuth (its AuthFlow documentation lists ADMIN_USER_PASSWORD_AUTH instead).
PUBLIC = frozenset({"USER_PASSWORD_AUTH", "USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "CUSTOM_AUTH",
                    "USER_AUTH"})
ADMIN = frozenset({"ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH", "USER_SRP_AUTH", "REFRESH_TOKEN_AUTH",
                   "REFRESH_TOKEN", "CUSTOM_AUTH", "USER_AUTH"})
NOT_SUPPORTED = "Initiate Auth method not supported."
REFRESH_NOT_ENABLED = "Refresh Token flow not enabled for this client"
ADMIN_NOT_ENABLED = "Auth flow not enabled for this client"
NOT_ENABLED = {"USER_PASSWORD_AUTH": "USER_PASSWORD_AUTH flow not enabled for this client",
               "ADMIN_USER_PASSWORD_AUTH": ADMIN_NOT_ENABLED, "ADMIN_NO_SRP_AUTH": ADMIN_NOT_ENABLED,
               "USER_SRP_AUTH": "USER_SRP_AUTH is not enabled for the client.",
               "REFRESH_TOKEN_AUTH": REFRESH_NOT_ENABLED, "REFRESH_TOKEN": REFRESH_NOT_ENABLED,
               "CUSTOM_AUTH": "Custom auth flow not enabled for this client",
               "USER_AUTH": "USER_AUTH flow not enabled for this client"}
ROTATING = ("Refresh token rotation is enabled for this client: refresh with GetTokensFromRefreshToken "
            "(REFRESH_TOKEN_AUTH cannot rotate refresh tokens).")


def allowed(client: AppClient) -> set[str]:
    """The ALLOW_ values in force for ``client``, legacy values translated."""
    given = client.config.get("ExplicitAuthFlows")
    if not given:
        return set(DEFAULT)
    flows = {LEGACY.get(f, f) for f in given}
    if any(f in LEGACY for f in given):
        flows |= {"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH"}
        if "CUSTOM_AUTH_FLOW_ONLY" not in given:
            flows.add("ALLOW_USER_SRP_AUTH")
    return flows


def check(client: AppClient, flow: str, *, admin: bool) -> None:
    """Refuse a flow this door does not offer or this client does not allow."""
    if flow not in (ADMIN if admin else PUBLIC):
        raise InvalidParameterException(NOT_SUPPORTED)
    if PERMISSION[flow] not in allowed(client):
        raise InvalidParameterException(NOT_ENABLED[flow])
    rotation = client.config.get("RefreshTokenRotation") or {}
    if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN") and rotation.get("Feature") == "ENABLED":
        # RefreshTokenRotationType: "Refresh token rotation must be completed with GetTokensFromRefreshToken."
        raise InvalidParameterException(ROTATING)
