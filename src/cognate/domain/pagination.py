"""Opaque pagination tokens: the position of the last item, bound to the listing that produced it."""

from __future__ import annotations

import base64
import json
from typing import Any

from cognate.domain.errors import InvalidParameterException


def encode(position: Any, listing: str) -> str:
    raw = json.dumps([listing, position], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str, listing: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        kind, position = json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise InvalidParameterException("Invalid pagination token.") from exc
    if kind != listing:
        raise InvalidParameterException("Invalid pagination token.")
    return position
