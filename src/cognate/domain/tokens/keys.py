"""Per-pool RSA signing keys: one for ID tokens, one for access tokens, as Cognito publishes two per pool
(Developer Guide, "Verifying a JSON Web Token"; tokens.md §1, §6). Keys are made on a pool's first use,
rotated by ``cognate keys rotate``; a retired key stays in the JWKS until every token it signed has expired
(tokens live at most one day), so rotation never breaks a token in flight.

RS256 (RFC 7518 §3.3) is done with ``cryptography`` directly: a signature is one call, and a general JOSE
library spends about 40% more per signature and per verification for nothing used here. The tests verify
every token with joserfc against the published JWKS, which is what proves interoperability.

Concurrency: keys are created outside any sign-in transaction (``ensure``), under the pool row's lock, so
two first sign-ins on PostgreSQL cannot each add a key; the in-transaction fallback takes the same lock.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from cognate.domain.auth.model import SigningKey
from cognate.domain.context import Deps
from cognate.domain.errors import ResourceNotFoundException
from cognate.store.ports import UnitOfWork

PURPOSES = ("id", "access")
KEY_PURPOSE = "signing-key"
MAX_TOKEN_LIFETIME = 86400.0  # ID and access tokens live at most one day (tokens.md §5)
_PKCS1 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Signer:
    """A private key ready to sign: its kid and the encoded JOSE header ``{"kid", "alg": "RS256"}``."""

    kid: str
    header: str
    key: rsa.RSAPrivateKey

    def sign(self, payload: dict[str, Any]) -> str:
        """A compact JWS (RFC 7515 §7.1) of ``payload``."""
        signing_input = f"{self.header}.{b64url(json.dumps(payload, separators=(',', ':')).encode())}"
        return f"{signing_input}.{b64url(self.key.sign(signing_input.encode(), _PKCS1, _SHA256))}"


@dataclass(frozen=True)
class PublicKey:
    kid: str
    pool_id: str
    purpose: str
    key: rsa.RSAPublicKey

    def verifies(self, signing_input: bytes, signature: bytes) -> bool:
        try:
            self.key.verify(signature, signing_input, _PKCS1, _SHA256)
        except InvalidSignature:
            return False
        return True


# Keys are immutable per kid (the kid is a digest of the modulus), so what was opened or parsed once stays
# true for the life of the process; only which key is *active* can change, and that is read every time.
_signers: dict[str, Signer] = {}
_publics: dict[str, PublicKey] = {}
# Pools known to have a live key of each purpose. Keys are never deleted, and rotation retires old keys in
# the transaction that adds their successors, so a pool never goes back to having none.
_ready: set[str] = set()
_CACHE_LIMIT = 4096
_lock = threading.Lock()


def _kid(public_n: str) -> str:
    """44 characters of base64 SHA-256, like Cognito's key ids."""
    return base64.b64encode(hashlib.sha256(public_n.encode()).digest()).decode()


def _int_b64url(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def new_key(deps: Deps, pool_id: str, purpose: str) -> SigningKey:
    """A fresh RSA-2048 key (the size Cognito publishes), its private half sealed with the master key."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = private.public_key().public_numbers()
    n = _int_b64url(numbers.n)
    kid = _kid(n)
    jwk = {"alg": "RS256", "e": _int_b64url(numbers.e), "kid": kid, "kty": "RSA", "n": n, "use": "sig"}
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return SigningKey(kid=kid, pool_id=pool_id, purpose=purpose, private_key=deps.box.seal(pem, KEY_PURPOSE),
                      public_jwk=jwk, created=deps.clock.now())


def _live(found: list[SigningKey]) -> dict[str, SigningKey]:
    """The newest unretired key of each purpose (``for_pool`` lists oldest first)."""
    return {k.purpose: k for k in found if k.retired is None}


def _add_missing(deps: Deps, uow: UnitOfWork, pool_id: str, fresh: list[SigningKey] | None = None) -> None:
    """Under the pool row's lock (PostgreSQL; SQLite writers are serialized anyway), add a key for each
    purpose that still has none: a concurrent transaction that got there first is seen, not duplicated."""
    if uow.pools.get(pool_id, for_update=True) is None:
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    live = _live(uow.keys.for_pool(pool_id))
    for purpose in PURPOSES:
        if purpose not in live:
            made = next((k for k in fresh or [] if k.purpose == purpose), None) or new_key(deps, pool_id, purpose)
            uow.keys.add(made)


def ensure(deps: Deps, pool_id: str) -> None:
    """Make sure the pool has its two keys before a transaction needs them: RSA key generation takes tens of
    milliseconds and must not hold a write transaction open. Unknown pool: ResourceNotFoundException."""
    if pool_id in _ready:
        return
    with deps.store.read() as uow:
        if uow.pools.get(pool_id) is None:
            raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
        missing = [p for p in PURPOSES if p not in _live(uow.keys.for_pool(pool_id))]
    if missing:
        fresh = [new_key(deps, pool_id, purpose) for purpose in missing]
        with deps.store.write() as uow:
            _add_missing(deps, uow, pool_id, fresh)
    _ready.add(pool_id)


def _signer(deps: Deps, key: SigningKey) -> Signer:
    signer = _signers.get(key.kid)
    if signer is None:
        private = serialization.load_pem_private_key(deps.box.open(key.private_key, KEY_PURPOSE).encode(), None)
        assert isinstance(private, rsa.RSAPrivateKey)
        header = b64url(json.dumps({"kid": key.kid, "alg": "RS256"}, separators=(",", ":")).encode())
        signer = Signer(key.kid, header, private)
        with _lock:
            if len(_signers) >= _CACHE_LIMIT:
                _signers.clear()
            _signers[key.kid] = signer
    return signer


def signers(deps: Deps, uow: UnitOfWork, pool_id: str) -> dict[str, Signer]:
    """The active signer of each purpose ("id", "access"): the newest live key, read in this transaction so a
    rotation by another process is seen at once. Normally ``ensure`` has run; if not, keys are made here."""
    live = _live(uow.keys.for_pool(pool_id))
    if any(p not in live for p in PURPOSES):
        _add_missing(deps, uow, pool_id)
        live = _live(uow.keys.for_pool(pool_id))
    return {purpose: _signer(deps, live[purpose]) for purpose in PURPOSES}


def public_key(uow: UnitOfWork, kid: str) -> PublicKey | None:
    """The verifying key named by a token's ``kid`` (retired keys included), or None."""
    found = _publics.get(kid)
    if found is not None:
        return found
    key = uow.keys.get(kid)
    if key is None:
        return None
    jwk = key.public_jwk
    numbers = rsa.RSAPublicNumbers(int.from_bytes(b64url_decode(jwk["e"]), "big"),
                                   int.from_bytes(b64url_decode(jwk["n"]), "big"))
    found = PublicKey(key.kid, key.pool_id, key.purpose, numbers.public_key())
    with _lock:
        if len(_publics) >= _CACHE_LIMIT:
            _publics.clear()
        _publics[kid] = found
    return found


def published(deps: Deps, uow: UnitOfWork, pool_id: str) -> list[SigningKey]:
    """Every key that may have signed a token still alive: the live ones and those retired less than a day ago."""
    now = deps.clock.now()
    return [k for k in uow.keys.for_pool(pool_id) if k.retired is None or now - k.retired < MAX_TOKEN_LIFETIME]


def jwks(deps: Deps, uow: UnitOfWork, pool_id: str) -> dict[str, list[dict[str, Any]]]:
    """The pool's JSON Web Key Set (RFC 7517 §5); ``ensure`` has made its keys."""
    return {"keys": [k.public_jwk for k in published(deps, uow, pool_id)]}


def rotate(deps: Deps, pool_id: str) -> list[SigningKey]:
    """New keys for both purposes; the old ones retire now and leave the JWKS a day later. The new keys are
    generated before the transaction, which then retires and adds in one commit (the pool is never keyless)."""
    fresh = [new_key(deps, pool_id, purpose) for purpose in PURPOSES]
    with deps.store.write() as uow:
        if uow.pools.get(pool_id, for_update=True) is None:
            raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
        now = deps.clock.now()
        for key in uow.keys.for_pool(pool_id):
            if key.retired is None:
                uow.keys.retire(key.kid, now)
        for key in fresh:
            uow.keys.add(key)
    return fresh
