"""Password policy (Cognito Developer Guide, "Adding user pool password requirements")."""

from __future__ import annotations

from typing import Any

from cognate.domain.errors import InvalidPasswordException

# The special characters Cognito counts as symbols; a space counts too when it is neither first nor last.
SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-")

DEFAULT_POLICY: dict[str, Any] = {
    "MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True,
    "RequireSymbols": True, "TemporaryPasswordValidityDays": 7,
}


def normalize(policy: dict[str, Any] | None) -> dict[str, Any]:
    out = dict(DEFAULT_POLICY)
    out.update(policy or {})
    return out


def check(policy: dict[str, Any], password: str) -> None:
    """Raise InvalidPasswordException with Cognito's message for the first rule the password breaks."""
    problems = []
    if len(password) < int(policy.get("MinimumLength", 8)):
        problems.append("Password not long enough")
    if policy.get("RequireLowercase") and not any(c.islower() for c in password):
        problems.append("Password must have lowercase characters")
    if policy.get("RequireUppercase") and not any(c.isupper() for c in password):
        problems.append("Password must have uppercase characters")
    if policy.get("RequireNumbers") and not any(c.isdigit() for c in password):
        problems.append("Password must have numeric characters")
    if policy.get("RequireSymbols") and not _has_symbol(password):
        problems.append("Password must have symbol characters")
    if password != password.strip():
        problems.append("Password cannot begin or end with a space")
    if problems:
        raise InvalidPasswordException("Password did not conform with policy: " + problems[0])


def _has_symbol(password: str) -> bool:
    return any(c in SYMBOLS for c in password) or " " in password.strip()
