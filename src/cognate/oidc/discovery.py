"""Per-pool JWKS and OpenID Connect discovery (OpenID Connect Discovery 1.0 §3; tokens.md §6)."""

from __future__ import annotations

from typing import Any

from cognate.domain.context import Deps
from cognate.domain.tokens import keys
from cognate.domain.tokens.claims import issuer
from cognate.domain.userpool import pools


def jwks(deps: Deps, pool_id: str) -> dict[str, Any]:
    """The pool's keys (RFC 7517 §5): made on first use, so the document is never empty; then only read."""
    keys.ensure(deps, pool_id)
    with deps.store.read() as uow:
        pools.get(uow, pool_id)
        return keys.jwks(deps, uow, pool_id)


def openid_configuration(deps: Deps, pool_id: str) -> dict[str, Any]:
    """What a relying party needs to verify this pool's tokens. The OAuth endpoints join it with the
    hosted UI (a pool domain); until then the document describes tokens only, as Cognito's does for a
    pool without a domain."""
    with deps.store.read() as uow:
        pools.get(uow, pool_id)
    iss = issuer(deps.public_url, pool_id)
    return {"issuer": iss, "jwks_uri": f"{iss}/.well-known/jwks.json", "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"], "response_types_supported": ["code", "token"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]}
