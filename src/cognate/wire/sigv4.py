"""AWS Signature Version 4 verification of incoming requests.

Implements the server side of "Create a signed AWS API request"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html) for both forms:

* the ``Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`` header, and
* the presigned query string (``X-Amz-Algorithm``, ``X-Amz-Credential``, ``X-Amz-Date``, ``X-Amz-Expires``,
  ``X-Amz-SignedHeaders``, ``X-Amz-Signature``), see "Authentication methods / query parameters"
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-authentication-methods.html).

The verifier follows the client's own ``SignedHeaders`` list: botocore (and every other SDK) chooses which
headers it signs, so the server must not impose its own choice beyond requiring ``host``. Errors are the
ones AWS JSON services answer (all HTTP 400), with AWS's wording where it is known.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Final
from urllib.parse import quote, unquote

# botocore's own constants and path normalisation, so both ends of the signature agree byte for byte.
from botocore.auth import SIGV4_TIMESTAMP, UNSIGNED_PAYLOAD
from botocore.utils import normalize_url_path

from cognate.domain.errors import (
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)

ALGORITHM: Final = "AWS4-HMAC-SHA256"
TERMINATOR: Final = "aws4_request"
# AWS tolerates 5 minutes of clock skew either way.
MAX_SKEW: Final = timedelta(minutes=5)
# A region name as botocore validates it (a DNS label): letters, digits and inner hyphens.
_REGION: Final = re.compile(r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?")
# Presigned URLs live at most 7 days (X-Amz-Expires <= 604800).
MAX_EXPIRES: Final = 604800

_SIGNATURE_MISMATCH: Final = (
    "The request signature we calculated does not match the signature you provided. Check your AWS "
    "Secret Access Key and signing method. Consult the service documentation for details."
)
_PRESIGN_PARAMS: Final = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Expires",
)


@dataclass(frozen=True)
class SignedBy:
    """Who signed a request, for the caller to authorize (and to pick the region it is served in)."""

    access_key_id: str
    region: str
    service: str
    session_token: str | None


@dataclass(frozen=True)
class _Signature:
    """The signature parameters of one request, from either the header or the query string."""

    access_key_id: str
    scope_date: str
    region: str
    service: str
    terminator: str
    signed_headers: str
    signature: str
    amz_date: str
    expires: int | None
    session_token: str | None

    @property
    def scope(self) -> str:
        return f"{self.scope_date}/{self.region}/{self.service}/{self.terminator}"


Headers = Mapping[str, str] | Iterable[tuple[str, str]]


def verify(
    method: str,
    path: str,
    query_string: str,
    headers: Headers,
    body: bytes,
    secret_for: Callable[[str], str | None],
    now: datetime,
    service: str | AbstractSet[str],
) -> SignedBy:
    """Verify the SigV4 signature of a request and return who signed it.

    ``path`` and ``query_string`` are the raw, still percent-encoded forms the client sent (ASGI
    ``raw_path`` and ``query_string``); ``headers`` may be any mapping or list of pairs, names in any
    case, repeated names allowed. ``secret_for`` maps an access key id to its secret (``None`` if
    unknown). ``service`` is the signing name, or the set of names, the credential scope may carry.
    """
    header_map = _lower_headers(headers)
    query = _parse_query(query_string)
    sig = _extract(header_map, query)
    _check_scope(sig, {service} if isinstance(service, str) else service)
    _check_time(sig, _utc(now))
    secret = secret_for(sig.access_key_id)
    if secret is None:
        raise UnrecognizedClientException("The security token included in the request is invalid.")
    if sig.expires is not None:
        # A presigned request signs every query parameter except the signature itself.
        query = [(key, value) for key, value in query if key != "X-Amz-Signature"]
    payload_hash = _payload_hash(header_map, body)
    canonical = canonical_request(method, path, query, header_map, sig.signed_headers, payload_hash)
    expected = _sign(secret, sig, canonical)
    if not hmac.compare_digest(expected.encode(), sig.signature.encode("utf-8", "replace")):
        raise InvalidSignatureException(_SIGNATURE_MISMATCH)
    return SignedBy(sig.access_key_id, sig.region, sig.service, sig.session_token)


# ---------------------------------------------------------------------------------------------------------
# Request parsing
# ---------------------------------------------------------------------------------------------------------


def _lower_headers(headers: Headers) -> dict[str, list[str]]:
    """Lower-case header names, keeping repeated headers (Starlette's ``Headers.items()`` repeats them)."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name.lower(), []).append(value)
    return out


def _first(headers: Mapping[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None


def _parse_query(query_string: str) -> list[tuple[str, str]]:
    """Decoded query parameters, in order; ``a`` and ``a=`` are both ``("a", "")``."""
    pairs = []
    for part in query_string.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((unquote(key), unquote(value)))
    return pairs


def _extract(headers: Mapping[str, list[str]], query: list[tuple[str, str]]) -> _Signature:
    authorization = _first(headers, "authorization")
    if authorization is not None:
        return _from_header(authorization, headers)
    params = dict(query)
    if any(name in params for name in _PRESIGN_PARAMS):
        return _from_query(params)
    raise MissingAuthenticationTokenException("Missing Authentication Token")


def _from_header(authorization: str, headers: Mapping[str, list[str]]) -> _Signature:
    """Parse ``AWS4-HMAC-SHA256 Credential=.., SignedHeaders=.., Signature=..`` (order free)."""
    algorithm, _, rest = authorization.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise IncompleteSignatureException(
            f"Unsupported AWS 'algorithm': '{algorithm[:64]}'. Only {ALGORITHM} is supported."
        )
    params = _auth_params(authorization, rest)
    date_header = _first(headers, "x-amz-date") or _first(headers, "date")
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not params.get(name)
    ]
    if date_header is None:
        missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if missing or date_header is None:
        raise IncompleteSignatureException(" ".join(missing) + f" Authorization={_redacted(authorization)}")
    token = _first(headers, "x-amz-security-token")
    credential, signed, signature = params["Credential"], params["SignedHeaders"], params["Signature"]
    return _signature(credential, signed, signature, date_header, None, token)


def _auth_params(authorization: str, rest: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for part in rest.split(","):
        if not part.strip():
            continue
        key, sep, value = part.strip().partition("=")
        if not sep:
            # AWS never echoes a malformed header: it quotes its SHA-256 instead.
            digest = base64.b64encode(hashlib.sha256(authorization.encode()).digest()).decode()
            raise IncompleteSignatureException(
                "Invalid key=value pair (missing equal-sign) in Authorization header "
                f"(hashed with SHA-256 and encoded with Base64): '{digest}'."
            )
        params[key.strip()] = value.strip()
    return params


def _redacted(authorization: str) -> str:
    """The Authorization header as AWS echoes it, minus the signature value."""
    parts = []
    for part in authorization.split(","):
        key = part.strip().partition("=")[0]
        parts.append(part.split("=", 1)[0] + "=***" if key == "Signature" else part)
    return ",".join(parts)


def _from_query(params: Mapping[str, str]) -> _Signature:
    missing = [name for name in _PRESIGN_PARAMS if not params.get(name)]
    if missing:
        raise IncompleteSignatureException(
            "AWS query-string parameters must include "
            + ", ".join(f"'{n}'" for n in missing)
            + ". Re-examine the query-string parameters."
        )
    if params["X-Amz-Algorithm"] != ALGORITHM:
        raise IncompleteSignatureException(
            f"Unsupported AWS 'algorithm': '{params['X-Amz-Algorithm'][:64]}'. Only {ALGORITHM} is supported."
        )
    expires = params["X-Amz-Expires"]
    if not expires.isdigit() or not 0 < int(expires) <= MAX_EXPIRES:
        raise IncompleteSignatureException(
            f"X-Amz-Expires must be an integer between 1 and {MAX_EXPIRES} seconds, got '{expires[:16]}'."
        )
    return _signature(
        params["X-Amz-Credential"],
        params["X-Amz-SignedHeaders"],
        params["X-Amz-Signature"],
        params["X-Amz-Date"],
        int(expires),
        params.get("X-Amz-Security-Token"),
    )


def _signature(
    credential: str, signed: str, signature: str, date: str, expires: int | None, token: str | None
) -> _Signature:
    parts = credential.split("/")
    if len(parts) != 5:
        raise IncompleteSignatureException(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term,"
            f" got '{credential[:256]}'"
        )
    if "host" not in signed.split(";"):
        raise IncompleteSignatureException(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
        )
    key, day, region, service, terminator = parts
    return _Signature(
        key, day, region, service, terminator, signed, signature, _amz_date(date), expires, token
    )


def _amz_date(value: str) -> str:
    """The request time in ISO 8601 basic format, from ``X-Amz-Date`` or (RFC 7231) ``Date``."""
    try:
        # Strict: strptime alone would also accept single-digit months and days.
        if datetime.strptime(value, SIGV4_TIMESTAMP).strftime(SIGV4_TIMESTAMP) == value:
            return value
    except ValueError:
        pass
    try:
        return _utc(parsedate_to_datetime(value)).strftime(SIGV4_TIMESTAMP)
    except (TypeError, ValueError):
        raise IncompleteSignatureException(
            f"Date must be in ISO-8601 'basic format'. Got '{value[:64]}'. See http://en.wikipedia.org/wiki/ISO_8601"
        ) from None


# ---------------------------------------------------------------------------------------------------------
# Checks before any cryptography
# ---------------------------------------------------------------------------------------------------------


def _check_scope(sig: _Signature, services: AbstractSet[str]) -> None:
    """The credential scope must be ``<date>/<region>/<service>/aws4_request`` for an acceptable service."""
    if sig.terminator != TERMINATOR:
        raise IncompleteSignatureException(
            f"Credential should be scoped with a valid terminator: '{TERMINATOR}', "
            f"not '{sig.terminator[:64]}'. "
        )
    if not _REGION.fullmatch(sig.region):
        # The region becomes part of pool ids (`<region>_XXXXXXXXX`) and ARNs: only a DNS label will do, as
        # botocore itself requires of region names.
        raise IncompleteSignatureException("Credential should be scoped to a valid region. ")
    if sig.service not in services:
        expected = min(services, default="")
        raise InvalidSignatureException(f"Credential should be scoped to correct service: '{expected}'. ")
    if sig.scope_date != sig.amz_date[:8]:
        raise InvalidSignatureException(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            f"'{sig.scope_date[:16]}' != '{sig.amz_date[:8]}', from '{sig.amz_date}'."
        )


def _check_time(sig: _Signature, now: datetime) -> None:
    """Refuse requests signed more than 5 minutes away from ``now`` (presigned: past their expiry)."""
    signed_at = datetime.strptime(sig.amz_date, SIGV4_TIMESTAMP).replace(tzinfo=UTC)
    stamp, current = sig.amz_date, _stamp(now)
    if signed_at > now + MAX_SKEW:
        raise InvalidSignatureException(
            f"Signature not yet current: {stamp} is still later than {_stamp(now + MAX_SKEW)} "
            f"({current} + 5 min.)"
        )
    if sig.expires is not None:
        if signed_at + timedelta(seconds=sig.expires) < now:
            oldest = _stamp(now - timedelta(seconds=sig.expires))
            raise InvalidSignatureException(
                f"Signature expired: {stamp} is now earlier than {oldest} ({current} - {sig.expires} sec.)"
            )
    elif signed_at < now - MAX_SKEW:
        raise InvalidSignatureException(
            f"Signature expired: {stamp} is now earlier than {_stamp(now - MAX_SKEW)} ({current} - 5 min.)"
        )


def _utc(moment: datetime) -> datetime:
    # A naive datetime is taken to be UTC, as SigV4 times always are.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _stamp(moment: datetime) -> str:
    return moment.strftime(SIGV4_TIMESTAMP)


def _payload_hash(headers: Mapping[str, list[str]], body: bytes) -> str:
    """SHA-256 of the body; a client-supplied ``x-amz-content-sha256`` must agree with it.

    ``UNSIGNED-PAYLOAD`` is not honoured: for a non-S3 service it would leave the body unauthenticated,
    so such a request simply fails the signature comparison.
    """
    computed = hashlib.sha256(body).hexdigest()
    claimed = _first(headers, "x-amz-content-sha256")
    if claimed is not None and claimed != UNSIGNED_PAYLOAD and claimed.lower() != computed:
        raise InvalidSignatureException(
            "The provided 'x-amz-content-sha256' header does not match what was computed."
        )
    return computed


# ---------------------------------------------------------------------------------------------------------
# Canonical request, string to sign, signature
# ---------------------------------------------------------------------------------------------------------


def canonical_request(
    method: str,
    path: str,
    query: list[tuple[str, str]],
    headers: Mapping[str, list[str]],
    signed_headers: str,
    payload_hash: str,
) -> str:
    """Step 1 of "Create a signed AWS API request", following the client's own signed headers."""
    return "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            canonical_query(query),
            _canonical_headers(headers, signed_headers) + "\n",
            signed_headers,
            payload_hash,
        ]
    )


def canonical_uri(path: str) -> str:
    """Normalized path, percent-encoded once more.

    Services other than S3 encode each segment twice; the path as received is already encoded once,
    so one more ``quote`` yields what the client signed (botocore: ``quote(normalize_url_path(p), '/~')``).
    """
    return quote(normalize_url_path(path), safe="/~")


def canonical_query(query: list[tuple[str, str]]) -> str:
    """RFC 3986 encoding of names and values (unreserved characters kept), sorted by name then value."""
    encoded = sorted((quote(key, safe="-_.~"), quote(value, safe="-_.~")) for key, value in query)
    return "&".join(f"{key}={value}" for key, value in encoded)


def _canonical_headers(headers: Mapping[str, list[str]], signed_headers: str) -> str:
    """``name:value`` lines in the client's order; values trimmed, inner whitespace runs collapsed."""
    lines = []
    for name in signed_headers.split(";"):
        values = headers.get(name, [])
        lines.append(f"{name}:" + ",".join(" ".join(value.split()) for value in values))
    return "\n".join(lines)


def _sign(secret: str, sig: _Signature, canonical: str) -> str:
    """Steps 2-4: string to sign, signing key (HMAC chain over the scope), hex signature."""
    string_to_sign = "\n".join(
        [ALGORITHM, sig.amz_date, sig.scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = ("AWS4" + secret).encode()
    for part in (sig.scope_date, sig.region, sig.service, sig.terminator):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
