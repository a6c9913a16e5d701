"""The signing shortcuts the client takes give exactly what the general functions give.

Each cheaper form (timestamp and base64 encoding, the prepared HMAC key, field-by-field
timestamp formatting) is checked against the general function it stands for, which
the vendor vectors in test_signing.py pin down.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from aiompsls._core.protocol import SigningKey, format_timestamp
from aiompsls._core.signing import (
    percent_encode,
    percent_encode_base64,
    percent_encode_timestamp,
    v1_signature,
    v1_signer,
)

MOMENTS = st.datetimes(
    min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)
)


@given(MOMENTS)
def test_timestamps_are_formatted_as_strftime_does(moment: datetime):
    aware = moment.replace(tzinfo=UTC)
    assert format_timestamp(aware) == aware.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert format_timestamp(moment) == moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@given(MOMENTS)
def test_a_timestamp_encodes_as_percent_encode_does(moment: datetime):
    text = format_timestamp(moment)
    assert percent_encode_timestamp(text) == percent_encode(text)


@given(st.binary(max_size=64))
def test_base64_text_encodes_as_percent_encode_does(data: bytes):
    text = base64.b64encode(data).decode("ascii")
    assert percent_encode_base64(text) == percent_encode(text)


@given(st.text(max_size=40), st.lists(st.text(max_size=300), max_size=4))
def test_a_prepared_signer_signs_as_v1_signature_does(secret: str, texts: list[str]):
    sign = v1_signer(secret)
    for text in texts:  # one prepared key, many strings
        assert sign(text) == v1_signature(secret, text)


def test_a_signing_key_signs_with_its_own_secret_and_keeps_it_out_of_sight():
    first = SigningKey(access_key_id="id", access_key_secret="one")
    second = SigningKey(access_key_id="id", access_key_secret="two")
    assert first.v1_signer("GET&%2F&x") == v1_signature("one", "GET&%2F&x")
    assert second.v1_signer("GET&%2F&x") == v1_signature("two", "GET&%2F&x")
    same = SigningKey(access_key_id="id", access_key_secret="one")
    assert (same, hash(same)) == (first, hash(first))
    assert "one" not in repr(first)
