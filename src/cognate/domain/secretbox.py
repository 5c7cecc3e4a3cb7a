"""Encryption of secrets at rest (client secrets, later signing keys, TOTP seeds, SRP verifiers).

AES-256-GCM from ``cryptography`` with a key derived per purpose from the master key by HKDF, so that a
ciphertext of one kind can never be replayed as another. The purpose is also bound as associated data.
"""

from __future__ import annotations

import base64
import hmac
import os
from hashlib import sha256

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = b"\x01"


class SecretBox:
    def __init__(self, master_key: bytes) -> None:
        if len(master_key) < 32:
            raise ValueError("the master key must hold at least 32 bytes")
        self._master = master_key
        # Derived once per purpose: HKDF and the AES key schedule cost more than sealing a short secret.
        self._keys: dict[str, bytes] = {}
        self._ciphers: dict[str, AESGCM] = {}

    def _key(self, purpose: str) -> bytes:
        key = self._keys.get(purpose)
        if key is None:
            key = self._keys[purpose] = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                                             info=b"cognate:" + purpose.encode()).derive(self._master)
        return key

    def _cipher(self, purpose: str) -> AESGCM:
        cipher = self._ciphers.get(purpose)
        if cipher is None:
            cipher = self._ciphers[purpose] = AESGCM(self._key(purpose))
        return cipher

    def seal(self, plaintext: str, purpose: str) -> str:
        nonce = os.urandom(12)
        ct = self._cipher(purpose).encrypt(nonce, plaintext.encode(), purpose.encode())
        return base64.b64encode(_VERSION + nonce + ct).decode()

    def open(self, sealed: str, purpose: str) -> str:
        raw = base64.b64decode(sealed)
        if raw[:1] != _VERSION:
            raise ValueError("unknown sealed-secret version")
        return self._cipher(purpose).decrypt(raw[1:13], raw[13:], purpose.encode()).decode()

    def mac(self, message: str, purpose: str) -> str:
        """A keyed digest for values that are only ever compared (confirmation codes)."""
        return hmac.new(self._key("mac:" + purpose), message.encode(), sha256).hexdigest()


def decode_master_key(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.strip().encode())


def new_master_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()
