"""The front door of the AWS JSON 1.1 protocol: X-Amz-Target dispatch, bodies, response headers, CORS, SigV4,
regions, and a sweep of bad input generated from botocore's model for every implemented operation.

What a client sees is AWS's: HTTP 400 with ``{"__type": ..., "message": ...}`` and the ``x-amzn-ErrorType``
header (api-surface.md §1.1), never a 5xx for anything the caller sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore import xform_name
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from botocore.model import Shape

import cognate.api.idp  # noqa: F401  (registers the handlers, so `implemented` knows them)
from cognate.wire.registry import implemented
from cognate.wire.shapes import java_pattern, load_service_model
from support.factories import create_client, create_pool, strong_password, unique_name
from support.server import AMZ_JSON, IDP_TARGET_PREFIX, ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY, CognateServer

MODEL = load_service_model("cognito-idp")
IMPLEMENTED = implemented("cognito-idp")
NOT_IMPLEMENTED = [op for op in MODEL.operation_names() if op not in IMPLEMENTED]
UNSIGNED = [op for op in MODEL.operation_names() if MODEL.is_unsigned(op)]
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def target(op: str) -> str:
    return f"{IDP_TARGET_PREFIX}.{op}"


def assert_aws_error(status: int, headers: dict[str, str], body: Any, expected: str | set[str] | None = None,
                     where: str = "") -> None:
    """A 4xx AWS JSON error: ``__type`` and ``message`` in the body, the type in ``x-amzn-ErrorType``."""
    assert 400 <= status < 500, f"{where}: status {status}, body {body!r}"
    assert isinstance(body, dict) and body.get("__type"), f"{where}: body {body!r}"
    assert isinstance(body.get("message"), str), f"{where}: body {body!r}"
    assert headers.get("x-amzn-errortype", "").split(":")[0] == body["__type"], f"{where}: headers {headers!r}"
    assert UUID.match(headers.get("x-amzn-requestid", "")), f"{where}: headers {headers!r}"
    if expected is not None:
        wanted = {expected} if isinstance(expected, str) else expected
        assert body["__type"] in wanted, f"{where}: expected {wanted}, got {body!r}"


def sign(server: CognateServer, op: str, body: bytes, *, key: str = ROOT_ACCESS_KEY_ID,
         secret: str = ROOT_SECRET_ACCESS_KEY, region: str = "us-east-1", when: datetime | None = None,
         service: str = "cognito-idp") -> dict[str, str]:
    """Headers of a request to ``op`` signed by botocore's own SigV4 signer, at ``when`` (default: now)."""
    request = AWSRequest(method="POST", url=f"{server.url}/", data=body,
                         headers={"Content-Type": AMZ_JSON, "X-Amz-Target": target(op)})
    moment = (when or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    with mock.patch("botocore.auth.get_current_datetime", return_value=moment):
        SigV4Auth(Credentials(key, secret), service, region).add_auth(request)
    return {str(k): str(v) for k, v in request.headers.items()}


def post(server: CognateServer, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
    status, resp_headers, raw = server.request("POST", "/", body, headers)
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode("utf-8", "replace")
    return status, resp_headers, parsed


# --- dispatch -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [
    f"{IDP_TARGET_PREFIX}.NoSuchOperation",
    "AWSCognitoIdentityProviderService",
    "SomeOtherService.ListUserPools",
    f"{IDP_TARGET_PREFIX.lower()}.ListUserPools",
    "",
], ids=["unknown-op", "prefix-only", "unknown-service", "wrong-case", "empty"])
def test_unknown_target(server: CognateServer, header: str) -> None:
    status, headers, body = server.raw_post("ListUserPools", {"MaxResults": 1}, headers={"X-Amz-Target": header})
    assert_aws_error(status, headers, body, "UnknownOperationException")


def test_missing_target(server: CognateServer) -> None:
    status, headers, body = server.raw_post("ListUserPools", {"MaxResults": 1}, headers={"X-Amz-Target": None})
    assert_aws_error(status, headers, body, "UnknownOperationException")


def test_unimplemented_operations_through_boto3(idp: Any, idp_public: Any) -> None:
    """What an SDK user sees for an operation Cognate lacks: UnsupportedOperationException naming it."""
    signed = [op for op in NOT_IMPLEMENTED if not MODEL.is_unsigned(op)][:3]
    public = [op for op in NOT_IMPLEMENTED if MODEL.is_unsigned(op)][:3]
    if "AdminListUserAuthEvents" in NOT_IMPLEMENTED:
        signed.insert(0, "AdminListUserAuthEvents")
    for op, client in [(op, idp) for op in signed] + [(op, idp_public) for op in public]:
        with pytest.raises(ClientError) as excinfo:
            getattr(client, xform_name(op))(**request_for(op, {}, full=False))
        error = excinfo.value.response["Error"]
        assert error["Code"] == "UnsupportedOperationException", (op, error)
        assert op in error["Message"]
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize("op", NOT_IMPLEMENTED)
def test_every_unimplemented_operation_is_refused_by_name(server: CognateServer, op: str) -> None:
    status, headers, body = server.raw_post(op, request_for(op, {}, full=False), signed=not MODEL.is_unsigned(op))
    assert_aws_error(status, headers, body, "UnsupportedOperationException", op)
    assert status == 400 and op in body["message"]


# --- bodies -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [
    b"{not json", b'{"MaxResults": 1', b"\xff\xfe\x00garbage", b"[]", b'[{"MaxResults": 1}]', b'"text"', b"42",
    b"null", b"true", b'{"MaxResults": 1} trailing',
    b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
], ids=["garbage", "truncated", "not-utf8", "empty-array", "array", "string", "number", "null", "true", "trailing",
        "deeply-nested"])
def test_body_that_is_not_a_json_object(server: CognateServer, raw: bytes) -> None:
    status, headers, body = server.raw_post("ListUserPools", raw, signed=True)
    assert_aws_error(status, headers, body, "SerializationException")
    status, headers, body = server.raw_post("SignUp", raw)
    assert_aws_error(status, headers, body, "SerializationException")


def test_empty_body_is_an_empty_object(server: CognateServer) -> None:
    status, headers, body = server.raw_post("ListUserPools", b"", signed=True)
    assert_aws_error(status, headers, body, "InvalidParameterException")
    assert "maxResults" in body["message"]


def test_null_members_count_as_absent(server: CognateServer) -> None:
    status, _, body = server.raw_post("ListUserPools", {"MaxResults": 2, "NextToken": None}, signed=True)
    assert status == 200 and isinstance(body["UserPools"], list)
    status, headers, body = server.raw_post("ListUserPools", {"MaxResults": None}, signed=True)
    assert_aws_error(status, headers, body, "InvalidParameterException")


def test_null_map_values_count_as_absent(server: CognateServer, idp: Any) -> None:
    """amazon-cognito-identity-js answers a forgotten device by sending ``"DEVICE_KEY": null``."""
    pool_id = create_pool(idp)["Id"]
    client_id = create_client(idp, pool_id, ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                                                "ALLOW_REFRESH_TOKEN_AUTH"])["ClientId"]
    username, password = unique_name(), strong_password()
    idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
    status, _, body = server.raw_post("InitiateAuth", {
        "ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": username, "PASSWORD": password, "DEVICE_KEY": None, "SECRET_HASH": None}})
    assert status == 200 and body["AuthenticationResult"]["AccessToken"]


def test_unknown_members_are_ignored(server: CognateServer) -> None:
    status, _, body = server.raw_post("ListUserPools", {"MaxResults": 2, "FromTheFuture": {"x": 1}}, signed=True)
    assert status == 200 and "UserPools" in body


def test_validation_message_names_every_violation(server: CognateServer) -> None:
    status, headers, body = server.raw_post("CreateUserPoolClient", {"UserPoolId": "bad id", "ClientName": ""},
                                            signed=True)
    assert_aws_error(status, headers, body, "InvalidParameterException")
    assert body["message"].startswith("3 validation errors detected")
    assert "'userPoolId'" in body["message"] and "'clientName'" in body["message"]


def test_sensitive_values_are_not_echoed(server: CognateServer) -> None:
    password = "Secret-" + "p" * 300
    status, headers, body = server.raw_post("SignUp", {"ClientId": "a" * 26, "Username": "u", "Password": password})
    assert_aws_error(status, headers, body, "InvalidParameterException")
    assert "'password'" in body["message"] and "Secret-" not in body["message"]


def test_plain_json_content_type_is_accepted(server: CognateServer) -> None:
    status, _, body = server.raw_post("ListUserPools", {"MaxResults": 1},
                                      headers={"Content-Type": "application/json"}, signed=True)
    assert status == 200 and "UserPools" in body


# --- response headers and CORS ------------------------------------------------------------------------------


def test_success_carries_request_id_and_json_content_type(server: CognateServer) -> None:
    ids = set()
    for _ in range(3):
        status, headers, body = server.raw_post("ListUserPools", {"MaxResults": 1}, signed=True)
        assert status == 200 and isinstance(body, dict)
        assert UUID.match(headers["x-amzn-requestid"])
        assert headers["content-type"].startswith(AMZ_JSON)
        assert "x-amzn-errortype" not in headers
        ids.add(headers["x-amzn-requestid"])
    assert len(ids) == 3


def test_error_carries_type_header_and_request_id(server: CognateServer) -> None:
    status, headers, body = server.raw_post("DescribeUserPool", {"UserPoolId": "us-east-1_000000000"}, signed=True)
    assert_aws_error(status, headers, body, "ResourceNotFoundException")
    assert headers["x-amzn-errortype"].startswith("ResourceNotFoundException")
    assert headers["content-type"].startswith(AMZ_JSON)


def test_boto3_sees_the_request_id(idp: Any) -> None:
    meta = idp.list_user_pools(MaxResults=1)["ResponseMetadata"]
    assert UUID.match(meta["RequestId"])
    with pytest.raises(ClientError) as excinfo:
        idp.describe_user_pool(UserPoolId="us-east-1_000000000")
    assert UUID.match(excinfo.value.response["ResponseMetadata"]["RequestId"])
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_cors_preflight(server: CognateServer) -> None:
    status, headers, _ = server.request("OPTIONS", "/", headers={
        "Origin": "https://app.example.com", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-user-agent"})
    assert status in (200, 204)
    assert headers["access-control-allow-origin"] in ("*", "https://app.example.com")
    assert "POST" in headers["access-control-allow-methods"]
    allowed = headers["access-control-allow-headers"].lower()
    assert allowed == "*" or {"content-type", "x-amz-target", "x-amz-user-agent"} <= set(
        h.strip() for h in allowed.split(","))


def test_cors_headers_on_answers(server: CognateServer) -> None:
    status, headers, _ = server.raw_post("SignUp", {"ClientId": "a" * 26, "Username": "u", "Password": "Pw-1234567"},
                                         headers={"Origin": "https://app.example.com"})
    assert status == 400
    assert headers["access-control-allow-origin"] in ("*", "https://app.example.com")
    exposed = {h.strip().lower() for h in headers["access-control-expose-headers"].split(",")}
    assert {"x-amzn-requestid", "x-amzn-errortype"} <= exposed


# --- SigV4 --------------------------------------------------------------------------------------------------


LIST = json.dumps({"MaxResults": 1}).encode()


def test_correctly_signed_request_is_served(server: CognateServer) -> None:
    status, _, body = post(server, LIST, sign(server, "ListUserPools", LIST))
    assert status == 200 and "UserPools" in body


def test_signed_operation_sent_unsigned(server: CognateServer, idp_public: Any) -> None:
    status, headers, body = server.raw_post("ListUserPools", {"MaxResults": 1})
    assert_aws_error(status, headers, body, "MissingAuthenticationTokenException")
    assert status == 400
    with pytest.raises(ClientError) as excinfo:
        idp_public.create_user_pool(PoolName=unique_name("pool"))
    assert excinfo.value.response["Error"]["Code"] == "MissingAuthenticationTokenException"


def test_wrong_secret(server: CognateServer) -> None:
    status, headers, body = post(server, LIST, sign(server, "ListUserPools", LIST, secret="x" * 40))
    assert_aws_error(status, headers, body, "InvalidSignatureException")
    wrong = boto3.session.Session().client(
        "cognito-idp", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id=ROOT_ACCESS_KEY_ID,
        aws_secret_access_key="y" * 40, config=Config(retries={"total_max_attempts": 1}))
    with pytest.raises(ClientError) as excinfo:
        wrong.list_user_pools(MaxResults=1)
    assert excinfo.value.response["Error"]["Code"] == "InvalidSignatureException"


def test_unknown_access_key(server: CognateServer) -> None:
    status, headers, body = post(server, LIST, sign(server, "ListUserPools", LIST, key="AKIAUNKNOWNUNKNOWN00"))
    assert_aws_error(status, headers, body, "UnrecognizedClientException")


def test_session_token_with_a_long_term_key(server: CognateServer) -> None:
    request = AWSRequest(method="POST", url=f"{server.url}/", data=LIST,
                         headers={"Content-Type": AMZ_JSON, "X-Amz-Target": target("ListUserPools")})
    SigV4Auth(Credentials(ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY, token="made-up-session-token"),
              "cognito-idp", "us-east-1").add_auth(request)
    status, headers, body = post(server, LIST, {str(k): str(v) for k, v in request.headers.items()})
    assert_aws_error(status, headers, body, "UnrecognizedClientException")


def test_expired_signature(server: CognateServer) -> None:
    old = datetime.now(UTC) - timedelta(minutes=10)
    status, headers, body = post(server, LIST, sign(server, "ListUserPools", LIST, when=old))
    assert_aws_error(status, headers, body, "InvalidSignatureException")
    assert "Signature expired" in body["message"]


def test_signature_from_the_future(server: CognateServer) -> None:
    later = datetime.now(UTC) + timedelta(minutes=10)
    status, headers, body = post(server, LIST, sign(server, "ListUserPools", LIST, when=later))
    assert_aws_error(status, headers, body, "InvalidSignatureException")
    assert "not yet current" in body["message"]


def test_small_clock_skew_is_tolerated(server: CognateServer) -> None:
    skewed = datetime.now(UTC) - timedelta(minutes=3)
    status, _, body = post(server, LIST, sign(server, "ListUserPools", LIST, when=skewed))
    assert status == 200, body


def test_body_changed_after_signing(server: CognateServer) -> None:
    headers = sign(server, "ListUserPools", LIST)
    tampered = json.dumps({"MaxResults": 2}).encode()
    status, resp_headers, body = post(server, tampered, headers)
    assert_aws_error(status, resp_headers, body, "InvalidSignatureException")


def test_target_changed_after_signing(server: CognateServer) -> None:
    headers = sign(server, "ListUserPools", LIST)
    headers["X-Amz-Target"] = target("DeleteUserPool")
    status, resp_headers, body = post(server, json.dumps({"UserPoolId": "us-east-1_000000000"}).encode(), headers)
    assert_aws_error(status, resp_headers, body, "InvalidSignatureException")


def test_signed_for_another_service(server: CognateServer) -> None:
    status, headers, body = post(server, LIST, sign(server, "ListUserPools", LIST, service="sts"))
    assert_aws_error(status, headers, body, {"InvalidSignatureException", "IncompleteSignatureException"})


@pytest.mark.parametrize("authorization", [
    "AWS4-HMAC-SHA256 garbage",
    "AWS4-HMAC-SHA256 Credential=AKIACOGNATETEST00001/20240101/us-east-1/cognito-idp/aws4_request",
    "AWS4-HMAC-SHA256 Credential=AKIACOGNATETEST00001, SignedHeaders=host, Signature=abc",
    "AWS4-HMAC-SHA256 Credential=AKIACOGNATETEST00001/20240101/us-east-1/cognito-idp/aws4_request, "
    "SignedHeaders=content-type, Signature=abc",
    "Bearer abc.def.ghi",
    "AWS4-HMAC-SHA256",
], ids=["no-pairs", "no-signature", "short-credential", "host-not-signed", "bearer", "algorithm-only"])
def test_malformed_authorization(server: CognateServer, authorization: str) -> None:
    headers = sign(server, "ListUserPools", LIST)
    headers["Authorization"] = authorization
    status, resp_headers, body = post(server, LIST, headers)
    assert_aws_error(status, resp_headers, body, "IncompleteSignatureException")


def test_signed_request_is_served_in_the_region_it_names(server: CognateServer) -> None:
    body = json.dumps({"PoolName": unique_name("ap")}).encode()
    status, _, created = post(server, body, sign(server, "CreateUserPool", body, region="ap-southeast-2"))
    assert status == 200 and created["UserPool"]["Id"].startswith("ap-southeast-2_")


@pytest.mark.parametrize("region", ["us_east_1", "eu-west-1%", "-bad", "a" * 64])
def test_region_that_cannot_name_a_pool_is_refused(server: CognateServer, region: str) -> None:
    body = json.dumps({"PoolName": unique_name("bad")}).encode()
    status, headers, answer = post(server, body, sign(server, "CreateUserPool", body, region=region))
    assert_aws_error(status, headers, answer, "IncompleteSignatureException")


@pytest.mark.parametrize("op", UNSIGNED)
def test_public_operations_need_no_signature(server: CognateServer, op: str) -> None:
    status, headers, body = server.raw_post(op, {})
    assert_aws_error(status, headers, body, {"InvalidParameterException", "UnsupportedOperationException"}, op)


def test_public_operations_through_an_unsigned_sdk_client(idp: Any, idp_public: Any) -> None:
    pool = create_pool(idp)
    client_id = create_client(idp, pool["Id"])["ClientId"]
    username = unique_name("u")
    result = idp_public.sign_up(ClientId=client_id, Username=username, Password=strong_password())
    assert result["UserConfirmed"] is False and UUID.match(result["UserSub"])
    with pytest.raises(ClientError) as excinfo:
        idp_public.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode="000000")
    assert excinfo.value.response["Error"]["Code"] in ("CodeMismatchException", "ExpiredCodeException")
    with pytest.raises(ClientError) as excinfo:
        idp_public.resend_confirmation_code(ClientId=client_id, Username=username)
    # No auto-verified attribute: nothing to resend to, but the call got past authentication.
    assert excinfo.value.response["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:
        idp_public.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": username, "PASSWORD": "x"})
    assert excinfo.value.response["Error"]["Code"] != "MissingAuthenticationTokenException"


def test_public_operation_signed_anyway(server: CognateServer, idp: Any) -> None:
    pool = create_pool(idp)
    client_id = create_client(idp, pool["Id"])["ClientId"]
    status, _, body = server.raw_post("SignUp", {"ClientId": client_id, "Username": unique_name("u"),
                                                 "Password": strong_password()}, signed=True)
    assert status == 200 and body["UserConfirmed"] is False


# --- bad-input sweep over every implemented operation --------------------------------------------------------

# Strings tried, in order, for a member the sweep knows nothing about: the first that fits the member's
# length and pattern is used.
GENERIC_STRINGS = (
    "user-name", "Level1", "import-a1b2c3d4e5", "us-east-1_000000000", "a" * 26, "Passw0rd!x", "someone@example.com", "https://example.com/cb",
    "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_000000000", "123456",
    "Your code is {####}", "Your username is {username} and temporary password is {####}.",
    "abcdefghijklmnopqrstuvwxyz0123456789", "0f8fad5b-d9cb-469f-a165-70867728950e", "terms-of-use",
    "tkn" + "a" * 25, "a",
)
MAX_DEPTH = 4
# Values by member name, where the generic candidates would be refused for a reason of no interest.
NAME_HINTS = {
    **{name: "Passw0rd!Xy" for name in ("Password", "TemporaryPassword", "ProposedPassword", "PreviousPassword")},
    **{name: "name" for name in ("Name", "ReadAttributes", "WriteAttributes", "AttributesToGet",
                                 "UserAttributeNames")},
    **{name: "https://example.com/cb" for name in ("CallbackURLs", "LogoutURLs", "DefaultRedirectURI")},
}
# Members a "full" request leaves out: a made-up pagination token can only be refused.
NOT_FILLED = {"NextToken", "PaginationToken"}


def fits(shape: Shape, value: str) -> bool:
    meta = shape.metadata
    if not meta.get("min", 0) <= len(value) <= meta.get("max", 1 << 30):
        return False
    pattern = meta.get("pattern")
    compiled = java_pattern(pattern) if pattern is not None else None
    return compiled is None or compiled.fullmatch(value) is not None


def string_for(shape: Shape, name: str, known: dict[str, str]) -> str:
    enum = shape.metadata.get("enum")
    if enum:
        return str(enum[0])
    hints = [known[name]] if name in known else [NAME_HINTS[name]] if name in NAME_HINTS else []
    for candidate in hints + list(GENERIC_STRINGS):
        if fits(shape, candidate):
            return candidate
    return "a" * max(1, int(shape.metadata.get("min", 1)))


def value_for(shape: Shape, name: str, known: dict[str, str], full: bool, depth: int = 0) -> Any:
    """A value of ``shape`` that passes validation where the sweep can tell how; ``full`` fills every member."""
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        members = shape.members if full and depth < MAX_DEPTH else {
            n: shape.members[n] for n in shape.required_members}
        return {n: value_for(s, n, known, full, depth + 1) for n, s in members.items()}
    if kind == "list":
        return [value_for(shape.member, name, known, full, depth + 1)] if full or meta.get("min") else []
    if kind == "map":
        key = string_for(shape.key, "key", known)
        return {key: value_for(shape.value, key, known, full, depth + 1)} if full or meta.get("min") else {}
    if kind == "string":
        return string_for(shape, name, known)
    if kind in ("integer", "long"):
        return int(min(max(1, meta.get("min", 1)), meta.get("max", 1 << 31)))
    if kind in ("double", "float"):
        return 1.0
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return 1700000000
    if kind == "blob":
        return "AAAA"
    return None


def request_for(op: str, known: dict[str, str], full: bool) -> dict[str, Any]:
    shape = MODEL.input_shape(op)
    if shape is None:
        return {}
    body: dict[str, Any] = value_for(shape, "", known, full)
    return {k: v for k, v in body.items() if not (full and k in NOT_FILLED)}


def wrong_type(shape: Shape) -> Any:
    return {"string": 12345, "integer": "twelve", "long": "twelve", "boolean": "yes", "double": "1.5x",
            "float": "1.5x", "timestamp": "yesterday", "blob": "!!not base64!!", "structure": "text",
            "list": "text", "map": ["not", "a", "map"]}.get(shape.type_name, 12345)


def oversize_paths(op: str) -> Iterator[tuple[list[str], Shape]]:
    """Paths (top level, then one structure deep) to string members with a maximum length."""
    members = MODEL.input_members(op)
    for name, shape in members.items():
        if shape.type_name == "string" and "max" in shape.metadata and "enum" not in shape.metadata:
            yield [name], shape
    for name, shape in members.items():
        if shape.type_name == "structure":
            for inner, inner_shape in shape.members.items():
                if inner_shape.type_name == "string" and "max" in inner_shape.metadata:
                    yield [name, inner], inner_shape


def send(server: CognateServer, op: str, body: Any) -> tuple[int, dict[str, str], Any]:
    return server.raw_post(op, body if isinstance(body, bytes) else json.dumps(body).encode(),
                           signed=not MODEL.is_unsigned(op))


def member_names(shape: Shape, depth: int = 0) -> set[str]:
    """Names of a shape's members and of their members (two levels), as a refusal may name them."""
    if shape.type_name != "structure" or depth > 1:
        return set()
    names = set(shape.members)
    for inner in shape.members.values():
        names |= member_names(inner, depth + 1)
    return names


def blamed(op: str, body: dict[str, Any], message: str) -> list[str]:
    """Optional top-level members of ``body`` that a refusal's message names (or names a member of)."""
    members = MODEL.input_members(op)
    out = []
    for name in body:
        if name in MODEL.required_members(op):
            continue
        names = {name, name[:1].lower() + name[1:]} | member_names(members[name])
        if any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", message) for n in names):
            out.append(name)
    return out


@pytest.fixture
def known(idp: Any, idp_public: Any) -> dict[str, str]:
    """Real resources for the sweep to name: a pool, a client and a user of their own."""
    pool = create_pool(idp, UserPoolTags={"sweep": "yes"})
    client = create_client(idp, pool["Id"])
    username = unique_name("u")
    idp_public.sign_up(ClientId=client["ClientId"], Username=username, Password=strong_password())
    return {"UserPoolId": pool["Id"], "ClientId": client["ClientId"], "Username": username,
            "ResourceArn": pool["Arn"], "PoolName": unique_name("sweep"), "ClientName": unique_name("sweep")}


@pytest.mark.parametrize("op", IMPLEMENTED)
def test_sweep_missing_required_members(server: CognateServer, op: str) -> None:
    base = request_for(op, {}, full=False)
    required = MODEL.required_members(op)
    for name in required:
        body = {k: v for k, v in base.items() if k != name}
        status, headers, answer = send(server, op, body)
        assert_aws_error(status, headers, answer, "InvalidParameterException", f"{op} without {name}")
        assert f"'{name[:1].lower() + name[1:]}'" in answer["message"], f"{op} without {name}: {answer}"
    if required:
        status, headers, answer = send(server, op, {})
        assert_aws_error(status, headers, answer, "InvalidParameterException", f"{op} with {{}}")


@pytest.mark.parametrize("op", IMPLEMENTED)
def test_sweep_wrong_types(server: CognateServer, op: str) -> None:
    base = request_for(op, {}, full=False)
    for name, shape in MODEL.input_members(op).items():
        if shape.metadata.get("document"):
            continue
        body = {**base, name: wrong_type(shape)}
        status, headers, answer = send(server, op, body)
        assert_aws_error(status, headers, answer, "SerializationException", f"{op} with {name} of the wrong type")


@pytest.mark.parametrize("op", [op for op in IMPLEMENTED if any(True for _ in oversize_paths(op))])
def test_sweep_oversize_strings(server: CognateServer, op: str) -> None:
    base = request_for(op, {}, full=False)
    paths = list(oversize_paths(op))
    for path, shape in paths:
        body = json.loads(json.dumps(base))
        holder = body
        for part in path[:-1]:
            holder = holder.setdefault(part, {})
        holder[path[-1]] = "a" * (int(shape.metadata["max"]) + 1)
        status, headers, answer = send(server, op, body)
        where = f"{op} with {'.'.join(path)} over {shape.metadata['max']} characters"
        assert_aws_error(status, headers, answer, "InvalidParameterException", where)
        assert "length less than or equal to" in answer["message"], f"{where}: {answer}"


@pytest.mark.parametrize("op", IMPLEMENTED)
def test_sweep_garbage_json(server: CognateServer, op: str) -> None:
    for raw in (b"{garbage", b"[1, 2]", b'{"UserPoolId": "us-east-1_000000000"'):
        status, headers, answer = send(server, op, raw)
        assert_aws_error(status, headers, answer, "SerializationException", f"{op} with body {raw!r}")


@pytest.mark.parametrize("op", IMPLEMENTED)
def test_sweep_well_formed_requests_never_fail_the_server(server: CognateServer, known: dict[str, str],
                                                           op: str) -> None:
    """Every member set (or only the required ones), naming real or unknown resources: 200 or a 4xx error.

    When a full request is refused because of one member (named in the message), it is sent again without it,
    so the rest of the request reaches the operation too."""
    for full in (False, True):
        for names in (known, {}):
            body = request_for(op, names, full)
            for _ in range(12):
                status, headers, answer = send(server, op, body)
                where = f"{op} full={full} known={bool(names)} body={json.dumps(body)[:600]}"
                if status != 200:
                    assert_aws_error(status, headers, answer, None, where)
                assert isinstance(answer, dict), where
                culprits = [] if status == 200 else blamed(op, body, answer["message"])
                if not culprits:
                    break
                body = {k: v for k, v in body.items() if k not in culprits}
