"""Password policy vectors (Developer Guide, "Adding user pool password requirements"): each rule alone,
every documented symbol, and the space rule (a space counts as a symbol unless it leads or trails)."""

from __future__ import annotations

import pytest

from cognate.domain.errors import InvalidPasswordException
from cognate.domain.userpool import policy

STRICT = policy.normalize({"MinimumLength": 10})
NOTHING = {"MinimumLength": 6, "RequireUppercase": False, "RequireLowercase": False, "RequireNumbers": False,
           "RequireSymbols": False}
DOCUMENTED_SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-"


def problem(rules: dict[str, object], password: str) -> str:
    with pytest.raises(InvalidPasswordException) as caught:
        policy.check(rules, password)
    prefix = "Password did not conform with policy: "
    assert caught.value.message.startswith(prefix)
    assert caught.value.aws_type == "InvalidPasswordException"
    return caught.value.message.removeprefix(prefix)


def test_defaults_are_cognitos() -> None:
    assert policy.normalize(None) == {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                                      "RequireNumbers": True, "RequireSymbols": True,
                                      "TemporaryPasswordValidityDays": 7}
    assert policy.normalize({"MinimumLength": 12})["MinimumLength"] == 12
    assert policy.normalize({"RequireSymbols": False})["RequireUppercase"] is True


def test_a_password_meeting_every_rule_passes() -> None:
    policy.check(STRICT, "Abcdefgh1!")
    policy.check(policy.normalize(None), "Passw0rd!")


@pytest.mark.parametrize(("password", "expected"), [
    ("Abcdef1!x", "Password not long enough"),
    ("ABCDEFGH1!", "Password must have lowercase characters"),
    ("abcdefgh1!", "Password must have uppercase characters"),
    ("Abcdefghi!", "Password must have numeric characters"),
    ("Abcdefghi1", "Password must have symbol characters"),
])
def test_each_rule_alone(password: str, expected: str) -> None:
    assert problem(STRICT, password) == expected


def test_length_counts_characters_not_bytes() -> None:
    policy.check({**STRICT, "MinimumLength": 10}, "Äbcdefgh1!")
    assert problem({**NOTHING, "MinimumLength": 7}, "éééééé") == "Password not long enough"


def test_minimum_length_is_inclusive() -> None:
    policy.check({**NOTHING, "MinimumLength": 6}, "abcdef")
    assert problem({**NOTHING, "MinimumLength": 7}, "abcdef") == "Password not long enough"


def test_rules_switched_off_are_not_enforced() -> None:
    policy.check(NOTHING, "aaaaaa")
    policy.check(NOTHING, "123456")
    policy.check(NOTHING, "!!!!!!")


@pytest.mark.parametrize("symbol", list(DOCUMENTED_SYMBOLS))
def test_every_documented_symbol_counts(symbol: str) -> None:
    policy.check(STRICT, f"Abcdefgh1{symbol}")


@pytest.mark.parametrize("letter", ["§", "€", "é", "\u00d7"])
def test_other_characters_are_not_symbols(letter: str) -> None:
    assert problem(STRICT, f"Abcdefgh1{letter}") == "Password must have symbol characters"


def test_an_inner_space_counts_as_a_symbol() -> None:
    policy.check(STRICT, "Abcd efgh1")


def test_a_leading_or_trailing_space_is_refused_and_is_no_symbol() -> None:
    relaxed = {**STRICT, "RequireSymbols": False}
    assert problem(relaxed, " Abcdefgh1")
    assert problem(relaxed, "Abcdefgh1 ")
    assert problem(STRICT, "Abcdefgh12 ") == "Password must have symbol characters"


def test_the_first_broken_rule_is_reported() -> None:
    assert problem(STRICT, "abc") == "Password not long enough"
    assert problem(STRICT, "abcdefghij") == "Password must have uppercase characters"
