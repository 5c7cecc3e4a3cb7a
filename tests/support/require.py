"""One rule for optional test dependencies (PostgreSQL, Chromium, Redis, ...).

Locally a missing dependency skips the test with a reason. With `COGNATE_REQUIRE_ALL=1` (set by
`.ci/run`) it fails instead, so CI can never go green by skipping."""

from __future__ import annotations

import os

import pytest

REQUIRE_ALL_ENV = "COGNATE_REQUIRE_ALL"


def require_all() -> bool:
    """True when every optional dependency must be present (`COGNATE_REQUIRE_ALL=1`)."""
    return os.environ.get(REQUIRE_ALL_ENV, "").strip().lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Return if `condition` holds; otherwise skip with `reason`, or fail under COGNATE_REQUIRE_ALL=1."""
    if condition:
        return
    if require_all():
        pytest.fail(f"{reason} ({REQUIRE_ALL_ENV}=1: required, not skipped)", pytrace=False)
    pytest.skip(reason)
