"""What every domain service needs, injected once by the composition root (``app.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from cognate.clock import Clock
from cognate.domain.auth.passwords import Passwords
from cognate.domain.secretbox import SecretBox
from cognate.domain.userpool.model import OutboxMessage
from cognate.store.ports import Store, UnitOfWork


class Messenger(Protocol):
    """Delivers a message: a real transport when configured, else the outbox in the same transaction."""

    def send(self, uow: UnitOfWork, message: OutboxMessage) -> None: ...


@dataclass(frozen=True)
class Deps:
    store: Store
    clock: Clock
    box: SecretBox
    passwords: Passwords
    messenger: Messenger
    account_id: str
    public_url: str
    code_max_attempts: int = 5
