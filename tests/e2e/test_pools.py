"""User pools through boto3: CreateUserPool and its settings, DescribeUserPool, UpdateUserPool, DeleteUserPool,
ListUserPools (pagination, regions) and tags (API reference of each operation)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from support.factories import (
    PASSWORD_AUTH_FLOWS,
    create_client,
    create_pool,
    strong_password,
    unique_email,
    unique_name,
)
from support.server import CognateServer
from support.smtp import SmtpSink

POOL_ID = re.compile(r"^us-east-1_[0-9A-Za-z]{9}$")
DEFAULT_PASSWORD_POLICY = {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                           "RequireNumbers": True, "RequireSymbols": True, "TemporaryPasswordValidityDays": 7}


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = excinfo.value.response["Error"]
    return err["Code"], err.get("Message", "")


def schema_of(pool: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["Name"]: a for a in pool["SchemaAttributes"]}


def sign_up(idp_public: Any, client_id: str, username: str, password: str | None = None,
            **attributes: str) -> dict[str, Any]:
    result: dict[str, Any] = idp_public.sign_up(
        ClientId=client_id, Username=username, Password=password or strong_password(),
        UserAttributes=[{"Name": k.replace("__", ":"), "Value": v} for k, v in attributes.items()])
    return result


# --- CreateUserPool / DescribeUserPool -----------------------------------------------------------------


def test_created_pool_has_aws_shaped_id_arn_and_defaults(idp: Any) -> None:
    name = unique_name("pool")
    created = idp.create_user_pool(PoolName=name)["UserPool"]
    described = idp.describe_user_pool(UserPoolId=created["Id"])["UserPool"]

    assert POOL_ID.match(created["Id"])
    assert created["Arn"] == f"arn:aws:cognito-idp:us-east-1:000000000000:userpool/{created['Id']}"
    for pool in (created, described):
        assert pool["Id"] == created["Id"] and pool["Name"] == name and pool["Arn"] == created["Arn"]
        assert pool["Policies"]["PasswordPolicy"] == DEFAULT_PASSWORD_POLICY
        assert pool["MfaConfiguration"] == "OFF"
        assert pool["DeletionProtection"] == "INACTIVE"
        assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
        assert pool["EstimatedNumberOfUsers"] == 0
        assert isinstance(pool["CreationDate"], datetime) and isinstance(pool["LastModifiedDate"], datetime)
        schema = schema_of(pool)
        assert schema["sub"]["Required"] is True and schema["sub"]["Mutable"] is False
        assert {"email", "phone_number", "name", "email_verified", "updated_at"} <= set(schema)
        assert not [n for n in schema if n.startswith("custom:")]
    assert described["CreationDate"] == created["CreationDate"]


def test_two_pools_get_distinct_ids(idp: Any) -> None:
    ids = {create_pool(idp)["Id"] for _ in range(5)}
    assert len(ids) == 5


def test_password_policy_is_described_and_enforced_at_sign_up(idp: Any, idp_public: Any) -> None:
    wanted = {"MinimumLength": 12, "RequireUppercase": False, "RequireLowercase": True, "RequireNumbers": True,
              "RequireSymbols": False, "TemporaryPasswordValidityDays": 3}
    pool = create_pool(idp, Policies={"PasswordPolicy": wanted})
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Policies"]["PasswordPolicy"] == wanted
    client = create_client(idp, pool["Id"])

    with pytest.raises(ClientError) as excinfo:
        sign_up(idp_public, client["ClientId"], unique_name("u"), "short1a")
    code, message = error_of(excinfo)
    assert code == "InvalidPasswordException" and "long enough" in message
    with pytest.raises(ClientError) as excinfo:
        sign_up(idp_public, client["ClientId"], unique_name("u"), "nodigitsatalllong")
    assert error_of(excinfo)[0] == "InvalidPasswordException"
    # No uppercase and no symbol: allowed by this policy.
    assert sign_up(idp_public, client["ClientId"], unique_name("u"), "lowercase12345")["UserConfirmed"] is False


def test_password_policy_out_of_range_is_refused(idp: Any, server: CognateServer) -> None:
    status, _, body = server.raw_post("CreateUserPool", {
        "PoolName": unique_name("pool"), "Policies": {"PasswordPolicy": {"MinimumLength": 5}}}, signed=True)
    assert status == 400 and body["__type"] == "InvalidParameterException"
    assert "minimumLength" in body["message"]


def test_schema_standard_required_and_custom_attributes(idp: Any, idp_public: Any) -> None:
    pool = create_pool(idp, Schema=[
        {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
        {"Name": "team", "AttributeDataType": "String", "Mutable": True,
         "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "5"}},
        {"Name": "level", "AttributeDataType": "Number", "Mutable": False,
         "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "10"}},
    ])
    schema = schema_of(idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"])
    assert schema["email"]["Required"] is True
    assert schema["custom:team"]["AttributeDataType"] == "String"
    assert schema["custom:team"]["StringAttributeConstraints"] == {"MinLength": "2", "MaxLength": "5"}
    assert schema["custom:level"]["AttributeDataType"] == "Number"
    assert schema["custom:level"]["NumberAttributeConstraints"] == {"MinValue": "1", "MaxValue": "10"}
    assert schema["custom:level"]["Mutable"] is False
    assert "team" not in schema and "level" not in schema

    client_id = create_client(idp, pool["Id"])["ClientId"]
    with pytest.raises(ClientError) as excinfo:  # required email missing
        sign_up(idp_public, client_id, unique_name("u"))
    assert error_of(excinfo)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:  # custom string longer than its MaxLength
        sign_up(idp_public, client_id, unique_name("u"), email=unique_email(), custom__team="toolong")
    assert error_of(excinfo)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:  # number above MaxValue
        sign_up(idp_public, client_id, unique_name("u"), email=unique_email(), custom__level="11")
    assert error_of(excinfo)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:  # attribute the schema does not have
        sign_up(idp_public, client_id, unique_name("u"), email=unique_email(), custom__nope="x")
    assert error_of(excinfo)[0] == "InvalidParameterException"

    username = unique_name("u")
    sign_up(idp_public, client_id, username, email=unique_email(), custom__team="ops", custom__level="7")
    user = idp.admin_get_user(UserPoolId=pool["Id"], Username=username)
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attrs["custom:team"] == "ops" and attrs["custom:level"] == "7"


def test_required_custom_attribute_is_refused(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        create_pool(idp, Schema=[{"Name": "tenant", "AttributeDataType": "String", "Required": True}])
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_duplicate_schema_attribute_is_refused(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        create_pool(idp, Schema=[{"Name": "tenant", "AttributeDataType": "String"},
                                 {"Name": "tenant", "AttributeDataType": "Number"}])
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_username_attributes_and_alias_attributes_together_are_refused(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        create_pool(idp, UsernameAttributes=["email"], AliasAttributes=["phone_number"])
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_username_attributes_make_email_the_sign_in_name(idp: Any, idp_public: Any) -> None:
    pool = create_pool(idp, UsernameAttributes=["email"])
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["UsernameAttributes"] == ["email"]
    client_id = create_client(idp, pool["Id"])["ClientId"]
    email = unique_email()
    sign_up(idp_public, client_id, email)
    user = idp.admin_get_user(UserPoolId=pool["Id"], Username=email)
    assert {"Name": "email", "Value": email} in user["UserAttributes"]
    with pytest.raises(ClientError) as excinfo:
        sign_up(idp_public, client_id, unique_name("not-an-email"))
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_alias_attributes_are_described(idp: Any) -> None:
    pool = create_pool(idp, AliasAttributes=["email", "preferred_username"])
    described = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert sorted(described["AliasAttributes"]) == ["email", "preferred_username"]
    assert "UsernameAttributes" not in described


def test_case_insensitive_user_names(idp: Any, idp_public: Any) -> None:
    pool = create_pool(idp, UsernameConfiguration={"CaseSensitive": False})
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["UsernameConfiguration"] == {
        "CaseSensitive": False}
    client_id = create_client(idp, pool["Id"])["ClientId"]
    name = unique_name("Alice")
    sign_up(idp_public, client_id, name)
    with pytest.raises(ClientError) as excinfo:
        sign_up(idp_public, client_id, name.lower())
    assert error_of(excinfo)[0] == "UsernameExistsException"
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username=name.upper())["Username"] == name


def test_case_sensitive_user_names(idp: Any, idp_public: Any) -> None:
    pool = create_pool(idp, UsernameConfiguration={"CaseSensitive": True})
    client_id = create_client(idp, pool["Id"])["ClientId"]
    name = unique_name("Bob")
    sign_up(idp_public, client_id, name)
    sign_up(idp_public, client_id, name.lower())
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username=name)["Username"] == name
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username=name.lower())["Username"] == name.lower()
    with pytest.raises(ClientError) as excinfo:
        idp.admin_get_user(UserPoolId=pool["Id"], Username=name.upper())
    assert error_of(excinfo)[0] == "UserNotFoundException"


def test_verification_template_and_legacy_fields_kept_in_step(idp: Any, idp_public: Any, smtp: SmtpSink) -> None:
    template = {"EmailSubject": "Welcome to Acme", "EmailMessage": "Acme code: {####}",
                "SmsMessage": "Acme SMS {####}", "DefaultEmailOption": "CONFIRM_WITH_CODE"}
    pool = create_pool(idp, AutoVerifiedAttributes=["email"], VerificationMessageTemplate=template)
    described = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described["AutoVerifiedAttributes"] == ["email"]
    for key, value in template.items():
        assert described["VerificationMessageTemplate"][key] == value
    assert described["EmailVerificationSubject"] == "Welcome to Acme"
    assert described["EmailVerificationMessage"] == "Acme code: {####}"
    assert described["SmsVerificationMessage"] == "Acme SMS {####}"

    email = unique_email()
    result = sign_up(idp_public, create_client(idp, pool["Id"])["ClientId"], unique_name("u"), email=email)
    assert result["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    message = smtp.wait_for(email)
    assert message["Subject"] == "Welcome to Acme"
    assert re.search(r"Acme code: \d{6}", message.get_content())


def test_legacy_verification_fields_fill_the_template(idp: Any) -> None:
    pool = create_pool(idp, EmailVerificationSubject="Legacy subject", EmailVerificationMessage="Legacy {####}",
                       SmsVerificationMessage="Legacy sms {####}")
    described = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    template = described["VerificationMessageTemplate"]
    assert template["EmailSubject"] == "Legacy subject"
    assert template["EmailMessage"] == "Legacy {####}"
    assert template["SmsMessage"] == "Legacy sms {####}"
    assert described["EmailVerificationMessage"] == "Legacy {####}"


def test_verification_message_without_code_placeholder_is_refused(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        create_pool(idp, VerificationMessageTemplate={"EmailMessage": "no code here"})
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_admin_create_user_only_blocks_sign_up(idp: Any, idp_public: Any) -> None:
    config = {"AllowAdminCreateUserOnly": True,
              "InviteMessageTemplate": {"EmailSubject": "Join us", "EmailMessage": "User {username} pw {####}"}}
    pool = create_pool(idp, AdminCreateUserConfig=config)
    described = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["AdminCreateUserConfig"]
    assert described["AllowAdminCreateUserOnly"] is True
    assert described["InviteMessageTemplate"] == config["InviteMessageTemplate"]
    client_id = create_client(idp, pool["Id"])["ClientId"]
    with pytest.raises(ClientError) as excinfo:
        sign_up(idp_public, client_id, unique_name("u"))
    assert error_of(excinfo)[0] == "NotAuthorizedException"


def test_temporary_password_validity_zero_means_the_default(idp: Any) -> None:
    pool = create_pool(idp, Policies={"PasswordPolicy": {"TemporaryPasswordValidityDays": 0}})
    assert pool["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"] == 7


def test_legacy_unused_account_validity_days_sets_the_temporary_password_validity(idp: Any) -> None:
    pool = create_pool(idp, AdminCreateUserConfig={"UnusedAccountValidityDays": 3})
    described = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"] == 3
    assert described["AdminCreateUserConfig"]["UnusedAccountValidityDays"] == 3
    assert described["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False


def test_temporary_password_validity_and_its_legacy_field_together_are_refused(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        create_pool(idp, Policies={"PasswordPolicy": {"TemporaryPasswordValidityDays": 3}},
                    AdminCreateUserConfig={"UnusedAccountValidityDays": 5})
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_software_token_is_not_a_first_factor(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        create_pool(idp, Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "SOFTWARE_TOKEN"]}})
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_account_recovery_setting_is_described(idp: Any) -> None:
    setting = {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"},
                                      {"Priority": 2, "Name": "verified_phone_number"}]}
    pool = create_pool(idp, AccountRecoverySetting=setting)
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["AccountRecoverySetting"] == setting


def test_estimated_number_of_users_counts_sign_ups(idp: Any, idp_public: Any) -> None:
    pool = create_pool(idp)
    client_id = create_client(idp, pool["Id"])["ClientId"]
    for _ in range(3):
        sign_up(idp_public, client_id, unique_name("u"))
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["EstimatedNumberOfUsers"] == 3


def test_describe_unknown_pool(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp.describe_user_pool(UserPoolId="us-east-1_000000000")
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


# --- unsupported settings are refused by name ------------------------------------------------------------


@pytest.mark.parametrize(("setting", "named"), [
    ({"LambdaConfig": {"PreSignUp": "arn:aws:lambda:us-east-1:000000000000:function:f"}}, "LambdaConfig"),
    ({"UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"}}, "AdvancedSecurityMode"),
    ({"UserPoolAddOns": {"AdvancedSecurityMode": "AUDIT"}}, "AdvancedSecurityMode"),
    ({"VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_WITH_LINK"}}, "CONFIRM_WITH_LINK"),
    ({"Policies": {"PasswordPolicy": {"PasswordHistorySize": 3}}}, "PasswordHistorySize"),
    ({"DeviceConfiguration": {"ChallengeRequiredOnNewDevice": True}}, "DeviceConfiguration"),
    ({"UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]}},
     "AttributesRequireVerificationBeforeUpdate"),
    ({"AcrConfiguration": {"Level1": {"AcrValue": "urn:example:basic"}}}, "AcrConfiguration"),
], ids=["lambda", "threat-protection-enforced", "threat-protection-audit", "confirm-with-link", "password-history",
        "device-remembering", "verify-before-update", "acr-names"])
def test_unsupported_settings_are_refused_by_name(idp: Any, setting: dict[str, Any], named: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        create_pool(idp, **setting)
    code, message = error_of(excinfo)
    assert code == "InvalidParameterException" and named in message

    pool = create_pool(idp)
    with pytest.raises(ClientError) as excinfo:
        idp.update_user_pool(UserPoolId=pool["Id"], **setting)
    code, message = error_of(excinfo)
    assert code == "InvalidParameterException" and named in message


# --- DeletionProtection and DeleteUserPool ----------------------------------------------------------------


def test_deletion_protection_blocks_delete_until_lifted(idp: Any) -> None:
    pool = create_pool(idp, DeletionProtection="ACTIVE")
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["DeletionProtection"] == "ACTIVE"
    with pytest.raises(ClientError) as excinfo:
        idp.delete_user_pool(UserPoolId=pool["Id"])
    assert error_of(excinfo)[0] == "InvalidParameterException"
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Id"] == pool["Id"]

    idp.update_user_pool(UserPoolId=pool["Id"], DeletionProtection="INACTIVE")
    idp.delete_user_pool(UserPoolId=pool["Id"])
    with pytest.raises(ClientError) as excinfo:
        idp.describe_user_pool(UserPoolId=pool["Id"])
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_delete_pool_removes_it_and_its_clients_and_users(idp: Any, idp_public: Any) -> None:
    pool = create_pool(idp)
    client_id = create_client(idp, pool["Id"])["ClientId"]
    sign_up(idp_public, client_id, unique_name("u"))
    idp.delete_user_pool(UserPoolId=pool["Id"])

    for call in (lambda: idp.describe_user_pool(UserPoolId=pool["Id"]),
                 lambda: idp.delete_user_pool(UserPoolId=pool["Id"]),
                 lambda: idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client_id),
                 lambda: idp.list_users(UserPoolId=pool["Id"]),
                 lambda: idp_public.sign_up(ClientId=client_id, Username="x", Password=strong_password())):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_delete_pool_after_users_signed_in(idp: Any) -> None:
    pool = create_pool(idp)
    client_id = create_client(idp, pool["Id"], ExplicitAuthFlows=PASSWORD_AUTH_FLOWS)["ClientId"]
    username, password = unique_name("u"), strong_password()
    idp.admin_create_user(UserPoolId=pool["Id"], Username=username, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username=username, Password=password, Permanent=True)
    result = idp.admin_initiate_auth(UserPoolId=pool["Id"], ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": username, "PASSWORD": password})
    assert result["AuthenticationResult"]["RefreshToken"]

    idp.delete_user_pool(UserPoolId=pool["Id"])
    with pytest.raises(ClientError) as excinfo:
        idp.describe_user_pool(UserPoolId=pool["Id"])
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        idp.admin_initiate_auth(UserPoolId=pool["Id"], ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                AuthParameters={"REFRESH_TOKEN": result["AuthenticationResult"]["RefreshToken"]})
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


# --- UpdateUserPool ----------------------------------------------------------------------------------------


def test_update_sets_what_is_given_and_resets_the_rest_to_defaults(idp: Any) -> None:
    pool = create_pool(
        idp,
        Policies={"PasswordPolicy": {"MinimumLength": 16, "RequireSymbols": False}},
        Schema=[{"Name": "team", "AttributeDataType": "String"}],
        UsernameAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        AutoVerifiedAttributes=["email"],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        AccountRecoverySetting={"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
        DeletionProtection="ACTIVE",
        EmailVerificationSubject="Old subject",
    )
    idp.update_user_pool(UserPoolId=pool["Id"], MfaConfiguration="OFF",
                         VerificationMessageTemplate={"EmailSubject": "New subject"})
    after = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]

    # What was given is set.
    assert after["VerificationMessageTemplate"]["EmailSubject"] == "New subject"
    assert after["EmailVerificationSubject"] == "New subject"
    # What was left out is back to AWS's defaults.
    assert after["Policies"]["PasswordPolicy"] == DEFAULT_PASSWORD_POLICY
    assert after["DeletionProtection"] == "INACTIVE"
    assert after["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
    assert not after.get("AutoVerifiedAttributes")
    assert "AccountRecoverySetting" not in after
    # What can only be chosen at creation is kept.
    assert after["UsernameAttributes"] == ["email"]
    assert after["UsernameConfiguration"] == {"CaseSensitive": False}
    assert "custom:team" in schema_of(after)
    assert after["Id"] == pool["Id"] and after["Arn"] == pool["Arn"]
    assert after["CreationDate"] == pool["CreationDate"]
    assert after["LastModifiedDate"] >= pool["LastModifiedDate"]


def test_update_password_policy_applies_to_next_sign_up(idp: Any, idp_public: Any) -> None:
    pool = create_pool(idp)
    client_id = create_client(idp, pool["Id"])["ClientId"]
    with pytest.raises(ClientError):
        sign_up(idp_public, client_id, unique_name("u"), "simplepassword")
    idp.update_user_pool(UserPoolId=pool["Id"], Policies={"PasswordPolicy": {
        "MinimumLength": 6, "RequireUppercase": False, "RequireLowercase": False, "RequireNumbers": False,
        "RequireSymbols": False}})
    sign_up(idp_public, client_id, unique_name("u"), "simplepassword")


def test_update_unknown_pool(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp.update_user_pool(UserPoolId="us-east-1_000000000")
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


# --- ListUserPools -------------------------------------------------------------------------------------------


def list_all_pool_ids(idp: Any, page_size: int) -> list[str]:
    seen: list[str] = []
    kwargs: dict[str, Any] = {"MaxResults": page_size}
    for _ in range(10_000):
        page = idp.list_user_pools(**kwargs)
        assert len(page["UserPools"]) <= page_size
        seen += [p["Id"] for p in page["UserPools"]]
        if not page.get("NextToken"):
            return seen
        kwargs["NextToken"] = page["NextToken"]
    raise AssertionError("ListUserPools never ended")


def test_list_user_pools_pages_through_every_pool_once(idp: Any) -> None:
    mine = {create_pool(idp)["Id"] for _ in range(7)}
    for page_size in (1, 2, 3, 60):
        seen = list_all_pool_ids(idp, page_size)
        assert len(seen) == len(set(seen)), f"duplicates with MaxResults={page_size}"
        assert mine <= set(seen)


def test_list_user_pools_describes_each_pool(idp: Any) -> None:
    pool = create_pool(idp)
    paginator = idp.get_paginator("list_user_pools")
    entries = [p for page in paginator.paginate(MaxResults=10) for p in page["UserPools"]]
    [entry] = [p for p in entries if p["Id"] == pool["Id"]]
    assert entry["Name"] == pool["Name"]
    assert entry["CreationDate"] == pool["CreationDate"]


def test_list_user_pools_omits_deleted_pools(idp: Any) -> None:
    pool = create_pool(idp)
    idp.delete_user_pool(UserPoolId=pool["Id"])
    assert pool["Id"] not in list_all_pool_ids(idp, 60)


def test_list_user_pools_refuses_bad_max_results_and_tokens(idp: Any, server: CognateServer) -> None:
    for bad in (0, 61):
        status, _, body = server.raw_post("ListUserPools", {"MaxResults": bad}, signed=True)
        assert status == 400 and body["__type"] == "InvalidParameterException", bad
    status, _, body = server.raw_post("ListUserPools", {}, signed=True)
    assert status == 400 and body["__type"] == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:
        idp.list_user_pools(MaxResults=10, NextToken="not-a-token")
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_pools_live_in_the_region_that_created_them(server: CognateServer, idp: Any) -> None:
    eu = server.client(region="eu-west-1")
    pool = eu.create_user_pool(PoolName=unique_name("eu"))["UserPool"]
    assert re.match(r"^eu-west-1_[0-9A-Za-z]{9}$", pool["Id"])
    assert pool["Arn"] == f"arn:aws:cognito-idp:eu-west-1:000000000000:userpool/{pool['Id']}"

    eu_ids = [p["Id"] for page in eu.get_paginator("list_user_pools").paginate(MaxResults=60)
              for p in page["UserPools"]]
    us_ids = list_all_pool_ids(idp, 60)
    assert pool["Id"] in eu_ids
    assert pool["Id"] not in us_ids
    assert all(i.startswith("eu-west-1_") for i in eu_ids)
    assert all(i.startswith("us-east-1_") for i in us_ids)
    # Found by id from any region's client.
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Name"] == pool["Name"]
    client = create_client(idp, pool["Id"])
    assert eu.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])["UserPoolClient"]


# --- tags ---------------------------------------------------------------------------------------------------


def test_tags_at_creation_and_through_tag_operations(idp: Any) -> None:
    pool = create_pool(idp, UserPoolTags={"team": "identity", "env": "test"})
    arn = pool["Arn"]
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "identity", "env": "test"}

    idp.tag_resource(ResourceArn=arn, Tags={"env": "prod", "owner": "alice"})
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {
        "team": "identity", "env": "prod", "owner": "alice"}
    idp.untag_resource(ResourceArn=arn, TagKeys=["team", "not-there"])
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "prod", "owner": "alice"}
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["UserPoolTags"] == {
        "env": "prod", "owner": "alice"}


def test_tags_of_unknown_pool_arn(idp: Any) -> None:
    arn = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_000000000"
    for call in (lambda: idp.list_tags_for_resource(ResourceArn=arn),
                 lambda: idp.tag_resource(ResourceArn=arn, Tags={"a": "b"}),
                 lambda: idp.untag_resource(ResourceArn=arn, TagKeys=["a"])):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_tags_through_an_arn_of_another_account_region_or_service(idp: Any) -> None:
    pool = create_pool(idp, UserPoolTags={"a": "b"})
    region, account = pool["Arn"].split(":")[3:5]
    for wrong in (pool["Arn"].replace(f":{account}:", ":123456789012:"),
                  pool["Arn"].replace(f":{region}:", ":eu-west-1:"),
                  pool["Arn"].replace(":cognito-idp:", ":cognito-identity:")):
        with pytest.raises(ClientError) as excinfo:
            idp.list_tags_for_resource(ResourceArn=wrong)
        assert error_of(excinfo)[0] == "ResourceNotFoundException", wrong
    with pytest.raises(ClientError) as excinfo:
        idp.list_tags_for_resource(ResourceArn="arn:aws:s3:::not-a-pool")
    assert error_of(excinfo)[0] in ("InvalidParameterException", "ResourceNotFoundException")


def test_tags_of_deleted_pool(idp: Any) -> None:
    pool = create_pool(idp, UserPoolTags={"a": "b"})
    idp.delete_user_pool(UserPoolId=pool["Id"])
    with pytest.raises(ClientError) as excinfo:
        idp.list_tags_for_resource(ResourceArn=pool["Arn"])
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_more_than_fifty_tags_are_refused(idp: Any) -> None:
    pool = create_pool(idp, UserPoolTags={f"k{i}": "v" for i in range(40)})
    with pytest.raises(ClientError) as excinfo:
        idp.tag_resource(ResourceArn=pool["Arn"], Tags={f"x{i}": "v" for i in range(11)})
    assert error_of(excinfo)[0] == "InvalidParameterException"
    assert len(idp.list_tags_for_resource(ResourceArn=pool["Arn"])["Tags"]) == 40
