"""Request validation driven by botocore's service models, in one place.

AWS JSON services validate every request against the operation's input shape before any business rule
runs, and answer violations with one ``InvalidParameterException`` (Cognito's name for Coral's
``ValidationException``) whose message aggregates all of them:

    1 validation error detected: Value 'abc' at 'userPoolId' failed to satisfy constraint:
    Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+

The constraints (``required``, ``min``/``max``, ``pattern``, ``enum``, ``sensitive``) are Smithy traits,
documented at https://smithy.io/2.0/spec/constraint-traits.html and shipped in botocore's
``service-2.json`` models. Message wording follows what Cognito answers (see the "Common Errors" page
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/CommonErrors.html and the
per-operation "Errors" sections).
"""

from __future__ import annotations

import base64
import binascii
import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, Final

from botocore.loaders import Loader
from botocore.model import OperationModel, Shape
from botocore.model import ServiceModel as _BotocoreServiceModel

from cognate.domain.errors import (
    ClientError,
    InvalidParameterException,
    SerializationException,
    UnknownOperationException,
)

_ECHO_LIMIT: Final = 200
_REDACTED: Final = "***Sensitive Data Redacted***"
_SCALARS: Final = frozenset({"string", "integer", "long", "boolean", "double", "float", "timestamp", "blob"})

# ---------------------------------------------------------------------------------------------------------
# Model loading
# ---------------------------------------------------------------------------------------------------------


@functools.cache
def _load_raw(service_name: str) -> dict[str, Any]:
    """The raw ``service-2`` model of the installed botocore (newest API version it ships)."""
    raw: dict[str, Any] = Loader().load_service_model(service_name, "service-2")
    return raw


@functools.cache
def load_service_model(service_name: str) -> ServiceModel:
    """One shared, cached ``ServiceModel`` per botocore service name (``"cognito-idp"``, ...)."""
    return ServiceModel(service_name)


class ServiceModel:
    """A botocore service model seen from the server side: operations, auth markers and validation."""

    def __init__(self, service_name: str) -> None:
        self.service_name = service_name
        self._raw = _load_raw(service_name)
        self._model = _BotocoreServiceModel(self._raw, service_name=service_name)
        metadata: dict[str, Any] = self._raw["metadata"]
        self.api_version: str = metadata["apiVersion"]
        self.protocol: str = metadata["protocol"]
        # Only JSON services have a target prefix (the part before "." in X-Amz-Target).
        self.target_prefix: str | None = metadata.get("targetPrefix")

    def operation_names(self) -> list[str]:
        """Every operation of the model, in model order."""
        return list(self._raw["operations"])

    def has_operation(self, name: str) -> bool:
        return name in self._raw["operations"]

    def is_unsigned(self, name: str) -> bool:
        """True for the public operations SDKs send without SigV4.

        Smithy's ``@optionalAuth``/``@auth([])`` become ``"authtype": "none"`` (legacy key) and
        ``"auth": ["smithy.api#noAuth"]`` (Smithy auth-scheme resolution) in botocore's JSON; either marks
        the operation as callable without a signature.
        """
        op: dict[str, Any] = self._raw["operations"][name]
        return op.get("authtype") == "none" or "smithy.api#noAuth" in op.get("auth", ())

    def patterns(self) -> Iterator[str]:
        """Every distinct ``pattern`` of the model (tests check that they all translate)."""
        seen: set[str] = set()
        for shape in self._raw["shapes"].values():
            pattern = shape.get("pattern")
            if pattern is not None and pattern not in seen:
                seen.add(pattern)
                yield pattern

    def operation_model(self, name: str) -> OperationModel:
        if not self.has_operation(name):
            raise UnknownOperationException(f"Unknown operation {name}")
        return self._model.operation_model(name)

    def input_shape(self, name: str) -> Shape | None:
        """The botocore input shape of an operation (``None`` if the operation takes no input)."""
        return self.operation_model(name).input_shape

    def input_members(self, name: str) -> dict[str, Shape]:
        """Top-level input members (PascalCase wire names) and their botocore shapes."""
        shape = self.input_shape(name)
        return {} if shape is None else dict(shape.members)

    def required_members(self, name: str) -> list[str]:
        """Top-level required input members (PascalCase wire names)."""
        shape = self.input_shape(name)
        return [] if shape is None else list(shape.required_members)

    def validate(self, op_name: str, params: object) -> None:
        """Validate a decoded JSON request body against the operation's input shape.

        Raises ``SerializationException`` if the body is not a JSON object or for a member of the wrong JSON
        type (the first one found: AWS fails deserialization before it validates), ``InvalidParameterException``
        for constraint violations (all of them, aggregated as AWS does).
        """
        shape = self.input_shape(op_name)
        if not isinstance(params, dict):
            raise SerializationException("The request body must be a JSON object.")
        if shape is None:
            return
        violations: list[str] = []
        _check_structure(shape, params, "", violations)
        if violations:
            raise InvalidParameterException(_summary(violations))


# ---------------------------------------------------------------------------------------------------------
# The walk
# ---------------------------------------------------------------------------------------------------------


def _summary(violations: list[str]) -> str:
    count = len(violations)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(violations)


def _camel(name: str) -> str:
    """Coral names members by their Java property name: the wire name with a lower-case first letter."""
    return name[:1].lower() + name[1:]


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _violation(shape: Shape, value: object, path: str, constraint: str) -> str:
    """One clause of the message; sensitive values are left out entirely (``Value at 'password'``)."""
    if _is_sensitive(shape):
        return f"Value at '{path}' failed to satisfy constraint: {constraint}"
    return f"Value '{_echo(shape, value)}' at '{path}' failed to satisfy constraint: {constraint}"


def _null(path: str) -> str:
    return f"Value null at '{path}' failed to satisfy constraint: Member must not be null"


def _check(shape: Shape, value: object, path: str, out: list[str]) -> None:
    """Type-check ``value`` against ``shape`` then collect its constraint violations into ``out``."""
    kind: str = shape.type_name
    if kind == "structure":
        _check_structure(shape, value, path, out)
    elif kind == "list":
        _check_list(shape, value, path, out)
    elif kind == "map":
        _check_map(shape, value, path, out)
    else:
        _require_scalar_type(shape, value, path)
        out.extend(_violation(shape, value, path, c) for c in _scalar_violations(shape, value))


def without_nulls(value: Any) -> Any:
    """The request with JSON nulls inside objects removed: AWS's deserializer reads a null member or map value
    as absent (amazon-cognito-identity-js retries RespondToAuthChallenge with ``"DEVICE_KEY": null`` once a
    device is forgotten). Nulls in lists stay, and fail validation as they do at AWS."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def _check_structure(shape: Shape, value: object, path: str, out: list[str]) -> None:
    if shape.metadata.get("document"):
        return  # a Smithy document is any JSON value
    if not isinstance(value, dict):
        raise _type_error(path, "structure", value)
    required = set(shape.required_members)
    for name, member in shape.members.items():
        child = _join(path, _camel(name))
        member_value = value.get(name)
        # JSON null and absence are the same thing to AWS's deserializer.
        if member_value is None:
            if name in required:
                out.append(_null(child))
            continue
        _check(member, member_value, child, out)
    # Unknown members are ignored, as AWS does (clients built from newer models may send them).


def _check_list(shape: Shape, value: object, path: str, out: list[str]) -> None:
    if not isinstance(value, list):
        raise _type_error(path, "list", value)
    out.extend(_violation(shape, value, path, c) for c in _length_violations(shape, len(value)))
    member: Shape = shape.member
    if member.type_name in _SCALARS:
        # Coral reports scalar elements once, on the list: "Member must satisfy constraint: [...]".
        for index, item in enumerate(value, start=1):
            if item is not None:
                _require_scalar_type(member, item, f"{path}.{index}.member")
        if _any_scalar_fails(member, value):
            out.append(_violation(shape, value, path, f"Member must satisfy constraint: {_rules(member)}"))
        return
    for index, item in enumerate(value, start=1):
        child = f"{path}.{index}.member"
        if item is None:
            out.append(_null(child))
        else:
            _check(member, item, child, out)


def _check_map(shape: Shape, value: object, path: str, out: list[str]) -> None:
    if not isinstance(value, dict):
        raise _type_error(path, "map", value)
    out.extend(_violation(shape, value, path, c) for c in _length_violations(shape, len(value)))
    key_shape: Shape = shape.key
    if _any_scalar_fails(key_shape, list(value)):
        out.append(_violation(shape, value, path, f"Map keys must satisfy constraint: {_rules(key_shape)}"))
    value_shape: Shape = shape.value
    if value_shape.type_name in _SCALARS:
        for key, item in value.items():
            if item is not None:
                _require_scalar_type(value_shape, item, _join(path, str(key)))
        if _any_scalar_fails(value_shape, list(value.values())):
            rules = _rules(value_shape)
            out.append(_violation(shape, value, path, f"Map value must satisfy constraint: {rules}"))
        return
    for key, item in value.items():
        if item is not None:
            _check(value_shape, item, _join(path, str(key)), out)


def _any_scalar_fails(shape: Shape, items: list[Any]) -> bool:
    return any(item is None or _scalar_violations(shape, item) for item in items)


def _rules(shape: Shape) -> str:
    """All constraints of an element shape, as Coral lists them when an element of a collection fails."""
    rules: list[str] = []
    meta: Mapping[str, Any] = shape.metadata
    if shape.type_name in ("string", "blob"):
        rules.extend(_bound_messages(meta, "length"))
    elif shape.type_name in ("integer", "long", "double", "float"):
        rules.extend(_bound_messages(meta, "value"))
    if "pattern" in meta:
        rules.append(f"Member must satisfy regular expression pattern: {meta['pattern']}")
    if "enum" in meta:
        rules.append(_enum_message(meta["enum"]))
    return "[" + ", ".join(rules or ["Member must not be null"]) + "]"


def _bound_messages(meta: Mapping[str, Any], what: str) -> list[str]:
    rules = []
    if "max" in meta:
        rules.append(f"Member must have {what} less than or equal to {_number(meta['max'])}")
    if "min" in meta:
        rules.append(f"Member must have {what} greater than or equal to {_number(meta['min'])}")
    return rules


def _enum_message(values: list[str]) -> str:
    return "Member must satisfy enum value set: [" + ", ".join(values) + "]"


# ---------------------------------------------------------------------------------------------------------
# Scalars
# ---------------------------------------------------------------------------------------------------------


# What Coral's JSON deserializer calls the Java type behind each model type and each JSON value.
_JAVA_TARGETS: Final = {"string": "String", "integer": "Integer", "long": "Long", "boolean": "Boolean",
                        "double": "Double", "float": "Float", "timestamp": "Date", "blob": "ByteBuffer",
                        "structure": "Structure", "list": "List", "map": "Map"}
_NUMBER_CLASS: Final = "com.amazon.coral.value.json.numbers.TruncatingBigNumber"


def _type_error(path: str, expected: str, value: object) -> ClientError:
    """A JSON value of the wrong type: AWS fails deserialization (SerializationException), before validation.

    Cognito's wording, e.g. ``Start of structure or map found where not expected.`` for an object given for a
    string, ``class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String``
    for a number (issue reports of both: amazon-cognito-identity-js#485, pmill/aws-cognito#10).
    The member's path follows, which AWS leaves out, so that a caller can find it.
    """
    if isinstance(value, dict):
        text = "Start of structure or map found where not expected."
    elif isinstance(value, list):
        text = "Start of list found where not expected."
    else:
        source = ("java.lang.Boolean" if isinstance(value, bool) else _NUMBER_CLASS if isinstance(value, int | float)
                  else "java.lang.String")
        text = f"class {source} can not be converted to an {_JAVA_TARGETS.get(expected, expected)}"
    return SerializationException(f"{text} (at '{path or 'body'}')")


def _require_scalar_type(shape: Shape, value: object, path: str) -> None:
    """Refuse a JSON value that cannot be deserialized into the scalar shape (AWS JSON 1.1 types)."""
    kind: str = shape.type_name
    if not _TYPE_CHECKS.get(kind, _is_anything)(value):
        raise _type_error(path, kind, value)


def _is_int(value: object) -> bool:
    # bool is a subclass of int in Python, but JSON true is not a number.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return _is_int(value) or isinstance(value, float)


def _is_timestamp(value: object) -> bool:
    """JSON protocol timestamps are epoch seconds; ISO 8601 strings are accepted too, leniently."""
    if _is_number(value):
        return True
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_blob(value: object) -> bool:
    """Blobs travel as base64 strings in AWS JSON."""
    if not isinstance(value, str):
        return False
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _is_anything(value: object) -> bool:
    return True


_TYPE_CHECKS: Final[dict[str, Callable[[object], bool]]] = {
    "string": lambda v: isinstance(v, str),
    "integer": _is_int,
    "long": _is_int,
    "boolean": lambda v: isinstance(v, bool),
    "double": _is_number,
    "float": _is_number,
    "timestamp": _is_timestamp,
    "blob": _is_blob,
}


# Where the service checks a different pattern than the published model says. Passwords: the Developer Guide
# allows inner spaces (a space counts as a symbol unless leading or trailing) and Cognito's validation message
# for PasswordType names this pattern, while botocore's model still carries ``[\S]+``.
SERVICE_PATTERNS: Final = {"PasswordType": r"^[\S]+.*[\S]+$"}


def _scalar_violations(shape: Shape, value: object) -> list[str]:
    """Constraint clauses a well-typed scalar violates: length, range, pattern, enum (Cognito's order)."""
    meta: Mapping[str, Any] = shape.metadata
    kind: str = shape.type_name
    if kind == "string" and isinstance(value, str):
        return _string_violations(meta, value, SERVICE_PATTERNS.get(shape.name))
    if kind == "blob" and isinstance(value, str):
        return _bounds(meta, len(base64.b64decode(value)), "length")
    if kind in ("integer", "long", "double", "float") and isinstance(value, int | float):
        return _bounds(meta, value, "value")
    return []


def _string_violations(meta: Mapping[str, Any], value: str, override: str | None = None) -> list[str]:
    found = _bounds(meta, len(value), "length")
    pattern = override or meta.get("pattern")
    if pattern is not None:
        compiled = java_pattern(pattern)
        # A pattern we could not translate is skipped rather than guessed: refusing valid input is worse.
        if compiled is not None and compiled.fullmatch(value) is None:
            found.append(f"Member must satisfy regular expression pattern: {pattern}")
    enum = meta.get("enum")
    if enum is not None and value not in enum:
        found.append(_enum_message(enum))
    return found


def _bounds(meta: Mapping[str, Any], measure: float, what: str) -> list[str]:
    """Smithy ``@length`` (strings, blobs, lists, maps) and ``@range`` (numbers) are both min/max."""
    lower, upper = meta.get("min"), meta.get("max")
    if upper is not None and measure > upper:
        return [f"Member must have {what} less than or equal to {_number(upper)}"]
    if lower is not None and measure < lower:
        return [f"Member must have {what} greater than or equal to {_number(lower)}"]
    return []


def _length_violations(shape: Shape, count: int) -> list[str]:
    return _bounds(shape.metadata, count, "length")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# ---------------------------------------------------------------------------------------------------------
# Echoing values the way Coral does (Java toString), never echoing secrets
# ---------------------------------------------------------------------------------------------------------


def _is_sensitive(shape: Shape) -> bool:
    return bool(shape.metadata.get("sensitive"))


def _echo(shape: Shape, value: object) -> str:
    return _render(shape, value)[:_ECHO_LIMIT]


def _render(shape: Shape | None, value: object) -> str:
    """Render like Java's ``toString``: lists ``[a, b]``, maps ``{k=v}``, structures ``{Name: v,...}``."""
    if shape is not None and _is_sensitive(shape):
        return _REDACTED
    kind = None if shape is None else shape.type_name
    if isinstance(value, list):
        member = shape.member if kind == "list" and shape is not None else None
        return "[" + ", ".join(_render(member, item) for item in value) + "]"
    if isinstance(value, dict):
        return _render_dict(shape, kind, value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def _render_dict(shape: Shape | None, kind: str | None, value: dict[Any, Any]) -> str:
    if kind == "structure" and shape is not None:
        members: Mapping[str, Shape] = shape.members
        parts = (f"{k}: {_render(members.get(k), v)}" for k, v in value.items() if v is not None)
        return "{" + ",".join(parts) + "}"
    item_shape = shape.value if kind == "map" and shape is not None else None
    return "{" + ", ".join(f"{k}={_render(item_shape, v)}" for k, v in value.items()) + "}"


# ---------------------------------------------------------------------------------------------------------
# Java regular expressions in Python
# ---------------------------------------------------------------------------------------------------------

# Java's \p{X} general categories as the Unicode categories Python's unicodedata reports.
_MAJOR_CATEGORIES: Final = "LMNPSZC"


@functools.cache
def _category_ranges() -> dict[str, list[tuple[int, int]]]:
    """Code point ranges of every one- and two-letter Unicode general category (one pass, once)."""
    ranges: dict[str, list[tuple[int, int]]] = {}
    runs = itertools.groupby(range(0x110000), key=lambda code: unicodedata.category(chr(code)))
    for category, codes in runs:
        first = next(codes)
        last = first + sum(1 for _ in codes)  # a run of code points is contiguous
        _add_span(ranges.setdefault(category, []), first, last)
        _add_span(ranges.setdefault(category[0], []), first, last)
    return ranges


def _add_span(spans: list[tuple[int, int]], first: int, last: int) -> None:
    # Adjacent runs of two sub-categories (Lu then Ll) merge into one span of the major category.
    if spans and spans[-1][1] == first - 1:
        spans[-1] = (spans[-1][0], last)
    else:
        spans.append((first, last))


def _class_body(category: str) -> str:
    """The inside of a character class matching one Unicode general category."""
    spans = _category_ranges().get(category)
    if spans is None:
        raise re.error(f"unknown Unicode category {category}")
    return "".join(f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in spans)


def _property_at(pattern: str, index: int) -> tuple[str, bool, int]:
    """Parse ``\\p{L}``/``\\pL``/``\\P{L}`` starting at ``index``: (category, negated, next index)."""
    negated = pattern[index + 1] == "P"
    start = index + 2
    if pattern.startswith("{", start):
        end = pattern.index("}", start)
        name = pattern[start + 1 : end]
        name = name.removeprefix("Is").removeprefix("general_category=").removeprefix("gc=")
        return name, negated, end + 1
    return pattern[start : start + 1], negated, start + 1


def _translate(pattern: str) -> str:
    """Translate the Java-only constructs of AWS models (``\\p{..}`` classes) to Python ``re`` syntax."""
    out: list[str] = []
    index, in_class = 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            if pattern[index + 1] in "pP":
                category, negated, index = _property_at(pattern, index)
                body = _class_body(category)
                if in_class and negated:
                    raise re.error("negated property inside a character class")
                out.append(body if in_class else f"[{'^' if negated else ''}{body}]")
                continue
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            # A ']' right after '[' or '[^' is a literal in both dialects.
            out.append(char)
            index += 1
            if pattern.startswith("^", index):
                out.append("^")
                index += 1
            if pattern.startswith("]", index):
                out.append("\\]")
                index += 1
            continue
        if char == "]" and in_class:
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)


@functools.cache
def java_pattern(pattern: str) -> re.Pattern[str] | None:
    """Compile a model ``pattern`` (a Java regex) for ``fullmatch``, or ``None`` if it cannot be translated.

    ``re.ASCII`` because Java's ``\\w``, ``\\d``, ``\\s`` and ``\\b`` are ASCII-only unless
    ``UNICODE_CHARACTER_CLASS`` is set, which AWS does not do (the models spell Unicode out as ``\\p{L}``).
    """
    try:
        return re.compile(_translate(pattern), re.ASCII)
    except (re.error, ValueError, IndexError):
        return None
