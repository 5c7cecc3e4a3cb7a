"""What the sign-in tests share: a pool with a user who can sign in, SECRET_HASH, the three doors (password,
admin, SRP through pycognito), and token verification the way a relying party does it: joserfc against the
pool's JWKS URL, checking signature, issuer and expiry only."""

from __future__ import annotations

import base64
import json
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry
from pycognito.aws_srp import AWSSRP

from support.aws import secret_hash
from support.factories import create_client, create_pool, strong_password, unique_email, unique_name
from support.server import CognateServer

ALL_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
             "ALLOW_REFRESH_TOKEN_AUTH"]
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")


@dataclass
class Member:
    """A user who can sign in: the pool, the client, the name typed at sign-in and the internal user name."""

    pool_id: str
    client_id: str
    login: str
    password: str
    username: str
    sub: str
    email: str
    secret: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def auth(self, name: str | None = None, **params: str) -> dict[str, str]:
        """USER_PASSWORD_AUTH parameters (with SECRET_HASH for the name typed, when the client has a secret)."""
        name = name or self.login
        out = {"USERNAME": name, "PASSWORD": self.password, **params}
        if self.secret:
            out.setdefault("SECRET_HASH", secret_hash(self.secret, name, self.client_id))
        return out


def member(idp: Any, *, pool: dict[str, Any] | None = None, email_login: bool = False,
           attributes: dict[str, str] | None = None, **client_settings: Any) -> Member:
    """A pool (settings in ``pool``), a client (``client_settings``, every password flow by default) and a
    CONFIRMED user with a permanent password and a verified email. ``email_login``: a pool whose users sign
    in with their email (UsernameAttributes), so the internal user name is a UUID."""
    pool_settings = dict(pool or {})
    if email_login:
        pool_settings["UsernameAttributes"] = ["email"]
    pool_id = create_pool(idp, **pool_settings)["Id"]
    client = create_client(idp, pool_id, **{"ExplicitAuthFlows": ALL_FLOWS, **client_settings})
    email, password = unique_email(), strong_password()
    login = email if email_login else unique_name("user")
    given = {"email": email, "email_verified": "true", **(attributes or {})}
    created = idp.admin_create_user(UserPoolId=pool_id, Username=login, MessageAction="SUPPRESS",
                                    UserAttributes=[{"Name": k, "Value": v} for k, v in given.items()])["User"]
    idp.admin_set_user_password(UserPoolId=pool_id, Username=login, Password=password, Permanent=True)
    sub = next(a["Value"] for a in created["Attributes"] if a["Name"] == "sub")
    return Member(pool_id, client["ClientId"], login, password, created["Username"], sub, email,
                  client.get("ClientSecret"))


def password_sign_in(idp_public: Any, who: Member, name: str | None = None, **extra: Any) -> dict[str, Any]:
    """InitiateAuth USER_PASSWORD_AUTH; the whole response."""
    return dict(idp_public.initiate_auth(ClientId=who.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                         AuthParameters=who.auth(name), **extra))


def srp_client(idp_public: Any, who: Member, name: str | None = None, password: str | None = None) -> AWSSRP:
    return AWSSRP(username=name or who.login, password=password or who.password, pool_id=who.pool_id,
                  client_id=who.client_id, client=idp_public, client_secret=who.secret)


def srp_sign_in(idp_public: Any, who: Member, name: str | None = None, password: str | None = None) -> dict[str, Any]:
    """USER_SRP_AUTH through pycognito, the real client: its RespondToAuthChallenge response."""
    return dict(srp_client(idp_public, who, name, password).authenticate_user())


def jwks(server: CognateServer, pool_id: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{server.url}/{pool_id}/.well-known/jwks.json", timeout=30) as response:
        document: dict[str, Any] = json.loads(response.read())
    return document


def verified_claims(server: CognateServer, pool_id: str, token: str) -> dict[str, Any]:
    """A relying party's check, with nothing but the JWKS URL: RS256 signature by a key of the JWKS, the
    pool's issuer, and an expiry in the future."""
    decoded = jwt.decode(token, KeySet.import_key_set(jwks(server, pool_id)), algorithms=["RS256"])
    JWTClaimsRegistry(iss={"essential": True, "value": f"{server.url}/{pool_id}"},
                      exp={"essential": True}).validate(decoded.claims)
    return dict(decoded.claims)


def header(token: str) -> dict[str, Any]:
    head = token.split(".")[0]
    value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    return value


def payload(token: str) -> dict[str, Any]:
    """The claims of a JWT without verifying it (for tokens already verified, or to look at an old one)."""
    body = token.split(".")[1]
    value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return value
