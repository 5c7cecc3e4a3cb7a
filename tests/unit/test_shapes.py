"""Validation of request bodies against botocore's cognito-idp model, with AWS's messages."""

from __future__ import annotations

import pytest

from cognate.domain.errors import InvalidParameterException, SerializationException, UnknownOperationException
from cognate.wire.shapes import ServiceModel, java_pattern, load_service_model

POOL = "us-east-1_AbCdEf123"
CLIENT = "1example23456789abcdefghij"
AT_MOST = "Member must have length less than or equal to"
AT_LEAST = "Member must have length greater than or equal to"


@pytest.fixture(scope="module")
def idp() -> ServiceModel:
    return load_service_model("cognito-idp")


def message(model: ServiceModel, op: str, params: object) -> str:
    with pytest.raises(InvalidParameterException) as caught:
        model.validate(op, params)
    return caught.value.message


# --------------------------------------------------------------------------------------------- the model


def test_model_metadata(idp: ServiceModel) -> None:
    assert idp.target_prefix == "AWSCognitoIdentityProviderService"
    assert idp.protocol == "json"
    assert idp.has_operation("InitiateAuth")
    assert not idp.has_operation("Nope")
    assert load_service_model("cognito-idp") is idp


def test_unsigned_operations(idp: ServiceModel) -> None:
    assert idp.is_unsigned("InitiateAuth")
    assert idp.is_unsigned("SignUp")
    assert not idp.is_unsigned("AdminCreateUser")
    assert not idp.is_unsigned("ListUserPools")


def test_cognito_identity_model_loads() -> None:
    identity = load_service_model("cognito-identity")
    assert identity.target_prefix == "AWSCognitoIdentityService"
    assert identity.is_unsigned("GetId")
    assert not identity.is_unsigned("CreateIdentityPool")


def test_introspection(idp: ServiceModel) -> None:
    assert idp.required_members("ListUsers") == ["UserPoolId"]
    shape = idp.input_shape("ListUsers")
    assert shape is not None
    assert shape.name == "ListUsersRequest"
    assert idp.input_members("ListUsers")["Limit"].type_name == "integer"


def test_every_pattern_of_both_models_translates() -> None:
    for name in ("cognito-idp", "cognito-identity"):
        for pattern in load_service_model(name).patterns():
            assert java_pattern(pattern) is not None, pattern


def test_java_unicode_classes() -> None:
    username = java_pattern(r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+")
    assert username is not None
    assert username.fullmatch("josé_ü+1@例え.jp😀")
    assert not username.fullmatch("two words")
    assert not username.fullmatch("tab\there")
    word = java_pattern(r"[\w-]+_[0-9a-zA-Z]+")
    assert word is not None
    assert word.fullmatch(POOL)
    # Java's \w is ASCII-only.
    assert not word.fullmatch("us-éast-1_abc")


@pytest.mark.parametrize("op", load_service_model("cognito-idp").operation_names())
def test_every_operation_validates_an_empty_body(idp: ServiceModel, op: str) -> None:
    try:
        idp.validate(op, {})
    except InvalidParameterException as error:
        assert error.message.endswith("Member must not be null")


# --------------------------------------------------------------------------------------------- violations


def test_missing_required_member(idp: ServiceModel) -> None:
    assert message(idp, "ListUserPools", {}) == (
        "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_json_null_is_absent(idp: ServiceModel) -> None:
    assert "Value null at 'maxResults'" in message(idp, "ListUserPools", {"MaxResults": None})
    idp.validate("ListUserPools", {"MaxResults": 10, "NextToken": None})


def test_pattern_violation(idp: ServiceModel) -> None:
    assert message(idp, "DescribeUserPool", {"UserPoolId": "abc"}) == (
        "1 validation error detected: Value 'abc' at 'userPoolId' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+"
    )


def test_violations_are_aggregated(idp: ServiceModel) -> None:
    text = message(idp, "ListUsers", {"UserPoolId": "", "Limit": 61})
    assert text == (
        "3 validation errors detected: "
        "Value '' at 'userPoolId' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; "
        "Value '' at 'userPoolId' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+; "
        "Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"
    )


def test_range_violation(idp: ServiceModel) -> None:
    assert message(idp, "ListUserPools", {"MaxResults": 0}).endswith(
        "Value '0' at 'maxResults' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )


def test_enum_violation(idp: ServiceModel) -> None:
    text = message(idp, "InitiateAuth", {"ClientId": CLIENT, "AuthFlow": "MAGIC"})
    assert text.startswith(
        "1 validation error detected: Value 'MAGIC' at 'authFlow' failed to satisfy constraint: "
        "Member must satisfy enum value set: [USER_SRP_AUTH, "
    )


def test_enum_violation_in_a_list_is_reported_on_the_list(idp: ServiceModel) -> None:
    params = {"UserPoolId": POOL, "ClientName": "app", "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "MAGIC"]}
    text = message(idp, "CreateUserPoolClient", params)
    assert text.startswith(
        "1 validation error detected: Value '[ALLOW_USER_SRP_AUTH, MAGIC]' at 'explicitAuthFlows' "
        "failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: ["
    )
    assert "ALLOW_REFRESH_TOKEN_AUTH" in text
    assert text.endswith("]]")


def test_list_length_violation(idp: ServiceModel) -> None:
    params = {"UserPoolId": POOL, "ClientName": "app", "CallbackURLs": [f"https://x/{i}" for i in range(101)]}
    assert (
        "at 'callbackURLs' failed to satisfy constraint: Member must have length less than or equal to 100"
        in (message(idp, "CreateUserPoolClient", params))
    )


def test_nested_list_member_paths(idp: ServiceModel) -> None:
    params = {
        "UserPoolId": POOL,
        "Username": "bob",
        "UserAttributes": [{"Name": "email", "Value": "b@example.com"}, {"Name": "n" * 40}, {"Value": "x"}],
    }
    assert message(idp, "AdminCreateUser", params) == (
        "2 validation errors detected: "
        f"Value '{'n' * 40}' at 'userAttributes.2.member.name' failed to satisfy constraint: "
        "Member must have length less than or equal to 32; "
        "Value null at 'userAttributes.3.member.name' failed to satisfy constraint: Member must not be null"
    )


def test_nested_structure_path(idp: ServiceModel) -> None:
    params = {"UserPoolId": POOL, "Policies": {"PasswordPolicy": {"MinimumLength": 1}}}
    assert message(idp, "UpdateUserPool", params).endswith(
        "Value '1' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: "
        "Member must have value greater than or equal to 6"
    )


def test_sensitive_value_is_never_echoed(idp: ServiceModel) -> None:
    secret = "hunter2-" * 40
    text = message(idp, "SignUp", {"ClientId": CLIENT, "Username": "bob", "Password": secret})
    assert text == (
        "1 validation error detected: Value at 'password' failed to satisfy constraint: "
        "Member must have length less than or equal to 256"
    )
    assert "hunter2" not in text


def test_sensitive_map_is_never_echoed(idp: ServiceModel) -> None:
    params = {
        "ClientId": CLIENT,
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"PASSWORD": "p" * 131073},
    }
    assert message(idp, "InitiateAuth", params) == (
        "1 validation error detected: Value at 'authParameters' failed to satisfy constraint: "
        "Map value must satisfy constraint: "
        f"[{AT_MOST} 131072, {AT_LEAST} 0]"
    )


def test_sensitive_map_values_are_redacted() -> None:
    identity = load_service_model("cognito-identity")
    params = {"IdentityPoolId": "us-east-1:abc", "Logins": {"": "secret-token"}}
    text = message(identity, "GetId", params)
    assert text == (
        "1 validation error detected: Value '{=***Sensitive Data Redacted***}' at 'logins' failed to satisfy "
        "constraint: Map keys must satisfy constraint: "
        f"[{AT_MOST} 128, {AT_LEAST} 1]"
    )


def test_map_key_and_value_violations(idp: ServiceModel) -> None:
    arn = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/" + POOL
    text = message(idp, "TagResource", {"ResourceArn": arn, "Tags": {"": "v" * 257}})
    assert text == (
        "2 validation errors detected: "
        f"Value '{{={'v' * 198}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: "
        f"[{AT_MOST} 128, {AT_LEAST} 1]; "
        f"Value '{{={'v' * 198}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: "
        f"[{AT_MOST} 256, {AT_LEAST} 0]"
    )


def test_map_of_structures_paths() -> None:
    identity = load_service_model("cognito-identity")
    params = {"IdentityPoolId": "us-east-1:abc", "Roles": {}, "RoleMappings": {"graph.facebook.com": {}}}
    assert message(identity, "SetIdentityPoolRoles", params) == (
        "1 validation error detected: Value null at 'roleMappings.graph.facebook.com.type' "
        "failed to satisfy constraint: Member must not be null"
    )


def test_long_values_are_truncated(idp: ServiceModel) -> None:
    text = message(idp, "CreateGroup", {"UserPoolId": POOL, "GroupName": "g" * 500})
    assert "g" * 200 in text
    assert "g" * 201 not in text


def test_valid_request_passes(idp: ServiceModel) -> None:
    idp.validate(
        "AdminCreateUser",
        {
            "UserPoolId": POOL,
            "Username": "josé@example.com",
            "TemporaryPassword": "Passw0rd!",
            "UserAttributes": [{"Name": "email", "Value": "jose@example.com"}],
            "DesiredDeliveryMediums": ["EMAIL"],
            "ClientMetadata": {"source": "test"},
            "UnknownFutureMember": {"anything": [1, 2]},
        },
    )
    idp.validate("ListUserPools", {"MaxResults": 60})
    idp.validate("CreateUserPoolClient", {"UserPoolId": POOL, "ClientName": "app", "GenerateSecret": True})


# --------------------------------------------------------------------------------------------- types


@pytest.mark.parametrize(
    ("op", "params", "path", "expected"),
    [
        ("ListUsers", {"UserPoolId": POOL, "Limit": "5"}, "limit", "integer"),
        ("ListUsers", {"UserPoolId": POOL, "Limit": True}, "limit", "integer"),
        ("ListUsers", {"UserPoolId": POOL, "Limit": 5.5}, "limit", "integer"),
        ("ListUsers", {"UserPoolId": 5}, "userPoolId", "string"),
        ("ListUsers", {"UserPoolId": POOL, "AttributesToGet": "email"}, "attributesToGet", "list"),
        ("ListUsers", {"UserPoolId": POOL, "AttributesToGet": [1]}, "attributesToGet.1.member", "string"),
        (
            "CreateUserPoolClient",
            {"UserPoolId": POOL, "ClientName": "a", "GenerateSecret": "yes"},
            "generateSecret",
            "boolean",
        ),
        (
            "AdminCreateUser",
            {"UserPoolId": POOL, "Username": "b", "UserAttributes": [[]]},
            "userAttributes.1.member",
            "structure",
        ),
        (
            "AdminCreateUser",
            {"UserPoolId": POOL, "Username": "b", "ClientMetadata": []},
            "clientMetadata",
            "map",
        ),
        (
            "AdminCreateUser",
            {"UserPoolId": POOL, "Username": "b", "ClientMetadata": {"k": 1}},
            "clientMetadata.k",
            "string",
        ),
        ("UpdateUserPool", {"UserPoolId": POOL, "Policies": "strict"}, "policies", "structure"),
    ],
)
def test_wrong_types(idp: ServiceModel, op: str, params: dict[str, object], path: str, expected: str) -> None:
    # AWS fails deserialization before validation: a wrong JSON type is a SerializationException.
    with pytest.raises(SerializationException) as caught:
        idp.validate(op, params)
    assert caught.value.message.endswith(f"(at '{path}')")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"verificationCode": "1"}, "Start of structure or map found where not expected."),
        (["1"], "Start of list found where not expected."),
        (123456, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"),
        (True, "class java.lang.Boolean can not be converted to an String"),
    ],
)
def test_wrong_type_messages_are_cognitos(idp: ServiceModel, value: object, text: str) -> None:
    with pytest.raises(SerializationException) as caught:
        idp.validate("ConfirmSignUp", {"ClientId": CLIENT, "Username": "u", "ConfirmationCode": value})
    assert caught.value.message == f"{text} (at 'confirmationCode')"


def test_body_must_be_an_object(idp: ServiceModel) -> None:
    with pytest.raises(SerializationException):
        idp.validate("ListUserPools", [])


def test_unknown_operation(idp: ServiceModel) -> None:
    with pytest.raises(UnknownOperationException):
        idp.validate("MakeCoffee", {})


def test_passwords_may_hold_inner_spaces_but_not_outer_ones() -> None:
    model = load_service_model("cognito-idp")
    model.validate("SignUp", {"ClientId": "abc", "Username": "bob", "Password": "Correct horse 9!"})
    with pytest.raises(InvalidParameterException, match=r"\^\[\\S\]\+\.\*\[\\S\]\+\$"):
        model.validate("SignUp", {"ClientId": "abc", "Username": "bob", "Password": " Correct-horse-9"})
