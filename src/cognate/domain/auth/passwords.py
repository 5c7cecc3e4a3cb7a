"""Password hashing with argon2id (argon2-cffi). The shipped cost is OWASP's; tests lower it by settings."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    def __init__(self, memory_kib: int = 19456, time_cost: int = 2, parallelism: int = 1) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism,
                                      type=Type.ID)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Constant-time check; ``None`` (no password set) still spends one hash so timing reveals nothing."""
        if password_hash is None:
            self._hasher.hash(password)
            return False
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
