"""Challenge sessions: opaque, single use, bound to their client, expiring after the client's
AuthSessionValidity (3 minutes by default). Only a digest of the Session string is stored."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from cognate.domain.auth.model import AuthSession
from cognate.domain.context import Deps
from cognate.domain.errors import NotAuthorizedException
from cognate.domain.userpool.model import AppClient
from cognate.store.ports import UnitOfWork

EXPIRED = "Invalid session for the user, session is expired."


def _digest(session: str) -> str:
    return hashlib.sha256(session.encode()).hexdigest()


def open_session(deps: Deps, uow: UnitOfWork, client: AppClient, username: str | None, challenge: str,
                 state: dict[str, Any], token: str | None = None) -> str:
    token = token or secrets.token_urlsafe(96)
    now = deps.clock.now()
    minutes = int(client.config.get("AuthSessionValidity", 3))
    uow.sessions.add(AuthSession(id=_digest(token), pool_id=client.pool_id, client_id=client.id, username=username,
                                 challenge=challenge, state=state, created=now, expires=now + minutes * 60))
    return token


def take(deps: Deps, uow: UnitOfWork, client: AppClient, token: str | None, challenge: str) -> AuthSession:
    """The session for this answer, consumed: a replayed, expired or foreign session is refused."""
    if not token:
        raise NotAuthorizedException(EXPIRED)
    session = uow.sessions.take(_digest(token), deps.clock.now())
    if session is None or session.client_id != client.id or session.challenge != challenge:
        raise NotAuthorizedException(EXPIRED)
    return session
