"""Which AWS operations Cognate implements: one table, filled by ``@operation`` in ``api/``.

Operations of a service model that have no handler are refused by name (``NotImplementedOperation``),
and ``cognate coverage`` prints this table against the models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cognate.domain.context import Deps

Params = dict[str, Any]


@dataclass(frozen=True)
class RequestContext:
    deps: Deps
    region: str
    request_id: str
    access_key_id: str | None = None


Handler = Callable[[RequestContext, Params], Params]
_HANDLERS: dict[tuple[str, str], Handler] = {}
_LIGHT: set[tuple[str, str]] = set()


def operation(service: str, name: str, *, light: bool = False) -> Callable[[Handler], Handler]:
    """``light``: the operation only reads the store and does no slow work (no password hashing, no SRP), so
    it may run on the server's event loop where reads never wait (SQLite), sparing it a thread hop that
    costs more than the operation itself."""

    def register(handler: Handler) -> Handler:
        if (service, name) in _HANDLERS:
            raise RuntimeError(f"{service}.{name} registered twice")
        _HANDLERS[(service, name)] = handler
        if light:
            _LIGHT.add((service, name))
        return handler

    return register


def handler_for(service: str, name: str) -> Handler | None:
    return _HANDLERS.get((service, name))


def is_light(service: str, name: str) -> bool:
    return (service, name) in _LIGHT


def implemented(service: str) -> list[str]:
    return sorted(name for svc, name in _HANDLERS if svc == service)
