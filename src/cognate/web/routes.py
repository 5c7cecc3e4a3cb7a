"""HTTP routes (Starlette). The only package that knows Starlette: it adapts requests to ``wire/``."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import AbstractAsyncContextManager
from typing import Any
from xml.sax.saxutils import escape

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cognate.app import Cognate
from cognate.domain.errors import ResourceNotFoundException
from cognate.domain.userpool import import_jobs
from cognate.oidc import discovery
from cognate.web.aws_front import CORS, AwsFront

access_log = logging.getLogger("cognate.access")
Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]


def _s3_error(status: int, code: str, message: str) -> Response:
    """S3's error document: the PreSignedUrl of an import job stands in for S3's, and so do its errors."""
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{escape(code)}</Code>'
            f"<Message>{escape(message)}</Message></Error>")
    return Response(body, status_code=status, media_type="application/xml")


async def _upload_body(request: Request, limit: int) -> bytearray | None:
    """An upload of up to ``limit`` bytes (100 MB CSVs) in one buffer: chunks and a joined copy would double it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        if len(body) + len(chunk) > limit:
            return None
        body += chunk
    return body


def build_app(cognate: Cognate, extra_routes: list[Route] | None = None,
              lifespan: Lifespan | None = None) -> AccessLog:
    async def import_upload(request: Request) -> Response:
        """The CSV of a user import job, PUT to its PreSignedUrl (``curl -T users.csv -H
        "x-amz-server-side-encryption:aws:kms" URL``, Developer Guide); the encryption header is accepted."""
        body = await _upload_body(request, import_jobs.MAX_FILE_BYTES)
        if body is None:
            return _s3_error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
        try:
            etag = await run_in_threadpool(import_jobs.upload, cognate.deps, request.path_params["token"], body)
        except import_jobs.UploadRefused as exc:
            return _s3_error(exc.status, exc.code, exc.message)
        return Response(status_code=200, headers={"ETag": f'"{etag}"', **CORS})

    async def well_known(request: Request) -> Response:
        """``/{poolId}/.well-known/jwks.json`` and ``openid-configuration``, readable from any origin."""
        document = discovery.jwks if request.url.path.endswith("jwks.json") else discovery.openid_configuration
        try:
            body = await run_in_threadpool(document, cognate.deps, request.path_params["pool_id"])
        except ResourceNotFoundException as exc:
            return JSONResponse({"message": exc.message}, status_code=404, headers=CORS)
        return JSONResponse(body, headers={"Cache-Control": "public, max-age=300", **CORS})

    async def preflight(request: Request) -> Response:
        return Response(status_code=200, headers=CORS)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def ready(request: Request) -> Response:
        ok = await run_in_threadpool(cognate.store.ping)
        return JSONResponse({"status": "ready" if ok else "database unreachable"}, status_code=200 if ok else 503)

    routes = [
        Route("/", preflight, methods=["OPTIONS"]),
        Route("/health", health, methods=["GET"]),
        Route("/ready", ready, methods=["GET"]),
        Route("/import-jobs/{token}", import_upload, methods=["PUT"]),
        Route("/{pool_id}/.well-known/jwks.json", well_known, methods=["GET"]),
        Route("/{pool_id}/.well-known/openid-configuration", well_known, methods=["GET"]),
        *(extra_routes or []),
    ]
    return AccessLog(AwsFront(cognate, Starlette(routes=routes, lifespan=lifespan)))


def _loggable(path: str) -> str:
    """The path with its secrets cut out: an import job's upload token works like a password."""
    return "/import-jobs/{token}" if path.startswith("/import-jobs/") else path


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
                "method": scope["method"], "path": _loggable(scope["path"]), "status": status[0],
                "operation": state.get("operation", ""), "error": state.get("error_type", ""),
                "ms": round((time.perf_counter() - started) * 1000, 2)}))
