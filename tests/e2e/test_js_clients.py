"""The JavaScript clients people point at Cognito, unchanged, against a real `cognate serve`:
amazon-cognito-identity-js (SRP and password sign-in, NEW_PASSWORD_REQUIRED, refresh), Amplify JS v6
(`signIn`, `confirmSignIn`, `fetchAuthSession`, `getCurrentUser`, `signOut`) and aws-jwt-verify (Cognate's
ID and access tokens against the pool's JWKS; tampered and foreign tokens refused).

The scripts live in `tests/node/` (exact versions in its package.json and lock); `support.node` installs them
once and runs one per step with JSON in and out. Pools, clients and users are made with boto3 (`idp`)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from support.factories import create_client, create_pool, strong_password, unique_email, unique_name
from support.node import NodeClients, NodeRun, node_clients
from support.server import CognateServer

FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"]
AWS_ISSUER_BASE = "https://cognito-idp.us-east-1.amazonaws.com"
SRP_SIGN_IN = ["InitiateAuth", "RespondToAuthChallenge"]


@pytest.fixture(scope="module")
def node() -> NodeClients:
    return node_clients()


@pytest.fixture(scope="module")
def app(idp: Any) -> dict[str, str]:
    """One pool per store with two public app clients: `client` (used to sign in) and `other`."""
    pool_id = create_pool(idp)["Id"]
    client = create_client(idp, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    other = create_client(idp, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    return {"pool": pool_id, "client": client, "other": other}


def make_user(idp: Any, pool_id: str, *, temporary: bool = False) -> dict[str, str]:
    """A user with an email, created without a message: a permanent password (CONFIRMED), or only a
    temporary one (FORCE_CHANGE_PASSWORD). Returns username, password, email and sub."""
    username, password, email = unique_name("user"), strong_password(), unique_email()
    params: dict[str, Any] = {"UserPoolId": pool_id, "Username": username, "MessageAction": "SUPPRESS",
                              "UserAttributes": [{"Name": "email", "Value": email}]}
    if temporary:
        params["TemporaryPassword"] = password
    created = idp.admin_create_user(**params)["User"]
    if not temporary:
        idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
    sub = next(a["Value"] for a in created["Attributes"] if a["Name"] == "sub")
    return {"username": username, "password": password, "email": email, "sub": sub}


def sign_in_input(server: CognateServer, app: dict[str, str], user: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"endpoint": server.url, "userPoolId": app["pool"], "clientId": app["client"],
            "username": user["username"], "password": user["password"], **extra}


def payload(jwt: str) -> dict[str, Any]:
    part = jwt.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def b64url(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=").decode()


def assert_tokens_of(tokens: dict[str, Any], server: CognateServer, app: dict[str, str], user: dict[str, str],
                     run: NodeRun) -> None:
    """ID and access tokens of `user` for the app client, issued by this server for this pool."""
    id_claims, access_claims = payload(tokens["idToken"]), payload(tokens["accessToken"])
    where = f"\nID token claims: {id_claims}\naccess token claims: {access_claims}\nHTTP calls:\n{run.describe()}"
    issuer = f"{server.url}/{app['pool']}"
    assert id_claims["sub"] == access_claims["sub"] == user["sub"], where
    assert id_claims["iss"] == access_claims["iss"] == issuer, where
    assert id_claims["token_use"] == "id" and access_claims["token_use"] == "access", where
    assert id_claims["aud"] == app["client"] and access_claims["client_id"] == app["client"], where
    assert id_claims["cognito:username"] == access_claims["username"] == user["username"], where
    assert id_claims["email"] == user["email"], where


# --- amazon-cognito-identity-js ---------------------------------------------------------------------------


def test_identity_js_srp_sign_in_and_refresh_session(node: NodeClients, server: CognateServer, idp: Any,
                                                     app: dict[str, str]) -> None:
    user = make_user(idp, app["pool"])
    run = node.run("cognito_identity.mjs", sign_in_input(server, app, user, refresh=True))
    signed_in, refreshed = run.result["signIn"], run.result.get("refresh")
    assert signed_in["outcome"] == "success", f"{signed_in}\n{run.describe()}"
    assert signed_in["valid"] is True
    assert run.operations()[:2] == SRP_SIGN_IN, run.describe()  # the library's default: USER_SRP_AUTH
    tokens = signed_in["tokens"]
    assert_tokens_of(tokens, server, app, user, run)
    assert tokens["refreshToken"]

    assert refreshed is not None and "tokens" in refreshed, f"{refreshed}\n{run.describe()}"
    assert run.operations()[2:] == ["InitiateAuth"], run.describe()  # REFRESH_TOKEN_AUTH
    assert refreshed["valid"] is True
    assert_tokens_of(refreshed["tokens"], server, app, user, run)
    assert refreshed["tokens"]["refreshToken"] == tokens["refreshToken"]  # no rotation: the library keeps it
    new_access, old_access = payload(refreshed["tokens"]["accessToken"]), payload(tokens["accessToken"])
    assert new_access["jti"] != old_access["jti"]
    assert new_access["auth_time"] == old_access["auth_time"]
    assert new_access["origin_jti"] == old_access["origin_jti"]


def test_identity_js_user_password_auth(node: NodeClients, server: CognateServer, idp: Any,
                                        app: dict[str, str]) -> None:
    user = make_user(idp, app["pool"])
    run = node.run("cognito_identity.mjs", sign_in_input(server, app, user, authFlow="USER_PASSWORD_AUTH"))
    assert run.result["signIn"]["outcome"] == "success", f"{run.result}\n{run.describe()}"
    assert run.operations() == ["InitiateAuth"], run.describe()
    assert_tokens_of(run.result["signIn"]["tokens"], server, app, user, run)


def test_identity_js_wrong_password_and_unknown_user_fail(node: NodeClients, server: CognateServer, idp: Any,
                                                          app: dict[str, str]) -> None:
    user = make_user(idp, app["pool"])
    run = node.run("cognito_identity.mjs", sign_in_input(server, app, {**user, "password": strong_password()}))
    failed = run.result["signIn"]
    assert failed["outcome"] == "failure", f"{failed}\n{run.describe()}"
    assert failed["error"]["code"] == "NotAuthorizedException", failed
    assert failed["error"]["message"] == "Incorrect username or password."
    assert run.operations() == SRP_SIGN_IN, run.describe()  # refused at the password claim, not before

    run = node.run("cognito_identity.mjs", sign_in_input(server, app, {**user, "username": unique_name("nobody")}))
    failed = run.result["signIn"]
    assert failed["outcome"] == "failure", f"{failed}\n{run.describe()}"
    assert failed["error"]["code"] == "UserNotFoundException", failed


def test_identity_js_new_password_required(node: NodeClients, server: CognateServer, idp: Any, idp_public: Any,
                                           app: dict[str, str]) -> None:
    user = make_user(idp, app["pool"], temporary=True)
    new_password = strong_password()
    run = node.run("cognito_identity.mjs", sign_in_input(server, app, user, newPassword=new_password))
    challenge, completed = run.result["signIn"], run.result.get("newPassword")
    assert challenge["outcome"] == "newPasswordRequired", f"{challenge}\n{run.describe()}"
    assert challenge["userAttributes"]["email"] == user["email"]
    assert challenge["requiredAttributes"] == []
    assert completed is not None and completed["outcome"] == "success", f"{completed}\n{run.describe()}"
    assert run.operations() == [*SRP_SIGN_IN, "RespondToAuthChallenge"], run.describe()
    assert_tokens_of(completed["tokens"], server, app, user, run)

    status = idp.admin_get_user(UserPoolId=app["pool"], Username=user["username"])["UserStatus"]
    assert status == "CONFIRMED"
    result = idp_public.initiate_auth(ClientId=app["client"], AuthFlow="USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": user["username"], "PASSWORD": new_password})
    assert "AccessToken" in result["AuthenticationResult"]


# --- Amplify JS v6 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("flow", ["USER_SRP_AUTH", "USER_PASSWORD_AUTH"])
def test_amplify_sign_in_fetch_session_and_sign_out(node: NodeClients, server: CognateServer, idp: Any,
                                                     app: dict[str, str], flow: str) -> None:
    user = make_user(idp, app["pool"])
    extra = {} if flow == "USER_SRP_AUTH" else {"authFlowType": flow}  # SRP is Amplify's default
    run = node.run("amplify.mjs", sign_in_input(server, app, user, **extra))
    result = run.result
    assert result["signIn"] == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}, \
        f"{result['signIn']}\n{run.describe()}"
    sign_in_calls = SRP_SIGN_IN if flow == "USER_SRP_AUTH" else ["InitiateAuth"]
    assert run.operations()[:len(sign_in_calls)] == sign_in_calls, run.describe()

    current = result["currentUser"]
    assert current["username"] == user["username"] and current["userId"] == user["sub"], current
    assert current["signInDetails"] == {"loginId": user["username"], "authFlowType": flow}

    session = result["session"]
    assert session["userSub"] == user["sub"], session
    assert session["idPayload"]["sub"] == user["sub"]
    assert session["idPayload"] == payload(session["idToken"])
    assert_tokens_of(session, server, app, user, run)
    assert result["attributes"].get("email") == user["email"], f"{result['attributes']}\n{run.describe()}"
    assert result["attributes"].get("sub") == user["sub"]

    after = result["afterSignOut"]
    assert after["signOutError"] is None, after
    assert after["session"]["idToken"] is None and after["session"]["accessToken"] is None, after
    assert after["currentUser"]["error"]["name"] == "UserUnAuthenticatedException", after


def test_amplify_wrong_password_fails(node: NodeClients, server: CognateServer, idp: Any,
                                      app: dict[str, str]) -> None:
    user = make_user(idp, app["pool"])
    run = node.run("amplify.mjs", sign_in_input(server, app, {**user, "password": strong_password()}))
    error = run.result["signIn"].get("error")
    assert error is not None and error["name"] == "NotAuthorizedException", f"{run.result}\n{run.describe()}"
    assert error["message"] == "Incorrect username or password."
    assert "session" not in run.result


def test_amplify_new_password_required(node: NodeClients, server: CognateServer, idp: Any,
                                       app: dict[str, str]) -> None:
    user = make_user(idp, app["pool"], temporary=True)
    run = node.run("amplify.mjs", sign_in_input(server, app, user, newPassword=strong_password()))
    step = run.result["signIn"]
    assert step.get("isSignedIn") is False, f"{step}\n{run.describe()}"
    assert step["nextStep"]["signInStep"] == "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED", step
    assert run.result["confirmSignIn"] == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}, \
        f"{run.result['confirmSignIn']}\n{run.describe()}"
    assert run.operations()[:3] == [*SRP_SIGN_IN, "RespondToAuthChallenge"], run.describe()
    assert_tokens_of(run.result["session"], server, app, user, run)
    assert idp.admin_get_user(UserPoolId=app["pool"], Username=user["username"])["UserStatus"] == "CONFIRMED"


def test_amplify_refreshes_tokens(node: NodeClients, server: CognateServer, idp: Any,
                                  app: dict[str, str]) -> None:
    user = make_user(idp, app["pool"])
    run = node.run("amplify.mjs", sign_in_input(server, app, user, forceRefresh=True))
    refreshed = run.result["refreshed"]
    assert refreshed["operations"] == ["GetTokensFromRefreshToken"], run.describe()
    assert "error" not in refreshed, f"{refreshed}\n{run.describe()}"
    assert_tokens_of(refreshed, server, app, user, run)
    new_access, old_access = payload(refreshed["accessToken"]), payload(run.result["session"]["accessToken"])
    assert new_access["jti"] != old_access["jti"]
    assert new_access["origin_jti"] == old_access["origin_jti"]
    assert run.result["attributes"].get("sub") == user["sub"], run.describe()  # GetUser with the new token


def test_amplify_sign_out_revokes_the_refresh_token(node: NodeClients, server: CognateServer, idp: Any,
                                                    idp_public: Any, app: dict[str, str]) -> None:
    user = make_user(idp, app["pool"])
    run = node.run("amplify.mjs", sign_in_input(server, app, user))
    refresh_token = run.result["refreshToken"]
    assert refresh_token, f"{run.result}\n{run.describe()}"
    revoke = [c for c in run.calls if c.get("operation") == "RevokeToken"]
    assert revoke and revoke[0]["status"] == 200, run.describe()
    with pytest.raises(ClientError) as refused:
        idp_public.initiate_auth(ClientId=app["client"], AuthFlow="REFRESH_TOKEN_AUTH",
                                 AuthParameters={"REFRESH_TOKEN": refresh_token})
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"


# --- aws-jwt-verify ---------------------------------------------------------------------------------------


def tokens_for(idp_public: Any, client_id: str, user: dict[str, str]) -> dict[str, str]:
    result: dict[str, str] = idp_public.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user["username"], "PASSWORD": user["password"]})["AuthenticationResult"]
    return result


def tampered(jwt: str, **claims: Any) -> str:
    header, _, signature = jwt.split(".")
    return ".".join([header, b64url({**payload(jwt), **claims}), signature])


def verdicts(run: NodeRun) -> dict[str, dict[str, Any]]:
    return {check["label"]: check for check in run.result["checks"]}


def test_aws_jwt_verify_accepts_cognate_tokens_and_refuses_others(node: NodeClients, server: CognateServer,
                                                                  idp: Any, idp_public: Any,
                                                                  app: dict[str, str]) -> None:
    user = make_user(idp, app["pool"])
    mine, theirs = tokens_for(idp_public, app["client"], user), tokens_for(idp_public, app["other"], user)
    elsewhere = create_pool(idp)["Id"]
    foreign_client = create_client(idp, elsewhere, ExplicitAuthFlows=FLOWS)["ClientId"]
    foreign = tokens_for(idp_public, foreign_client, make_user(idp, elsewhere))
    none_header = b64url({"alg": "none", "typ": "JWT"})
    client = app["client"]
    checks = [
        ("id token", mine["IdToken"], "id", client),
        ("access token", mine["AccessToken"], "access", client),
        ("id token with a changed sub", tampered(mine["IdToken"], sub=unique_name("sub")), "id", client),
        ("access token with a changed client_id", tampered(mine["AccessToken"], client_id=app["other"]),
         "access", app["other"]),
        ("id token with alg none", f"{none_header}.{mine['IdToken'].split('.')[1]}.", "id", client),
        ("id token of another client", theirs["IdToken"], "id", client),
        ("access token of another client", theirs["AccessToken"], "access", client),
        ("id token as an access token", mine["IdToken"], "access", client),
        ("access token as an id token", mine["AccessToken"], "id", client),
        ("id token of another pool", foreign["IdToken"], "id", foreign_client),
    ]
    run = node.run("jwt_verify.mjs", {
        "issuer": f"{server.url}/{app['pool']}",
        "jwksUri": f"{server.url}/{app['pool']}/.well-known/jwks.json",
        "checks": [{"label": label, "token": token, "tokenUse": use, "clientId": cid}
                   for label, token, use, cid in checks],
    })
    found = verdicts(run)
    for label in ("id token", "access token"):
        assert found[label]["valid"] is True, f"{label}: {found[label]}\n{run.describe()}"
        assert found[label]["payload"]["sub"] == user["sub"]
    refused = {label: found[label]["error"]["class"] for label, *_ in checks[2:] if not found[label]["valid"]}
    assert set(refused) == {label for label, *_ in checks[2:]}, f"accepted: {set(found) - set(refused)}"
    assert refused["id token with a changed sub"] == "JwtInvalidSignatureError"
    assert refused["access token with a changed client_id"] == "JwtInvalidSignatureError"
    assert refused["id token of another client"] == "CognitoJwtInvalidClientIdError"
    assert refused["access token of another client"] == "CognitoJwtInvalidClientIdError"
    assert refused["id token as an access token"] == "CognitoJwtInvalidTokenUseError"
    # Each pool signs with its own keys: the verifier misses the kid (even after fetching the JWKS again)
    # before it would compare the issuer.
    assert refused["id token of another pool"] in {"KidNotFoundInJwksError", "JwtInvalidIssuerError"}


def test_cognito_jwt_verifier_unchanged_with_an_aws_shaped_issuer(node: NodeClients, fresh_server: Any) -> None:
    """With COGNATE_PUBLIC_URL set to Cognito's issuer base, the stock CognitoJwtVerifier (which derives issuer
    and JWKS URI from the pool id) verifies Cognate's tokens, given the JWKS Cognate serves (`cacheJwks`)."""
    server = fresh_server(extra_env={"COGNATE_PUBLIC_URL": AWS_ISSUER_BASE})
    idp, idp_public = server.client(), server.client(signed=False)
    pool_id = create_pool(idp)["Id"]
    client, other = (create_client(idp, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"] for _ in range(2))
    user = make_user(idp, pool_id)
    tokens = tokens_for(idp_public, client, user)
    status, _, body = server.request("GET", f"/{pool_id}/.well-known/jwks.json")
    assert status == 200, body
    run = node.run("jwt_verify.mjs", {"userPoolId": pool_id, "jwks": json.loads(body), "checks": [
        {"label": "id", "token": tokens["IdToken"], "tokenUse": "id", "clientId": client},
        {"label": "access", "token": tokens["AccessToken"], "tokenUse": "access", "clientId": client},
        {"label": "other client", "token": tokens["IdToken"], "tokenUse": "id", "clientId": other},
    ]})
    found = verdicts(run)
    assert found["id"]["valid"] and found["access"]["valid"], found
    assert found["id"]["payload"]["iss"] == f"{AWS_ISSUER_BASE}/{pool_id}"
    assert not found["other client"]["valid"]
    assert found["other client"]["error"]["class"] == "CognitoJwtInvalidClientIdError"
    assert run.result["jwksFetches"] == 0  # everything came from the cached JWKS, nothing from AWS
