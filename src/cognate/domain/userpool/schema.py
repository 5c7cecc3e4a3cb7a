"""User-pool schema: standard and custom attributes, and the checks on attribute values.

Rules follow the Cognito Developer Guide, "Working with user attributes": standard attributes always exist,
custom ones are declared without the ``custom:`` prefix and listed with it, custom attributes can never be
required, and values are strings of at most 2048 characters.
"""

from __future__ import annotations

import re
from typing import Any

from cognate.domain.errors import InvalidParameterException, NotAuthorizedException

_STRING = {"MinLength": "0", "MaxLength": "2048"}
STANDARD_ATTRIBUTES: dict[str, dict[str, Any]] = {
    name: {"AttributeDataType": "String", "StringAttributeConstraints": _STRING}
    for name in ("address", "birthdate", "email", "family_name", "gender", "given_name", "locale",
                 "middle_name", "name", "nickname", "phone_number", "picture", "preferred_username",
                 "profile", "website", "zoneinfo", "identities")
}
STANDARD_ATTRIBUTES["sub"] = {"AttributeDataType": "String",
                              "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "2048"},
                              "Mutable": False, "Required": True}
STANDARD_ATTRIBUTES["email_verified"] = {"AttributeDataType": "Boolean"}
STANDARD_ATTRIBUTES["phone_number_verified"] = {"AttributeDataType": "Boolean"}
STANDARD_ATTRIBUTES["updated_at"] = {"AttributeDataType": "Number", "NumberAttributeConstraints": {"MinValue": "0"}}

# Attributes users never write: Cognito keeps them itself.
READ_ONLY = {"sub", "identities"}
# One mailbox, local@domain: no whitespace, and none of the characters that would make a header hold a list,
# a group, a comment or a display name (``,;:<>()[]\"``).
EMAIL_RE = re.compile(r'^[^@\s,;:<>()\[\]\\"]+@[^@\s,;:<>()\[\]\\"]+$')
PHONE_RE = re.compile(r"^\+[0-9]{4,15}$")


def _entry(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    entry = {"Name": name, "AttributeDataType": spec["AttributeDataType"], "DeveloperOnlyAttribute": False,
             "Mutable": spec.get("Mutable", True), "Required": spec.get("Required", False)}
    for key in ("StringAttributeConstraints", "NumberAttributeConstraints"):
        if key in spec:
            entry[key] = dict(spec[key])
    return entry


def build_schema(requested: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The pool's SchemaAttributes from CreateUserPool's Schema: every standard attribute, plus custom ones."""
    schema = {name: _entry(name, spec) for name, spec in STANDARD_ATTRIBUTES.items()}
    for item in requested or []:
        name = item.get("Name", "")
        if name in STANDARD_ATTRIBUTES:
            schema[name] = _customize_standard(schema[name], item)
        else:
            custom = _custom_entry(item)
            if custom["Name"] in schema:
                raise InvalidParameterException(f"Existing attribute already has name {custom['Name']}.")
            schema[custom["Name"]] = custom
    return list(schema.values())


def _customize_standard(entry: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    dtype = item.get("AttributeDataType", entry["AttributeDataType"])
    if dtype != entry["AttributeDataType"]:
        raise InvalidParameterException(f"{entry['Name']}: Invalid AttributeDataType input, consider using the "
                                        "provided AttributeDataType enum.")
    if entry["Name"] == "sub":
        return entry
    out = dict(entry)
    out["Mutable"] = item.get("Mutable", entry["Mutable"])
    out["Required"] = item.get("Required", entry["Required"])
    if item.get("DeveloperOnlyAttribute"):
        raise InvalidParameterException("DeveloperOnlyAttribute is not supported for standard attributes.")
    if "StringAttributeConstraints" in item and dtype == "String":
        out["StringAttributeConstraints"] = _string_constraints(item["StringAttributeConstraints"])
    return out


def _custom_entry(item: dict[str, Any]) -> dict[str, Any]:
    raw_name = item.get("Name")
    if not raw_name:
        raise InvalidParameterException("Schema attribute name is required.")
    if item.get("Required"):
        raise InvalidParameterException("Required custom attributes are not supported currently.")
    dtype = item.get("AttributeDataType", "String")
    if dtype not in ("String", "Number", "DateTime", "Boolean"):
        raise InvalidParameterException(f"Invalid AttributeDataType {dtype}.")
    prefix = "dev:custom:" if item.get("DeveloperOnlyAttribute") else "custom:"
    entry: dict[str, Any] = {"Name": prefix + raw_name.removeprefix("custom:"), "AttributeDataType": dtype,
                             "DeveloperOnlyAttribute": bool(item.get("DeveloperOnlyAttribute", False)),
                             "Mutable": item.get("Mutable", True), "Required": False}
    if dtype == "String":
        entry["StringAttributeConstraints"] = _string_constraints(item.get("StringAttributeConstraints", {}))
    elif dtype == "Number":
        entry["NumberAttributeConstraints"] = {k: v for k, v in item.get("NumberAttributeConstraints", {}).items()}
    return entry


def _string_constraints(given: dict[str, str]) -> dict[str, str]:
    out = {"MinLength": given.get("MinLength", "0"), "MaxLength": given.get("MaxLength", "2048")}
    try:
        low, high = int(out["MinLength"]), int(out["MaxLength"])
    except ValueError as exc:
        raise InvalidParameterException("StringAttributeConstraints must hold integers.") from exc
    if not 0 <= low <= high <= 2048:
        raise InvalidParameterException("Invalid StringAttributeConstraints: 0 <= MinLength <= MaxLength <= 2048.")
    return out


def schema_index(schema: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {entry["Name"]: entry for entry in schema}


def _conform_error(name: str, problem: str) -> InvalidParameterException:
    return InvalidParameterException(f"Attributes did not conform to the schema: {name}: {problem}")


def check_value(entry: dict[str, Any], value: str) -> None:
    """One attribute value against its schema entry."""
    name, dtype = entry["Name"], entry["AttributeDataType"]
    if len(value) > 2048:
        raise _conform_error(name, "String must be no longer than 2048 characters")
    if dtype == "String":
        limits = entry.get("StringAttributeConstraints", _STRING)
        if len(value) > int(limits.get("MaxLength", 2048)):
            raise _conform_error(name, f"String must be no longer than {limits['MaxLength']} characters")
        if len(value) < int(limits.get("MinLength", 0)):
            raise _conform_error(name, f"String must be no shorter than {limits['MinLength']} characters")
    elif dtype == "Number":
        _check_number(entry, value)
    elif dtype == "Boolean" and value.lower() not in ("true", "false"):
        raise _conform_error(name, "Attribute value must be true or false")
    if name == "email" and value and not EMAIL_RE.match(value):
        raise InvalidParameterException("Invalid email address format.")
    if name == "phone_number" and value and not PHONE_RE.match(value):
        raise InvalidParameterException("Invalid phone number format.")


def _check_number(entry: dict[str, Any], value: str) -> None:
    name = entry["Name"]
    try:
        number = float(value)
    except ValueError as exc:
        raise _conform_error(name, "Number must be a valid number") from exc
    limits = entry.get("NumberAttributeConstraints", {})
    if "MinValue" in limits and number < float(limits["MinValue"]):
        raise _conform_error(name, f"Number must be no less than {limits['MinValue']}")
    if "MaxValue" in limits and number > float(limits["MaxValue"]):
        raise _conform_error(name, f"Number must be no greater than {limits['MaxValue']}")


def check_attributes(schema: list[dict[str, Any]], attributes: dict[str, str], *, admin: bool,
                     writable: list[str] | None = None, existing: dict[str, str] | None = None) -> None:
    """Values written by a caller: known to the schema, of the right shape, mutable, and writable.

    ``writable`` is the app client's WriteAttributes (None: every attribute). Updating an immutable
    attribute that already has a value is refused; setting it for the first time is allowed.
    """
    index = schema_index(schema)
    for name, value in attributes.items():
        entry = index.get(name)
        if entry is None or name in READ_ONLY or (name.startswith("dev:") and not admin):
            raise _conform_error(name, "Attribute does not exist in the schema.")
        if writable is not None and name not in writable and not name.endswith("_verified"):
            raise NotAuthorizedException("A client attempted to write unauthorized attribute")
        if existing is not None and not entry["Mutable"] and name in existing and existing[name] != value:
            raise _conform_error(name, "Attribute cannot be updated. (changing an immutable attribute)")
        check_value(entry, value)


def check_removable(schema: list[dict[str, Any]], name: str, *, admin: bool) -> None:
    """DeleteUserAttributes / AdminDeleteUserAttributes: the attribute exists, and is neither required nor
    immutable (developer-only attributes exist for administrators alone)."""
    entry = schema_index(schema).get(name)
    if entry is None or name in READ_ONLY or (name.startswith("dev:") and not admin):
        raise _conform_error(name, "Attribute does not exist in the schema.")
    if entry["Required"]:
        raise _conform_error(name, "The attribute is required")
    if not entry["Mutable"]:
        raise _conform_error(name, "Attribute cannot be updated. (changing an immutable attribute)")


def check_required(schema: list[dict[str, Any]], attributes: dict[str, str]) -> None:
    for entry in schema:
        if entry["Required"] and entry["Name"] != "sub" and not attributes.get(entry["Name"]):
            raise _conform_error(entry["Name"], "The attribute is required")


def readable(attributes: dict[str, str], allowed: list[str] | None) -> dict[str, str]:
    if allowed is None:
        return attributes
    return {k: v for k, v in attributes.items() if k in allowed}
