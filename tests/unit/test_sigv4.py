"""SigV4 verification against requests signed by botocore itself (the signer every boto3 user runs)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import botocore.session
import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from cognate.domain.errors import (
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)
from cognate.wire.sigv4 import SignedBy, canonical_uri, verify

AKID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLEsessionTOKEN=="
IDP = "cognito-idp"
URL = "http://127.0.0.1:9400/"
BODY = b'{"MaxResults": 10}'


def secrets(akid: str) -> str | None:
    return {AKID: SECRET}.get(akid)


@dataclass
class Signed:
    """A request as the server receives it."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    def verify(
        self,
        *,
        now: datetime | None = None,
        service: str | set[str] = IDP,
        secret_for: Callable[[str], str | None] = secrets,
    ) -> SignedBy:
        moment = datetime.now(UTC) if now is None else now
        return verify(
            self.method, self.path, self.query, self.headers, self.body, secret_for, moment, service
        )


def _received(request: AWSRequest, body: bytes) -> Signed:
    """What an HTTP server sees: botocore signs ``host`` from the URL; the HTTP client sends it."""
    parts = urlsplit(request.url)
    headers = {name: str(value) for name, value in request.headers.items()}
    headers.setdefault("Host", parts.netloc)
    return Signed(request.method, parts.path or "/", parts.query, headers, body)


def sign(
    body: bytes = BODY,
    *,
    url: str = URL,
    method: str = "POST",
    service: str = IDP,
    region: str = "us-east-1",
    credentials: Credentials | None = None,
    extra: dict[str, str] | None = None,
) -> Signed:
    request = AWSRequest(
        method=method,
        url=url,
        data=body,
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools",
            **(extra or {}),
        },
    )
    SigV4Auth(credentials or Credentials(AKID, SECRET), service, region).add_auth(request)
    return _received(request, body)


def presign(url: str, *, expires: int = 300, token: str | None = None) -> Signed:
    request = AWSRequest(method="GET", url=url)
    SigV4QueryAuth(Credentials(AKID, SECRET, token), IDP, "eu-west-1", expires=expires).add_auth(request)
    return _received(request, b"")


# --------------------------------------------------------------------------------------------- accepted


def test_good_signature_is_accepted() -> None:
    signed_by = sign().verify()
    assert signed_by == SignedBy(AKID, "us-east-1", IDP, None)


def test_session_token_is_returned() -> None:
    signed = sign(credentials=Credentials(AKID, SECRET, TOKEN), region="eu-central-1")
    assert signed.headers["X-Amz-Security-Token"] == TOKEN
    signed_by = signed.verify()
    assert (signed_by.region, signed_by.session_token) == ("eu-central-1", TOKEN)


def test_host_with_port_is_signed_with_the_port() -> None:
    signed = sign(url="http://127.0.0.1:9400/")
    assert signed.headers["Host"] == "127.0.0.1:9400"
    assert signed.verify().access_key_id == AKID


def test_default_port_host() -> None:
    signed = sign(url="https://cognito-idp.us-east-1.amazonaws.com/")
    assert signed.headers["Host"] == "cognito-idp.us-east-1.amazonaws.com"
    assert signed.verify().region == "us-east-1"


def test_header_names_are_case_insensitive() -> None:
    signed = sign()
    signed.headers = {name.upper(): value for name, value in signed.headers.items()}
    assert signed.verify().access_key_id == AKID


def test_acceptable_service_set() -> None:
    signed = sign(service="cognito-identity")
    assert signed.verify(service={IDP, "cognito-identity"}).service == "cognito-identity"


def test_clock_skew_within_five_minutes_is_accepted() -> None:
    signed = sign()
    signed.verify(now=datetime.now(UTC) + timedelta(minutes=4))
    signed.verify(now=datetime.now(UTC) - timedelta(minutes=4))


def test_naive_now_is_taken_as_utc() -> None:
    sign().verify(now=datetime.now(UTC).replace(tzinfo=None))


def test_whitespace_in_signed_header_values_is_trimmed_and_collapsed() -> None:
    signed = sign(extra={"X-Amz-User-Agent": "  a   b\tc  "})
    assert "x-amz-user-agent" in signed.headers["Authorization"]
    assert signed.verify().access_key_id == AKID


def test_repeated_headers_are_joined_with_commas() -> None:
    signed = sign(extra={"X-Amz-Meta-Tag": "one,two"})
    pairs = [(k, v) for k, v in signed.headers.items() if k != "X-Amz-Meta-Tag"]
    pairs += [("x-amz-meta-tag", "one"), ("X-Amz-Meta-Tag", "two")]
    assert verify("POST", "/", "", pairs, signed.body, secrets, datetime.now(UTC), IDP).access_key_id == AKID


def test_encoded_path_and_query_are_canonicalised_like_botocore() -> None:
    url = "http://127.0.0.1:9400/identitypools/us-east-1%3Aabc/identities?maxResults=5&nextToken=a%2Fb%3D"
    signed = sign(b"", url=url, method="GET")
    assert signed.path == "/identitypools/us-east-1%3Aabc/identities"
    assert signed.verify().access_key_id == AKID
    assert canonical_uri("/a/./b/../c//d") == "/a/c/d"


def test_matching_content_sha256_header_is_accepted() -> None:
    import hashlib

    signed = sign(extra={"X-Amz-Content-SHA256": hashlib.sha256(BODY).hexdigest()})
    assert signed.verify().access_key_id == AKID


def test_real_botocore_client_request_verifies() -> None:
    """Drive a real client; capture the request it would send, and check it at the server side."""
    captured: list[Signed] = []

    class Captured(Exception):
        pass

    def capture(request: object, **_: object) -> None:
        prepared = request
        parts = urlsplit(prepared.url)  # type: ignore[attr-defined]
        headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in prepared.headers.items()}  # type: ignore[attr-defined]
        headers.setdefault("Host", parts.netloc)
        captured.append(Signed("POST", parts.path, parts.query, headers, prepared.body))  # type: ignore[attr-defined]
        raise Captured

    session = botocore.session.get_session()
    client = session.create_client(
        IDP,
        region_name="ap-southeast-2",
        endpoint_url=URL,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        aws_session_token=TOKEN,
        config=Config(retries={"max_attempts": 0}),
    )
    client.meta.events.register("before-send", capture)
    with pytest.raises(Captured):
        client.list_user_pools(MaxResults=10)
    signed_by = captured[0].verify()
    assert signed_by == SignedBy(AKID, "ap-southeast-2", IDP, TOKEN)


def test_presigned_query_is_accepted() -> None:
    signed = presign("http://127.0.0.1:9400/?Action=Ping&z=1", token=TOKEN)
    assert "X-Amz-Signature=" in signed.query
    assert signed.verify() == SignedBy(AKID, "eu-west-1", IDP, TOKEN)


# --------------------------------------------------------------------------------------------- refused


def test_tampered_body_is_refused() -> None:
    signed = sign()
    signed.body = b'{"MaxResults": 60}'
    with pytest.raises(InvalidSignatureException, match="signature we calculated does not match"):
        signed.verify()


def test_tampered_header_is_refused() -> None:
    signed = sign()
    signed.headers["X-Amz-Target"] = "AWSCognitoIdentityProviderService.DeleteUserPool"
    with pytest.raises(InvalidSignatureException):
        signed.verify()


def test_tampered_path_and_method_are_refused() -> None:
    signed = sign()
    signed.path = "/other"
    with pytest.raises(InvalidSignatureException):
        signed.verify()
    signed = sign()
    signed.method = "PUT"
    with pytest.raises(InvalidSignatureException):
        signed.verify()


def test_wrong_secret_is_refused() -> None:
    signed = sign(credentials=Credentials(AKID, "not-the-secret"))
    with pytest.raises(InvalidSignatureException):
        signed.verify()


def test_unknown_access_key_is_refused() -> None:
    signed = sign(credentials=Credentials("AKIAUNKNOWNKEY000000", SECRET))
    with pytest.raises(
        UnrecognizedClientException, match="security token included in the request is invalid"
    ):
        signed.verify()


def test_missing_authorization_is_refused() -> None:
    signed = sign()
    del signed.headers["Authorization"]
    with pytest.raises(MissingAuthenticationTokenException, match=r"^Missing Authentication Token$"):
        signed.verify()


def test_missing_signature_part_is_incomplete_and_not_echoed() -> None:
    signed = sign()
    header = signed.headers["Authorization"]
    signature = header.rsplit("Signature=", 1)[1]
    signed.headers["Authorization"] = header.replace(f", Signature={signature}", "")
    with pytest.raises(IncompleteSignatureException, match="requires 'Signature' parameter") as caught:
        signed.verify()
    assert "Authorization=AWS4-HMAC-SHA256 Credential=" in caught.value.message
    assert signature not in caught.value.message


def test_signature_value_is_redacted_in_echo() -> None:
    signed = sign()
    header = signed.headers["Authorization"]
    signed.headers["Authorization"] = header.replace("SignedHeaders=", "Signed=")
    with pytest.raises(IncompleteSignatureException, match="requires 'SignedHeaders' parameter") as caught:
        signed.verify()
    assert header.rsplit("Signature=", 1)[1] not in caught.value.message
    assert "Signature=***" in caught.value.message


def test_missing_date_is_incomplete() -> None:
    signed = sign()
    del signed.headers["X-Amz-Date"]
    expected = "requires existence of either a 'X-Amz-Date' or a 'Date' header"
    with pytest.raises(IncompleteSignatureException, match=expected):
        signed.verify()


def test_malformed_date_is_incomplete() -> None:
    signed = sign()
    signed.headers["X-Amz-Date"] = "yesterday"
    with pytest.raises(IncompleteSignatureException, match="ISO-8601"):
        signed.verify()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA1 ", "Unsupported AWS 'algorithm'"),
        ("/aws4_request", "", "exactly 5 slash-delimited elements"),
        ("/aws4_request", "/aws5_request", "valid terminator"),
        ("/us-east-1/", "//", "valid region"),
        ("SignedHeaders=content-type;host;", "SignedHeaders=content-type;", "'Host' or ':authority'"),
        ("Credential=", "Credential ", "missing equal-sign"),
    ],
)
def test_malformed_authorization_is_incomplete(old: str, new: str, message: str) -> None:
    signed = sign()
    assert old in signed.headers["Authorization"]
    signed.headers["Authorization"] = signed.headers["Authorization"].replace(old, new)
    with pytest.raises(IncompleteSignatureException, match=message):
        signed.verify()


def test_wrong_service_in_scope_is_refused() -> None:
    signed = sign(service="cognito-identity")
    with pytest.raises(
        InvalidSignatureException, match=r"^Credential should be scoped to correct service: 'cognito-idp'\. $"
    ):
        signed.verify()


def test_scope_date_must_match_request_date() -> None:
    signed = sign()
    date = signed.headers["X-Amz-Date"]
    next_day = (datetime.strptime(date, "%Y%m%dT%H%M%SZ") + timedelta(days=1)).strftime("%Y%m%dT%H%M%SZ")
    signed.headers["X-Amz-Date"] = next_day
    with pytest.raises(InvalidSignatureException, match="Date in Credential scope does not match"):
        signed.verify()


def test_signature_older_than_five_minutes_is_refused() -> None:
    signed = sign()
    now = datetime.now(UTC) + timedelta(minutes=6)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    earliest = (now - timedelta(minutes=5)).strftime("%Y%m%dT%H%M%SZ")
    expected = (
        f"Signature expired: {signed.headers['X-Amz-Date']} is now earlier than {earliest} ({stamp} - 5 min.)"
    )
    with pytest.raises(InvalidSignatureException) as caught:
        signed.verify(now=now)
    assert caught.value.message == expected


def test_signature_from_the_future_is_refused() -> None:
    signed = sign()
    now = datetime.now(UTC) - timedelta(minutes=6)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    latest = (now + timedelta(minutes=5)).strftime("%Y%m%dT%H%M%SZ")
    signed_at = signed.headers["X-Amz-Date"]
    expected = f"Signature not yet current: {signed_at} is still later than {latest} ({stamp} + 5 min.)"
    with pytest.raises(InvalidSignatureException) as caught:
        signed.verify(now=now)
    assert caught.value.message == expected


def test_content_sha256_header_must_match_body() -> None:
    signed = sign(extra={"X-Amz-Content-SHA256": "0" * 64})
    with pytest.raises(InvalidSignatureException, match="x-amz-content-sha256"):
        signed.verify()


def test_presigned_query_expires() -> None:
    signed = presign("http://127.0.0.1:9400/?Action=Ping", expires=60)
    with pytest.raises(InvalidSignatureException, match="Signature expired"):
        signed.verify(now=datetime.now(UTC) + timedelta(seconds=120))


def test_presigned_query_tampered_is_refused() -> None:
    signed = presign("http://127.0.0.1:9400/?Action=Ping")
    signed.query = signed.query.replace("Action=Ping", "Action=DeleteEverything")
    with pytest.raises(InvalidSignatureException):
        signed.verify()


def test_presigned_query_missing_parameter_is_incomplete() -> None:
    signed = presign("http://127.0.0.1:9400/?Action=Ping")
    signed.query = "&".join(p for p in signed.query.split("&") if not p.startswith("X-Amz-Expires="))
    with pytest.raises(IncompleteSignatureException, match="X-Amz-Expires"):
        signed.verify()
