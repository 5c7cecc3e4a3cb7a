"""Cognito's SRP-6a (shared/reference/srp.md): the 3072-bit group of RFC 5054 / RFC 3526 group 15, SHA-256,
Java ``BigInteger`` hex padding, and the HKDF "password claim" that replaces the RFC's M1/M2 exchange.

The server side only: verifiers are computed when a password is set, ``B`` when a sign-in starts, and the
claim checked on PASSWORD_VERIFIER / DEVICE_PASSWORD_VERIFIER. Exponentiation goes through GMP (gmpy2):
about 7x faster than ``pow()`` for these sizes (performance-floors.md), and with the GIL released
(``allow_release_gil``), so that the exponentiations of concurrent sign-ins run on every core and a server
thread busy with one does not stall the event loop and the other requests of the process.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import gmpy2

# RFC 5054 Appendix A, 3072-bit group (= RFC 3526 group 15): 2^3072 - 2^3008 - 1 + 2^64 * ([2^2942 pi] + 1690314).
N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
_N = gmpy2.mpz(N)
_G = gmpy2.mpz(G)
INFO = b"Caldera Derived Key\x01"
MAX_A_HEX = 1024  # an A wider than N plus slack is refused before any arithmetic


def _powmod(base: Any, exponent: Any) -> Any:
    """``base^exponent mod N`` on GMP, without holding the GIL."""
    with gmpy2.context(allow_release_gil=True):
        return gmpy2.powmod(base, exponent, _N)


def pad_hex(value: int) -> str:
    """Java ``BigInteger.toByteArray()`` as hex: even length, and a leading 00 when the top bit is set."""
    text = format(value, "x")
    if len(text) % 2:
        return "0" + text
    return "00" + text if text[0] in "89abcdef" else text


def _hash_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _h_int(*values: int) -> int:
    return int(_hash_hex(bytes.fromhex("".join(pad_hex(v) for v in values))), 16)


K_MULTIPLIER = _h_int(N, G)


def private_x(salt: int, pool_part: str, user_id: str, password: str) -> int:
    inner = _hash_hex(f"{pool_part}{user_id}:{password}".encode())
    return int(_hash_hex(bytes.fromhex(pad_hex(salt) + inner)), 16)


@dataclass(frozen=True)
class Verifier:
    salt: int
    verifier: int


def make_verifier(pool_part: str, user_id: str, password: str, salt: int | None = None) -> Verifier:
    """``v = g^x mod N`` with a fresh 128-bit salt, for the user's internal username."""
    salt = salt if salt is not None else int.from_bytes(secrets.token_bytes(16), "big")
    return Verifier(salt, int(_powmod(_G, private_x(salt, pool_part, user_id, password))))


@dataclass(frozen=True)
class ServerStep:
    b: int
    B: int


def server_step(verifier: int) -> ServerStep:
    """``B = k·v + g^b mod N`` with a 256-bit secret ``b`` (its cost is what the SRP benchmark measures)."""
    while True:
        b = secrets.randbits(256)
        big_b = int((K_MULTIPLIER * verifier + _powmod(_G, b)) % _N)
        if big_b:
            return ServerStep(b, big_b)


def parse_a(srp_a: str) -> int:
    """The client's public value; ``A mod N == 0`` would let anyone in, so it is refused."""
    if not srp_a or len(srp_a) > MAX_A_HEX or not re.fullmatch(r"[0-9a-fA-F]+", srp_a):
        raise ValueError("SRP_A is not a hex number of a sane size")
    value = int(srp_a, 16)
    if value % N == 0:
        raise ValueError("SRP_A mod N is zero")
    return value


def session_key(a_public: int, step: ServerStep, verifier: int) -> bytes:
    """``K = HKDF(S, salt=u)``, the first 16 bytes, with ``S = (A · v^u)^b mod N``."""
    u = _h_int(a_public, step.B)
    if u == 0:
        raise ValueError("u is zero")
    s = _powmod(gmpy2.mpz(a_public) * _powmod(gmpy2.mpz(verifier), u), step.b)
    prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(int(s))), hashlib.sha256).digest()
    return hmac.new(prk, INFO, hashlib.sha256).digest()[:16]


def claim_signature(key: bytes, pool_part: str, user_id: str, secret_block: bytes, timestamp: str) -> bytes:
    message = pool_part.encode() + user_id.encode() + secret_block + timestamp.encode()
    return hmac.new(key, message, hashlib.sha256).digest()


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TIMESTAMP = re.compile(r"^([A-Z][a-z]{2}) ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) UTC (\d{4})$")


def format_timestamp(moment: datetime) -> str:
    """``EEE MMM d HH:mm:ss 'UTC' yyyy`` in English, day not zero-padded (what clients sign)."""
    moment = moment.astimezone(UTC)
    return (f"{_WEEKDAYS[moment.weekday()]} {_MONTHS[moment.month - 1]} {moment.day} "
            f"{moment:%H:%M:%S} UTC {moment.year}")


class TimestampFormatError(ValueError):
    """Not in Cognito's format at all (InvalidParameterException)."""


def parse_timestamp(text: str) -> datetime | None:
    """The moment a TIMESTAMP names, or None when it is well-formed but wrong (zero-padded day, wrong
    weekday): Cognito answers those with "Incorrect username or password."."""
    match = _TIMESTAMP.match(text)
    if match is None or match.group(2) not in _MONTHS or match.group(1) not in _WEEKDAYS:
        raise TimestampFormatError("TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
    weekday, month, day, hh, mm, ss, year = match.groups()
    if day.startswith("0"):
        return None
    try:
        moment = datetime(int(year), _MONTHS.index(month) + 1, int(day), int(hh), int(mm), int(ss), tzinfo=UTC)
    except ValueError:
        return None
    return moment if _WEEKDAYS[moment.weekday()] == weekday else None
