"""The AWS JSON 1.1 protocol (api-surface.md §1.1): dispatch on ``X-Amz-Target``, SigV4 for the
operations AWS signs, validation from botocore's model, and the one mapping of errors to the wire.

Order as AWS applies it: the operation is resolved, the caller authenticated, then the body parsed and
validated, then the handler runs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cognate.domain.context import Deps
from cognate.domain.errors import (
    CognateError,
    InternalErrorException,
    InvalidParameterException,
    NotImplementedOperation,
    SerializationException,
    UnknownOperationException,
    UnrecognizedClientException,
)
from cognate.ids import request_id as new_request_id
from cognate.wire import sigv4
from cognate.wire.http import HttpRequest, HttpResponse
from cognate.wire.registry import RequestContext, handler_for, is_light
from cognate.wire.shapes import ServiceModel, load_service_model, without_nulls

log = logging.getLogger("cognate.wire")
CONTENT_TYPE = "application/x-amz-json-1.1"


@dataclass(frozen=True)
class JsonService:
    """One AWS JSON service: its model, its SigV4 service name, and who may sign for it."""

    name: str
    model: ServiceModel
    secret_for: Callable[[str], str | None]

    @classmethod
    def of(cls, name: str, secret_for: Callable[[str], str | None]) -> JsonService:
        return cls(name, load_service_model(name), secret_for)


class AwsJsonProtocol:
    def __init__(self, deps: Deps, services: list[JsonService], default_region: str, *,
                 inline_light: bool = False) -> None:
        self.deps = deps
        self.by_prefix = {s.model.target_prefix: s for s in services}
        self.default_region = default_region
        self.inline_light = inline_light

    def runs_inline(self, request: HttpRequest) -> bool:
        """Whether ``handle`` may run on the caller's event loop: a light operation (registry.py) over a store
        whose reads never wait. Anything else goes to a worker thread."""
        if not self.inline_light:
            return False
        prefix, _, operation = (request.header("x-amz-target") or "").rpartition(".")
        service = self.by_prefix.get(prefix)
        return service is not None and is_light(service.name, operation)

    def handle(self, request: HttpRequest) -> HttpResponse:
        rid = new_request_id()
        operation = ""
        try:
            service, operation = self._resolve(request.header("x-amz-target"))
            body, region, key = self._authenticate(service, operation, request)
            params = without_nulls(_parse(body))
            service.model.validate(operation, params)
            handler = handler_for(service.name, operation)
            if handler is None:
                raise NotImplementedOperation(operation)
            result = handler(RequestContext(self.deps, region, rid, key), params)
            return _respond(200, result, rid, operation)
        except CognateError as exc:
            return _error(exc, rid, operation)
        except Exception:
            log.exception("unexpected error", extra={"request_id": rid, "operation": operation})
            return _error(InternalErrorException(), rid, operation)

    def _resolve(self, target: str | None) -> tuple[JsonService, str]:
        prefix, _, operation = (target or "").rpartition(".")
        service = self.by_prefix.get(prefix)
        if service is None or not service.model.has_operation(operation):
            raise UnknownOperationException()
        return service, operation

    def _authenticate(self, service: JsonService, operation: str,
                      request: HttpRequest) -> tuple[bytes, str, str | None]:
        """Unsigned operations are served in the default region; signed ones in the region they name."""
        if service.model.is_unsigned(operation):
            return request.body, self.default_region, None
        signed = sigv4.verify(request.method, request.raw_path, request.query_string, request.headers,
                              request.body, service.secret_for, datetime.now(UTC), service.name)
        if signed.session_token is not None:
            # Admin keys are long-term keys: a session token with them is a forged or foreign credential.
            raise UnrecognizedClientException()
        return request.body, signed.region, signed.access_key_id


def _parse(body: bytes) -> dict[str, Any]:
    try:
        params = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        # RecursionError: nesting deeper than the decoder allows is malformed input too, not a server fault.
        raise SerializationException("Unable to parse the request body as JSON.") from exc
    if not isinstance(params, dict):
        raise SerializationException("Start of list found where not expected")
    # JSON null means "absent" to AWS's deserializer.
    return {k: v for k, v in params.items() if v is not None}


def _respond(status: int, payload: Any, rid: str, operation: str, error_type: str = "") -> HttpResponse:
    headers = {"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": rid}
    if error_type:
        headers["x-amzn-ErrorType"] = f"{error_type}:"
    return HttpResponse(status, json.dumps(payload, separators=(",", ":")).encode(), headers, operation,
                        error_type)


def _error(exc: CognateError, rid: str, operation: str) -> HttpResponse:
    payload: dict[str, Any] = {"__type": exc.aws_type, "message": exc.message}
    if isinstance(exc, InvalidParameterException) and exc.reason_code:
        payload["reasonCode"] = exc.reason_code
    return _respond(exc.status, payload, rid, operation, exc.aws_type)
