"""Secrets at rest: sealed per purpose, tamper-evident, and never stored in the clear."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag

from cognate.domain.secretbox import SecretBox, decode_master_key, new_master_key


@pytest.fixture
def box() -> SecretBox:
    return SecretBox(decode_master_key(new_master_key()))


def test_round_trip_and_no_plaintext(box: SecretBox) -> None:
    sealed = box.seal("s3cr3t-client-secret", "client-secret")
    assert "s3cr3t" not in sealed
    assert box.open(sealed, "client-secret") == "s3cr3t-client-secret"


def test_each_seal_is_fresh(box: SecretBox) -> None:
    assert box.seal("same", "p") != box.seal("same", "p")


def test_a_ciphertext_of_one_purpose_cannot_be_opened_as_another(box: SecretBox) -> None:
    sealed = box.seal("value", "client-secret")
    with pytest.raises(InvalidTag):
        box.open(sealed, "totp-seed")


def test_another_master_key_cannot_open(box: SecretBox) -> None:
    other = SecretBox(decode_master_key(new_master_key()))
    with pytest.raises(InvalidTag):
        other.open(box.seal("value", "p"), "p")


def test_short_master_key_refused() -> None:
    with pytest.raises(ValueError):
        SecretBox(b"short")


def test_mac_is_keyed_and_purpose_bound(box: SecretBox) -> None:
    other = SecretBox(decode_master_key(new_master_key()))
    assert box.mac("123456", "code") == box.mac("123456", "code")
    assert box.mac("123456", "code") != other.mac("123456", "code")
    assert box.mac("123456", "code") != box.mac("123456", "other")
