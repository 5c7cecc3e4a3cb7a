"""``POST /``, the AWS JSON front door, as a bare ASGI application in front of the Starlette routes.

Every Cognito API call arrives here, so it skips Starlette's router, exception middleware and Request
object: on a GetUser that layer cost as much as the operation itself. Everything else passes through to
the Starlette application.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.concurrency import run_in_threadpool

from cognate.app import Cognate
from cognate.wire.http import HttpRequest, HttpResponse

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

# The largest AWS JSON request Cognito accepts is far below this (templates of 20,000 characters at most).
MAX_AWS_BODY = 1 << 20

# Browsers (Amplify) call the public operations cross-origin (api-surface.md §1.1).
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, PUT, OPTIONS",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Expose-Headers": "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date",
    "Access-Control-Max-Age": "86400",
}
_CORS_RAW = [(k.lower().encode(), v.encode()) for k, v in CORS.items()]
_TOO_LARGE = HttpResponse(413, json.dumps({"__type": "SerializationException",
                                           "message": "Request body too large."}).encode(),
                          {"Content-Type": "application/x-amz-json-1.1",
                           "x-amzn-ErrorType": "SerializationException:"})


async def _body(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    """The request body, or None past ``limit`` bytes (read no further than that)."""
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            return None
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b""
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


class AwsFront:
    def __init__(self, cognate: Cognate, app: App) -> None:
        self.cognate = cognate
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        body = await _body(scope, receive, MAX_AWS_BODY)
        if body is None:
            response = _TOO_LARGE
        else:
            client = scope.get("client")
            request = HttpRequest(method="POST", raw_path=(scope.get("raw_path") or b"/").decode("latin-1"),
                                  query_string=scope.get("query_string", b"").decode("latin-1"),
                                  headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]],
                                  body=body, client=client[0] if client else "")
            awsjson = self.cognate.awsjson
            if awsjson.runs_inline(request):
                response = awsjson.handle(request)
            else:
                # One thread hop per request (not per query): domain and store are synchronous.
                response = await run_in_threadpool(awsjson.handle, request)
        state = scope.setdefault("state", {})
        state["operation"], state["error_type"] = response.operation, response.error_type
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()]
        headers += [(b"content-length", str(len(response.body)).encode()), *_CORS_RAW]
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})
