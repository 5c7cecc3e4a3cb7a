"""Identifiers shaped like AWS's, so SDK-side validation accepts them (DESIGN.md, house rules)."""

from __future__ import annotations

import secrets
import string
import uuid

_ALNUM = string.ascii_letters + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits


def _random(alphabet: str, size: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(size))


def user_pool_id(region: str) -> str:
    """``us-east-1_AbCdEfGhI``: the region, an underscore, nine letters and digits."""
    return f"{region}_{_random(_ALNUM, 9)}"


def client_id() -> str:
    """26 lower-case letters and digits, as Cognito's app client ids."""
    return _random(_LOWER_ALNUM, 26)


def client_secret() -> str:
    """51 characters of [a-z0-9], within ClientSecretType's 24-64."""
    return _random(_LOWER_ALNUM, 51)


def sub() -> str:
    return str(uuid.uuid4())


def job_id() -> str:
    """``import-`` and 10 characters, as Cognito's user import job ids."""
    return "import-" + _random(_ALNUM, 10)


def access_key_id(prefix: str = "AKIA") -> str:
    return prefix + _random(string.ascii_uppercase + string.digits, 16)


def secret_access_key() -> str:
    return _random(_ALNUM + "+/", 40)


def request_id() -> str:
    return str(uuid.uuid4())
