"""App clients through boto3: CreateUserPoolClient, DescribeUserPoolClient, UpdateUserPoolClient,
DeleteUserPoolClient, ListUserPoolClients, and the SECRET_HASH that public operations of a client with a
secret must carry (API reference of each operation; Developer Guide, "Computing secret hash values")."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from support.aws import secret_hash
from support.factories import create_client, create_pool, strong_password, unique_name

CLIENT_ID = re.compile(r"^[a-z0-9]{26}$")
DEFAULT_UNITS = {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"}


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = excinfo.value.response["Error"]
    return err["Code"], err.get("Message", "")


def refused(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return error_of(excinfo)



@pytest.fixture
def pool(idp: Any) -> dict[str, Any]:
    return create_pool(idp, Schema=[{"Name": "team", "AttributeDataType": "String"}])


# --- identifiers and secrets --------------------------------------------------------------------------------


def test_client_with_generated_secret(idp: Any, pool: dict[str, Any]) -> None:
    name = unique_name("client")
    created = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName=name,
                                          GenerateSecret=True)["UserPoolClient"]
    assert CLIENT_ID.match(created["ClientId"])
    assert created["UserPoolId"] == pool["Id"] and created["ClientName"] == name
    secret = created["ClientSecret"]
    assert 24 <= len(secret) <= 64
    described = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=created["ClientId"])["UserPoolClient"]
    assert described["ClientSecret"] == secret
    assert described["ClientName"] == name
    assert described["CreationDate"] == created["CreationDate"]


def test_client_with_a_chosen_secret(idp: Any, pool: dict[str, Any]) -> None:
    chosen = "Chosen" + "x" * 30
    client = create_client(idp, pool["Id"], ClientSecret=chosen)
    assert client["ClientSecret"] == chosen
    described = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])
    assert described["UserPoolClient"]["ClientSecret"] == chosen


def test_generate_secret_and_a_chosen_secret_together_are_refused(idp: Any, pool: dict[str, Any]) -> None:
    code, _ = refused(idp.create_user_pool_client, UserPoolId=pool["Id"], ClientName=unique_name("c"),
                      GenerateSecret=True, ClientSecret="Chosen" + "x" * 30)
    assert code == "InvalidParameterException"


def test_client_without_secret_has_none(idp: Any, pool: dict[str, Any]) -> None:
    created = create_client(idp, pool["Id"])
    assert CLIENT_ID.match(created["ClientId"])
    assert "ClientSecret" not in created
    described = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=created["ClientId"])
    assert "ClientSecret" not in described["UserPoolClient"]


def test_client_ids_and_secrets_are_distinct(idp: Any, pool: dict[str, Any]) -> None:
    clients = [create_client(idp, pool["Id"], GenerateSecret=True) for _ in range(4)]
    assert len({c["ClientId"] for c in clients}) == 4
    assert len({c["ClientSecret"] for c in clients}) == 4


def test_client_defaults(idp: Any, pool: dict[str, Any]) -> None:
    client = create_client(idp, pool["Id"])
    assert client["RefreshTokenValidity"] == 30
    assert client["AccessTokenValidity"] == 60 and client["IdTokenValidity"] == 60
    assert client["TokenValidityUnits"] == DEFAULT_UNITS
    assert client["PreventUserExistenceErrors"] == "LEGACY"
    assert client["EnableTokenRevocation"] is True
    assert client["AllowedOAuthFlowsUserPoolClient"] is False
    assert client["AuthSessionValidity"] == 3


# --- token validity ---------------------------------------------------------------------------------------


def test_token_validities_and_units_are_kept(idp: Any, pool: dict[str, Any]) -> None:
    units = {"AccessToken": "hours", "IdToken": "minutes", "RefreshToken": "days"}
    client = create_client(idp, pool["Id"], AccessTokenValidity=2, IdTokenValidity=30, RefreshTokenValidity=7,
                           TokenValidityUnits=units, AuthSessionValidity=10)
    described = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])["UserPoolClient"]
    assert (described["AccessTokenValidity"], described["IdTokenValidity"], described["RefreshTokenValidity"]) \
        == (2, 30, 7)
    assert described["TokenValidityUnits"] == units
    assert described["AuthSessionValidity"] == 10


def test_validity_without_unit_is_in_hours_for_access_and_id_tokens_and_days_for_refresh(
        idp: Any, pool: dict[str, Any]) -> None:
    client = create_client(idp, pool["Id"], AccessTokenValidity=2, IdTokenValidity=3, RefreshTokenValidity=10)
    assert (client["AccessTokenValidity"], client["IdTokenValidity"], client["RefreshTokenValidity"]) == (2, 3, 10)
    assert client["TokenValidityUnits"] == {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}


def test_unit_without_validity_applies_to_the_default_lifetime(idp: Any, pool: dict[str, Any]) -> None:
    client = create_client(idp, pool["Id"], TokenValidityUnits={"AccessToken": "hours", "IdToken": "seconds",
                                                                "RefreshToken": "hours"})
    assert (client["AccessTokenValidity"], client["IdTokenValidity"], client["RefreshTokenValidity"]) \
        == (1, 3600, 720)
    assert client["TokenValidityUnits"] == {"AccessToken": "hours", "IdToken": "seconds", "RefreshToken": "hours"}


def test_refresh_token_validity_zero_means_the_default(idp: Any, pool: dict[str, Any]) -> None:
    client = create_client(idp, pool["Id"], RefreshTokenValidity=0)
    assert client["RefreshTokenValidity"] == 30 and client["TokenValidityUnits"]["RefreshToken"] == "days"


def test_access_token_outliving_the_refresh_token_is_refused(idp: Any, pool: dict[str, Any]) -> None:
    code, _ = refused(idp.create_user_pool_client, UserPoolId=pool["Id"], ClientName=unique_name("c"),
                      AccessTokenValidity=1, RefreshTokenValidity=60,
                      TokenValidityUnits={"AccessToken": "days", "RefreshToken": "minutes"})
    assert code == "InvalidParameterException"


@pytest.mark.parametrize("settings", [
    {"AccessTokenValidity": 2, "TokenValidityUnits": {"AccessToken": "days"}},
    {"AccessTokenValidity": 4, "TokenValidityUnits": {"AccessToken": "minutes"}},
    {"IdTokenValidity": 25, "TokenValidityUnits": {"IdToken": "hours"}},
    {"IdTokenValidity": 299, "TokenValidityUnits": {"IdToken": "seconds"}},
    {"RefreshTokenValidity": 59, "TokenValidityUnits": {"RefreshToken": "minutes"}},
    {"RefreshTokenValidity": 3651, "TokenValidityUnits": {"RefreshToken": "days"}},
    {"AuthSessionValidity": 16},
], ids=["access-2d", "access-4min", "id-25h", "id-299s", "refresh-59min", "refresh-3651d", "session-16"])
def test_token_validity_out_of_range_is_refused(idp: Any, pool: dict[str, Any], settings: dict[str, Any]) -> None:
    code, _ = refused(idp.create_user_pool_client, UserPoolId=pool["Id"], ClientName=unique_name("c"), **settings)
    assert code == "InvalidParameterException"
    client = create_client(idp, pool["Id"])
    code, _ = refused(idp.update_user_pool_client, UserPoolId=pool["Id"], ClientId=client["ClientId"], **settings)
    assert code == "InvalidParameterException"


def test_token_validity_bounds_are_accepted(idp: Any, pool: dict[str, Any]) -> None:
    create_client(idp, pool["Id"], AccessTokenValidity=5, IdTokenValidity=1, RefreshTokenValidity=60,
                  TokenValidityUnits={"AccessToken": "minutes", "IdToken": "hours", "RefreshToken": "minutes"})
    create_client(idp, pool["Id"], AccessTokenValidity=1, IdTokenValidity=86400, RefreshTokenValidity=3650,
                  TokenValidityUnits={"AccessToken": "days", "IdToken": "seconds", "RefreshToken": "days"})


# --- auth flows, attributes, existence errors ---------------------------------------------------------------


def test_explicit_auth_flows_are_kept(idp: Any, pool: dict[str, Any]) -> None:
    flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    client = create_client(idp, pool["Id"], ExplicitAuthFlows=flows)
    described = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])["UserPoolClient"]
    assert sorted(described["ExplicitAuthFlows"]) == sorted(flows)


def test_mixing_legacy_and_allow_auth_flows_is_refused(idp: Any, pool: dict[str, Any]) -> None:
    code, _ = refused(idp.create_user_pool_client, UserPoolId=pool["Id"], ClientName=unique_name("c"),
                      ExplicitAuthFlows=["USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    assert code == "InvalidParameterException"


def test_unknown_auth_flow_is_refused(server: Any, pool: dict[str, Any]) -> None:
    status, _, body = server.raw_post("CreateUserPoolClient", {
        "UserPoolId": pool["Id"], "ClientName": "c", "ExplicitAuthFlows": ["ALLOW_EVERYTHING"]}, signed=True)
    assert status == 400 and body["__type"] == "InvalidParameterException"


def test_read_and_write_attributes_are_kept(idp: Any, pool: dict[str, Any]) -> None:
    client = create_client(idp, pool["Id"], ReadAttributes=["email", "email_verified", "custom:team"],
                           WriteAttributes=["email", "custom:team"])
    described = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])["UserPoolClient"]
    assert sorted(described["ReadAttributes"]) == ["custom:team", "email", "email_verified"]
    assert sorted(described["WriteAttributes"]) == ["custom:team", "email"]


@pytest.mark.parametrize("settings", [
    {"ReadAttributes": ["email", "shoe_size"]},
    {"WriteAttributes": ["custom:nope"]},
    {"WriteAttributes": ["sub"]},
], ids=["read-unknown", "write-unknown-custom", "write-sub"])
def test_unknown_or_unwritable_attributes_are_refused(idp: Any, pool: dict[str, Any],
                                                      settings: dict[str, Any]) -> None:
    code, _ = refused(idp.create_user_pool_client, UserPoolId=pool["Id"], ClientName=unique_name("c"), **settings)
    assert code == "InvalidParameterException"


def test_write_attributes_limit_what_sign_up_may_set(idp: Any, idp_public: Any, pool: dict[str, Any]) -> None:
    client = create_client(idp, pool["Id"], WriteAttributes=["email"])
    code, _ = refused(idp_public.sign_up, ClientId=client["ClientId"], Username=unique_name("u"),
                      Password=strong_password(), UserAttributes=[{"Name": "custom:team", "Value": "x"}])
    assert code == "NotAuthorizedException"
    idp_public.sign_up(ClientId=client["ClientId"], Username=unique_name("u"), Password=strong_password(),
                       UserAttributes=[{"Name": "email", "Value": "w@example.test"}])


def test_propagating_user_context_data_needs_a_secret(idp: Any, pool: dict[str, Any]) -> None:
    code, _ = refused(idp.create_user_pool_client, UserPoolId=pool["Id"], ClientName=unique_name("c"),
                      EnablePropagateAdditionalUserContextData=True)
    assert code == "InvalidParameterException"
    client = create_client(idp, pool["Id"], GenerateSecret=True, EnablePropagateAdditionalUserContextData=True)
    assert client["EnablePropagateAdditionalUserContextData"] is True


def test_prevent_user_existence_errors_is_kept(idp: Any, pool: dict[str, Any]) -> None:
    client = create_client(idp, pool["Id"], PreventUserExistenceErrors="ENABLED")
    described = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])["UserPoolClient"]
    assert described["PreventUserExistenceErrors"] == "ENABLED"


# --- OAuth settings -----------------------------------------------------------------------------------------


def test_oauth_settings_are_kept(idp: Any, pool: dict[str, Any]) -> None:
    settings: dict[str, Any] = {
        "CallbackURLs": ["https://app.example.com/cb", "http://localhost:3000/cb", "http://127.0.0.1/cb",
                         "http://[::1]:8080/cb", "myapp://signed-in"],
        "LogoutURLs": ["https://app.example.com/bye"],
        "DefaultRedirectURI": "https://app.example.com/cb",
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": ["openid", "email", "profile"],
        "AllowedOAuthFlowsUserPoolClient": True,
        "SupportedIdentityProviders": ["COGNITO"],
    }
    client = create_client(idp, pool["Id"], **settings)
    described = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])["UserPoolClient"]
    for key, value in settings.items():
        assert described[key] == value, key


@pytest.mark.parametrize("settings", [
    {"CallbackURLs": ["http://app.example.com/cb"]},
    {"LogoutURLs": ["http://app.example.com/bye"]},
    {"CallbackURLs": ["https://app.example.com/cb#fragment"]},
    {"CallbackURLs": ["https://app.example.com/cb"], "DefaultRedirectURI": "https://elsewhere.example.com/"},
    {"SupportedIdentityProviders": ["Facebook"]},
    {"CallbackURLs": ["javascript:alert(1)"]},
    {"CallbackURLs": ["data:text/html,hello"]},
    {"CallbackURLs": ["https://"]},
    {"CallbackURLs": ["/relative/cb"]},
    {"CallbackURLs": ["https://[not-an-ip/cb"]},
], ids=["http-callback", "http-logout", "fragment", "default-not-a-callback", "unknown-provider", "javascript",
        "data", "no-host", "relative", "bad-host"])
def test_bad_redirects_and_providers_are_refused(idp: Any, pool: dict[str, Any], settings: dict[str, Any]) -> None:
    code, _ = refused(idp.create_user_pool_client, UserPoolId=pool["Id"], ClientName=unique_name("c"), **settings)
    assert code == "InvalidParameterException"


def test_client_credentials_without_secret_is_refused(idp: Any, pool: dict[str, Any]) -> None:
    code, _ = refused(idp.create_user_pool_client, UserPoolId=pool["Id"], ClientName=unique_name("c"),
                      AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["api/read"],
                      AllowedOAuthFlowsUserPoolClient=True)
    assert code == "InvalidOAuthFlowException"


def test_client_credentials_mixed_with_code_is_refused(idp: Any, pool: dict[str, Any]) -> None:
    code, _ = refused(idp.create_user_pool_client, UserPoolId=pool["Id"], ClientName=unique_name("c"),
                      GenerateSecret=True, AllowedOAuthFlows=["client_credentials", "code"],
                      AllowedOAuthScopes=["openid"], CallbackURLs=["https://a.example.com/cb"],
                      AllowedOAuthFlowsUserPoolClient=True)
    assert code == "InvalidOAuthFlowException"


@pytest.mark.parametrize("scope", ["superpowers", "nosuchserver/read"])
def test_unknown_scope_is_refused(idp: Any, pool: dict[str, Any], scope: str) -> None:
    code, message = refused(idp.create_user_pool_client, UserPoolId=pool["Id"], ClientName=unique_name("c"),
                            AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", scope],
                            CallbackURLs=["https://a.example.com/cb"], AllowedOAuthFlowsUserPoolClient=True)
    assert code == "ScopeDoesNotExistException" and scope in message


# --- UpdateUserPoolClient ------------------------------------------------------------------------------------


def test_update_sets_what_is_given_and_resets_the_rest(idp: Any, pool: dict[str, Any]) -> None:
    client = create_client(
        idp, pool["Id"], GenerateSecret=True, AccessTokenValidity=2, RefreshTokenValidity=7,
        TokenValidityUnits={"AccessToken": "hours", "IdToken": "minutes", "RefreshToken": "days"},
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        ReadAttributes=["email"], PreventUserExistenceErrors="ENABLED",
        CallbackURLs=["https://app.example.com/cb"], AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"], AllowedOAuthFlowsUserPoolClient=True,
    )
    updated = idp.update_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"],
                                          ClientName="renamed", IdTokenValidity=15)["UserPoolClient"]
    described = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])["UserPoolClient"]
    for view in (updated, described):
        assert view["ClientName"] == "renamed" and view["IdTokenValidity"] == 15
        assert view["AccessTokenValidity"] == 60 and view["RefreshTokenValidity"] == 30
        assert view["TokenValidityUnits"] == {**DEFAULT_UNITS, "IdToken": "hours"}
        assert view["PreventUserExistenceErrors"] == "LEGACY"
        assert view["AllowedOAuthFlowsUserPoolClient"] is False
        for gone in ("ExplicitAuthFlows", "ReadAttributes", "CallbackURLs", "AllowedOAuthFlows",
                     "AllowedOAuthScopes"):
            assert not view.get(gone), gone
        # The id and the secret are not settings: they stay.
        assert view["ClientId"] == client["ClientId"] and view["ClientSecret"] == client["ClientSecret"]
        assert view["CreationDate"] == client["CreationDate"]
        assert view["LastModifiedDate"] >= client["LastModifiedDate"]


def test_update_without_name_keeps_the_name(idp: Any, pool: dict[str, Any]) -> None:
    client = create_client(idp, pool["Id"])
    updated = idp.update_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])["UserPoolClient"]
    assert updated["ClientName"] == client["ClientName"]


def test_update_client_credentials_on_client_without_secret(idp: Any, pool: dict[str, Any]) -> None:
    client = create_client(idp, pool["Id"])
    code, _ = refused(idp.update_user_pool_client, UserPoolId=pool["Id"], ClientId=client["ClientId"],
                      AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["api/read"],
                      AllowedOAuthFlowsUserPoolClient=True)
    assert code == "InvalidOAuthFlowException"


# --- Delete, List, pools ------------------------------------------------------------------------------------


def test_delete_client(idp: Any, idp_public: Any, pool: dict[str, Any]) -> None:
    client = create_client(idp, pool["Id"])
    idp.delete_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])
    for call in (idp.describe_user_pool_client, idp.delete_user_pool_client, idp.update_user_pool_client):
        code, _ = refused(call, UserPoolId=pool["Id"], ClientId=client["ClientId"])
        assert code == "ResourceNotFoundException"
    code, _ = refused(idp_public.sign_up, ClientId=client["ClientId"], Username="u", Password=strong_password())
    assert code == "ResourceNotFoundException"
    listed = idp.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=60)["UserPoolClients"]
    assert client["ClientId"] not in [c["ClientId"] for c in listed]


def test_list_clients_pages_through_every_client_once(idp: Any, pool: dict[str, Any]) -> None:
    mine = {create_client(idp, pool["Id"])["ClientId"]: None for _ in range(7)}
    other_pool = create_pool(idp)
    create_client(idp, other_pool["Id"])
    for page_size in (1, 2, 3, 60):
        seen: list[str] = []
        kwargs: dict[str, Any] = {"UserPoolId": pool["Id"], "MaxResults": page_size}
        for _ in range(100):
            page = idp.list_user_pool_clients(**kwargs)
            assert len(page["UserPoolClients"]) <= page_size
            assert all(c["UserPoolId"] == pool["Id"] for c in page["UserPoolClients"])
            seen += [c["ClientId"] for c in page["UserPoolClients"]]
            if not page.get("NextToken"):
                break
            kwargs["NextToken"] = page["NextToken"]
        assert sorted(seen) == sorted(mine), page_size


def test_list_clients_names_each_client(idp: Any, pool: dict[str, Any]) -> None:
    client = create_client(idp, pool["Id"])
    [entry] = idp.list_user_pool_clients(UserPoolId=pool["Id"])["UserPoolClients"]
    assert entry == {"ClientId": client["ClientId"], "UserPoolId": pool["Id"], "ClientName": client["ClientName"]}


def test_client_of_another_pool_is_not_found(idp: Any, pool: dict[str, Any]) -> None:
    other = create_pool(idp)
    client = create_client(idp, other["Id"])
    for call in (idp.describe_user_pool_client, idp.update_user_pool_client, idp.delete_user_pool_client):
        code, _ = refused(call, UserPoolId=pool["Id"], ClientId=client["ClientId"])
        assert code == "ResourceNotFoundException"
    # Still there in its own pool.
    assert idp.describe_user_pool_client(UserPoolId=other["Id"], ClientId=client["ClientId"])["UserPoolClient"]


def test_client_of_unknown_pool(idp: Any) -> None:
    code, _ = refused(idp.create_user_pool_client, UserPoolId="us-east-1_000000000", ClientName="c")
    assert code == "ResourceNotFoundException"
    code, _ = refused(idp.list_user_pool_clients, UserPoolId="us-east-1_000000000")
    assert code == "ResourceNotFoundException"


# --- SECRET_HASH ---------------------------------------------------------------------------------------------


def test_sign_up_through_a_secret_client_needs_the_secret_hash(idp: Any, idp_public: Any,
                                                               pool: dict[str, Any]) -> None:
    client = create_client(idp, pool["Id"], GenerateSecret=True)
    client_id, secret = client["ClientId"], client["ClientSecret"]
    username = unique_name("u")

    code, message = refused(idp_public.sign_up, ClientId=client_id, Username=username, Password=strong_password())
    assert code == "NotAuthorizedException" and "SECRET_HASH" in message
    for wrong in (secret_hash(secret, username + "x", client_id), secret_hash("not-the-secret", username, client_id),
                  "bm90IGEgaGFzaA=="):
        code, _ = refused(idp_public.sign_up, ClientId=client_id, Username=username, Password=strong_password(),
                          SecretHash=wrong)
        assert code == "NotAuthorizedException"
    code, _ = refused(idp.admin_get_user, UserPoolId=pool["Id"], Username=username)
    assert code == "UserNotFoundException"

    result = idp_public.sign_up(ClientId=client_id, Username=username, Password=strong_password(),
                                SecretHash=secret_hash(secret, username, client_id))
    assert result["UserConfirmed"] is False
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username=username)["Username"] == username

