"""Per-pool RSA signing keys: one for ID tokens, one for access tokens (as Cognito), created on first use,
rotated by ``cognate keys rotate``. A retired key stays in the JWKS until every token it signed has expired
(tokens live at most one day), so rotation never breaks a token in flight.

JOSE through joserfc: key generation, JWK export and RS256 signatures are standard, so a maintained
library does them.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache

from joserfc.jwk import RSAKey

from cognate.domain.auth.model import SigningKey
from cognate.domain.context import Deps
from cognate.domain.secretbox import SecretBox
from cognate.store.ports import UnitOfWork

PURPOSES = ("id", "access")
KEY_PURPOSE = "signing-key"
MAX_TOKEN_LIFETIME = 86400.0  # ID and access tokens live at most one day (tokens.md §5)


def _kid(public_n: str) -> str:
    """44 characters of base64 SHA-256, like Cognito's key ids."""
    return base64.b64encode(hashlib.sha256(public_n.encode()).digest()).decode()


def new_key(deps: Deps, pool_id: str, purpose: str) -> SigningKey:
    private = RSAKey.generate_key(2048, private=True)
    public = private.as_dict(private=False)
    kid = _kid(str(public["n"]))
    jwk = {"alg": "RS256", "e": public["e"], "kid": kid, "kty": "RSA", "n": public["n"], "use": "sig"}
    pem = private.as_pem(private=True).decode()
    return SigningKey(kid=kid, pool_id=pool_id, purpose=purpose, private_key=deps.box.seal(pem, KEY_PURPOSE),
                      public_jwk=jwk, created=deps.clock.now())


def active(deps: Deps, uow: UnitOfWork, pool_id: str, purpose: str) -> tuple[str, RSAKey]:
    """The key new tokens of ``purpose`` are signed with: the newest live one, created when missing."""
    live = [k for k in uow.keys.for_pool(pool_id) if k.purpose == purpose and k.retired is None]
    if live:
        key = live[-1]
    else:
        key = new_key(deps, pool_id, purpose)
        uow.keys.add(key)
    return key.kid, _private(deps, key.kid, key.private_key)


def _private(deps: Deps, kid: str, sealed: str) -> RSAKey:
    return _open_cached(kid, sealed, deps.box)


@lru_cache(maxsize=1024)
def _open_cached(kid: str, sealed: str, box: SecretBox) -> RSAKey:
    # Keys are immutable per kid: opening (AES-GCM + PEM parse) once per process is enough.
    return RSAKey.import_key(box.open(sealed, KEY_PURPOSE))


@lru_cache(maxsize=4096)
def public_key(jwk_json: str) -> RSAKey:
    return RSAKey.import_key(json.loads(jwk_json))


def jwks(deps: Deps, uow: UnitOfWork, pool_id: str) -> dict[str, list[dict[str, object]]]:
    """Every key that signed a token still alive; created on first request so the document is never empty."""
    for purpose in PURPOSES:
        active(deps, uow, pool_id, purpose)
    now = deps.clock.now()
    keys = [k.public_jwk for k in uow.keys.for_pool(pool_id)
            if k.retired is None or now - k.retired < MAX_TOKEN_LIFETIME]
    return {"keys": keys}


def rotate(deps: Deps, uow: UnitOfWork, pool_id: str) -> list[str]:
    """New keys for both purposes; the old ones retire now and leave the JWKS a day later."""
    now = deps.clock.now()
    for key in uow.keys.for_pool(pool_id):
        if key.retired is None:
            uow.keys.retire(key.kid, now)
    fresh = [new_key(deps, pool_id, purpose) for purpose in PURPOSES]
    for key in fresh:
        uow.keys.add(key)
    return [k.kid for k in fresh]
