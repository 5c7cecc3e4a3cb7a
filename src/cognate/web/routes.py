"""HTTP routes (Starlette). The only package that knows Starlette: it adapts requests to ``wire/``."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cognate.app import Cognate
from cognate.wire.http import HttpRequest, HttpResponse

access_log = logging.getLogger("cognate.access")

# Browsers (Amplify) call the public operations cross-origin (api-surface.md §1.1).
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, PUT, OPTIONS",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Expose-Headers": "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date",
    "Access-Control-Max-Age": "86400",
}


async def to_wire(request: Request) -> HttpRequest:
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    return HttpRequest(method=request.method, raw_path=raw_path.decode("latin-1"),
                       query_string=request.scope.get("query_string", b"").decode("latin-1"),
                       headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
                       body=await request.body(), client=request.client.host if request.client else "")


def from_wire(request: Request, response: HttpResponse) -> Response:
    request.state.operation = response.operation
    request.state.error_type = response.error_type
    return Response(response.body, status_code=response.status, headers={**response.headers, **CORS})


def build_app(cognate: Cognate, extra_routes: list[Route] | None = None) -> Starlette:
    async def aws(request: Request) -> Response:
        wire_request = await to_wire(request)
        # One thread hop per request (not per query): domain and store are synchronous.
        return from_wire(request, await run_in_threadpool(cognate.awsjson.handle, wire_request))

    async def preflight(request: Request) -> Response:
        return Response(status_code=200, headers=CORS)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def ready(request: Request) -> Response:
        ok = await run_in_threadpool(cognate.store.ping)
        return JSONResponse({"status": "ready" if ok else "database unreachable"}, status_code=200 if ok else 503)

    routes = [
        Route("/", aws, methods=["POST"]),
        Route("/", preflight, methods=["OPTIONS"]),
        Route("/health", health, methods=["GET"]),
        Route("/ready", ready, methods=["GET"]),
        *(extra_routes or []),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(AccessLog)
    return app


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class AccessLog:
    """One structured line per request: method, path, operation, status, error type, duration.

    Bodies, query strings and headers are never logged: they carry passwords, codes and tokens.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            state = scope.get("state", {})
            access_log.info(json.dumps({
                "method": scope["method"], "path": scope["path"], "status": status[0],
                "operation": state.get("operation", ""), "error": state.get("error_type", ""),
                "ms": round((time.perf_counter() - started) * 1000, 2)}))
