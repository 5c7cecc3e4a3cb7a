"""Small helpers every e2e test of the AWS API uses: the error a call raises, attributes as a dict, and
SECRET_HASH as the Developer Guide computes it."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


def error_of(call: Callable[..., Any], **params: Any) -> tuple[str, str]:
    """(code, message) of the AWS error the call must raise."""
    with pytest.raises(ClientError) as info:
        call(**params)
    error = info.value.response["Error"]
    return error["Code"], error.get("Message", "")


def attributes(user: dict[str, Any]) -> dict[str, str]:
    """A user's attributes as a dict, from AdminGetUser/GetUser (UserAttributes) or UserType (Attributes)."""
    return {a["Name"]: a["Value"] for a in user.get("UserAttributes", user.get("Attributes", []))}


def secret_hash(secret: str, username: str, client_id: str) -> str:
    """Base64(HMAC-SHA256(client secret, username + client id))."""
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()
