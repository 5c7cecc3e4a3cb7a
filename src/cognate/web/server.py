"""The ASGI application of ``cognate serve``: every route of the server on one port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from cognate.app import Cognate
from cognate.web.routes import build_app


def build_web_app(cognate: Cognate) -> Starlette:
    app = build_app(cognate)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        cognate.store.close()

    app.router.lifespan_context = lifespan
    return app
