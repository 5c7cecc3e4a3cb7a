"""The ASGI application of ``cognate serve``: every route of the server on one port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from cognate.app import Cognate
from cognate.web.routes import AccessLog, build_app


def build_web_app(cognate: Cognate) -> AccessLog:
    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        cognate.store.close()

    return build_app(cognate, lifespan=lifespan)
