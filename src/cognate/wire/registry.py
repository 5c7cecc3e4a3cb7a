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


def operation(service: str, name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if (service, name) in _HANDLERS:
            raise RuntimeError(f"{service}.{name} registered twice")
        _HANDLERS[(service, name)] = handler
        return handler

    return register


def handler_for(service: str, name: str) -> Handler | None:
    return _HANDLERS.get((service, name))


def implemented(service: str) -> list[str]:
    return sorted(name for svc, name in _HANDLERS if svc == service)
