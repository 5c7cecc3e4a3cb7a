"""User-pool schema: what build_schema makes of CreateUserPool's Schema, and the checks on attribute values
(Developer Guide, "Working with user attributes"; API reference, SchemaAttributeType)."""

from __future__ import annotations

from typing import Any

import pytest

from cognate.domain.errors import InvalidParameterException, NotAuthorizedException
from cognate.domain.userpool import schema

STANDARD = {"address", "birthdate", "email", "email_verified", "family_name", "gender", "given_name", "identities",
            "locale", "middle_name", "name", "nickname", "phone_number", "phone_number_verified", "picture",
            "preferred_username", "profile", "sub", "updated_at", "website", "zoneinfo"}


def index(requested: list[dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    return schema.schema_index(schema.build_schema(requested))


def refused(call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(InvalidParameterException) as caught:
        call(*args, **kwargs)
    return caught.value.message


# --- build_schema ------------------------------------------------------------------------------------------


def test_every_standard_attribute_exists_with_aws_defaults() -> None:
    built = index()

    assert set(built) == STANDARD
    assert built["sub"] == {"Name": "sub", "AttributeDataType": "String", "DeveloperOnlyAttribute": False,
                            "Mutable": False, "Required": True,
                            "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "2048"}}
    assert built["email"] == {"Name": "email", "AttributeDataType": "String", "DeveloperOnlyAttribute": False,
                              "Mutable": True, "Required": False,
                              "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "2048"}}
    assert built["email_verified"]["AttributeDataType"] == "Boolean"
    assert built["phone_number_verified"]["AttributeDataType"] == "Boolean"
    assert built["updated_at"]["AttributeDataType"] == "Number"
    assert built["updated_at"]["NumberAttributeConstraints"] == {"MinValue": "0"}
    assert not any(entry["Required"] for name, entry in built.items() if name != "sub")


def test_standard_attributes_can_be_required_or_immutable() -> None:
    built = index([{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": False},
                   {"Name": "given_name", "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "40"}}])

    assert (built["email"]["Required"], built["email"]["Mutable"]) == (True, False)
    assert built["given_name"]["StringAttributeConstraints"] == {"MinLength": "2", "MaxLength": "40"}


def test_a_standard_attribute_keeps_its_data_type() -> None:
    assert "email" in refused(schema.build_schema, [{"Name": "email", "AttributeDataType": "Number"}])


def test_sub_cannot_be_redefined() -> None:
    assert index([{"Name": "sub", "AttributeDataType": "String", "Mutable": True, "Required": False}])["sub"] == \
        index()["sub"]


def test_custom_attributes_are_listed_with_the_custom_prefix() -> None:
    built = index([{"Name": "plan", "AttributeDataType": "String"},
                   {"Name": "custom:tier", "AttributeDataType": "Number", "Mutable": False,
                    "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "5"}},
                   {"Name": "flag", "AttributeDataType": "Boolean"},
                   {"Name": "since", "AttributeDataType": "DateTime"}])

    assert built["custom:plan"] == {"Name": "custom:plan", "AttributeDataType": "String",
                                    "DeveloperOnlyAttribute": False, "Mutable": True, "Required": False,
                                    "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "2048"}}
    assert built["custom:tier"]["Mutable"] is False
    assert built["custom:tier"]["NumberAttributeConstraints"] == {"MinValue": "1", "MaxValue": "5"}
    assert built["custom:flag"]["AttributeDataType"] == "Boolean"
    assert built["custom:since"]["AttributeDataType"] == "DateTime"
    assert "plan" not in built and "custom:custom:tier" not in built


def test_developer_only_attributes_get_the_dev_prefix() -> None:
    built = index([{"Name": "internal", "AttributeDataType": "String", "DeveloperOnlyAttribute": True}])

    assert built["dev:custom:internal"]["DeveloperOnlyAttribute"] is True


def test_custom_attribute_refusals() -> None:
    assert refused(schema.build_schema, [{"Name": "plan", "AttributeDataType": "String", "Required": True}]) == \
        "Required custom attributes are not supported currently."
    assert refused(schema.build_schema, [{"Name": "plan"}, {"Name": "custom:plan"}]) == \
        "Existing attribute already has name custom:plan."
    refused(schema.build_schema, [{"Name": "plan", "AttributeDataType": "Text"}])
    refused(schema.build_schema, [{"AttributeDataType": "String"}])


@pytest.mark.parametrize("limits", [{"MinLength": "5", "MaxLength": "4"}, {"MaxLength": "2049"},
                                    {"MinLength": "-1"}, {"MaxLength": "many"}])
def test_string_constraints_must_be_sane(limits: dict[str, str]) -> None:
    refused(schema.build_schema, [{"Name": "plan", "AttributeDataType": "String",
                                   "StringAttributeConstraints": limits}])


# --- check_value -----------------------------------------------------------------------------------------


def test_string_lengths() -> None:
    entry = index([{"Name": "code", "AttributeDataType": "String",
                    "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "4"}}])["custom:code"]
    schema.check_value(entry, "ab")
    schema.check_value(entry, "abcd")

    assert refused(schema.check_value, entry, "abcde") == \
        "Attributes did not conform to the schema: custom:code: String must be no longer than 4 characters"
    assert refused(schema.check_value, entry, "a") == \
        "Attributes did not conform to the schema: custom:code: String must be no shorter than 2 characters"


def test_no_value_is_longer_than_2048_characters() -> None:
    entry = index()["name"]
    schema.check_value(entry, "x" * 2048)

    assert "no longer than 2048" in refused(schema.check_value, entry, "x" * 2049)


def test_numbers() -> None:
    entry = index([{"Name": "seats", "AttributeDataType": "Number",
                    "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "100"}}])["custom:seats"]
    for good in ("1", "100", "42", "2.5"):
        schema.check_value(entry, good)

    prefix = "Attributes did not conform to the schema: custom:seats: "
    assert refused(schema.check_value, entry, "0").startswith(prefix)
    assert refused(schema.check_value, entry, "101").startswith(prefix)
    assert refused(schema.check_value, entry, "many").startswith(prefix)


def test_booleans() -> None:
    entry = index()["email_verified"]
    for good in ("true", "false", "True", "FALSE"):
        schema.check_value(entry, good)

    refused(schema.check_value, entry, "yes")


@pytest.mark.parametrize("email", ["ann@example.com", "a.b+tag@sub.example.co", "x@y"])
def test_well_formed_emails(email: str) -> None:
    schema.check_value(index()["email"], email)


@pytest.mark.parametrize("email", ["ann", "ann@", "@example.com", "a b@example.com", "a@b@c", "eve,ann@example.com",
                                   "eve;ann@example.com", "Eve <ann@example.com>", 'a"b@example.com',
                                   "ann@example.com\nBcc: eve@example.com"])
def test_malformed_emails(email: str) -> None:
    assert refused(schema.check_value, index()["email"], email) == "Invalid email address format."


@pytest.mark.parametrize(("phone", "good"), [("+12065551212", True), ("+442071838750", True),
                                             ("12065551212", False), ("+1 206 555 1212", False),
                                             ("+1-206-555-1212", False), ("+", False)])
def test_phone_numbers_are_e164(phone: str, good: bool) -> None:
    if good:
        schema.check_value(index()["phone_number"], phone)
    else:
        assert refused(schema.check_value, index()["phone_number"], phone) == "Invalid phone number format."


# --- check_attributes / check_required ---------------------------------------------------------------------


def built(requested: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    return schema.build_schema(requested)


def test_unknown_and_read_only_attributes_do_not_exist_for_writers() -> None:
    for name in ("custom:nope", "sub", "identities", "nickname_verified"):
        assert refused(schema.check_attributes, built(), {name: "x"}, admin=True) == \
            f"Attributes did not conform to the schema: {name}: Attribute does not exist in the schema."


def test_developer_only_attributes_are_for_administrators() -> None:
    pool = built([{"Name": "internal", "AttributeDataType": "String", "DeveloperOnlyAttribute": True}])
    schema.check_attributes(pool, {"dev:custom:internal": "x"}, admin=True)

    refused(schema.check_attributes, pool, {"dev:custom:internal": "x"}, admin=False)


def test_write_attributes_of_the_client() -> None:
    schema.check_attributes(built(), {"email": "a@b.c", "email_verified": "true"}, admin=False,
                            writable=["email"])

    with pytest.raises(NotAuthorizedException) as caught:
        schema.check_attributes(built(), {"given_name": "Ann"}, admin=False, writable=["email"])
    assert caught.value.message == "A client attempted to write unauthorized attribute"


def test_immutable_values_cannot_change() -> None:
    pool = built([{"Name": "tenant", "AttributeDataType": "String", "Mutable": False}])
    schema.check_attributes(pool, {"custom:tenant": "acme"}, admin=True, existing={"custom:tenant": "acme"})

    message = refused(schema.check_attributes, pool, {"custom:tenant": "other"}, admin=True,
                      existing={"custom:tenant": "acme"})
    assert message.startswith("Attributes did not conform to the schema: custom:tenant:")
    assert "cannot be updated" in message


def test_required_attributes() -> None:
    pool = built([{"Name": "email", "Required": True}, {"Name": "name", "Required": True}])
    schema.check_required(pool, {"email": "a@b.c", "name": "Ann"})

    assert refused(schema.check_required, pool, {"email": "a@b.c"}) == \
        "Attributes did not conform to the schema: name: The attribute is required"
    assert refused(schema.check_required, pool, {"email": "", "name": "Ann"}) == \
        "Attributes did not conform to the schema: email: The attribute is required"


def test_readable_keeps_only_the_allowed_attributes() -> None:
    values = {"email": "a@b.c", "given_name": "Ann"}
    assert schema.readable(values, None) == values
    assert schema.readable(values, ["email"]) == {"email": "a@b.c"}
