"""Injectable time, so tests and domain rules never read the wall clock directly."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)
