"""SRP against pycognito's client, byte for byte: what the real SDKs send must verify, and nothing else."""

from __future__ import annotations

import base64
import hmac
import os
from datetime import UTC, datetime

import gmpy2
import pytest
from pycognito.aws_srp import AWSSRP

from cognate.domain.auth import srp

POOL_ID = "eu-central-1_AbCdEfGhI"
POOL_PART = "AbCdEfGhI"


def _client(username: str, password: str) -> AWSSRP:
    return AWSSRP(username=username, password=password, pool_id=POOL_ID, client_id="c" * 26, client=object())


def _sign_in(username: str, stored_password: str, typed_password: str) -> bool:
    """One USER_SRP_AUTH exchange: pycognito plays the client, srp.py the server."""
    record = srp.make_verifier(POOL_PART, username, stored_password)
    client = _client(username, typed_password)
    a_public = srp.parse_a(format(client.large_a_value, "x"))
    step = srp.server_step(record.verifier)
    secret_block = base64.b64encode(os.urandom(64)).decode()
    answer = client.process_challenge(
        {"USER_ID_FOR_SRP": username, "SALT": format(record.salt, "x"), "SRP_B": format(step.B, "x"),
         "SECRET_BLOCK": secret_block, "USERNAME": username}, {"USERNAME": username})
    when = srp.parse_timestamp(answer["TIMESTAMP"])
    assert when is not None and abs((datetime.now(UTC) - when).total_seconds()) < 60
    key = srp.session_key(a_public, step, record.verifier)
    expected = srp.claim_signature(key, POOL_PART, username, base64.b64decode(secret_block), answer["TIMESTAMP"])
    return hmac.compare_digest(expected, base64.b64decode(answer["PASSWORD_CLAIM_SIGNATURE"]))


def test_the_group_is_rfc_5054_3072_bit() -> None:
    assert srp.N.bit_length() == 3072 and gmpy2.is_prime(srp.N)
    assert srp.N_HEX.startswith("FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1")
    assert srp.N_HEX.endswith("43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF")


def test_k_pads_n_with_a_zero_byte() -> None:
    assert srp.pad_hex(srp.N).startswith("00ff")
    assert srp.pad_hex(2) == "02" and srp.pad_hex(0x80) == "0080" and srp.pad_hex(0xABC) == "0abc"


@pytest.mark.parametrize("username", ["alice", "9f0c6a2e-5b7d-4c1e-8d3a-2b9e7f1c4a60", "ünïcode"])
def test_pycognito_signs_in_with_the_right_password(username: str) -> None:
    assert _sign_in(username, "Correct-Horse-9", "Correct-Horse-9")


def test_a_wrong_password_does_not_verify() -> None:
    assert not _sign_in("alice", "Correct-Horse-9", "Correct-Horse-8")


def test_a_zero_or_oversized_a_is_refused() -> None:
    for bad in ("0", format(srp.N, "x"), format(srp.N * 3, "x"), "zz", "f" * 2000, ""):
        with pytest.raises(ValueError):
            srp.parse_a(bad)


def test_timestamps_follow_cognitos_format() -> None:
    moment = datetime(2022, 2, 1, 3, 4, 5, tzinfo=UTC)
    assert srp.format_timestamp(moment) == "Tue Feb 1 03:04:05 UTC 2022"
    assert srp.parse_timestamp("Tue Feb 1 03:04:05 UTC 2022") == moment
    assert srp.parse_timestamp("Tue Feb 01 03:04:05 UTC 2022") is None  # zero-padded day
    assert srp.parse_timestamp("Wed Feb 1 03:04:05 UTC 2022") is None  # wrong weekday
    with pytest.raises(srp.TimestampFormatError):
        srp.parse_timestamp("2022-02-01T03:04:05+05:30")
