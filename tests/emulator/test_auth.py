"""Tests for aiompsls.emulator.auth: v1 (HMAC-SHA1) verification, timestamps, nonces.

Requests are signed with aiompsls._core.signing (its golden vectors are tested in
tests/core/test_signing.py); here each check of the verifier is proved to reject
exactly what it must, with the gateway's code and status, and to accept the rest.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest

from aiompsls._core import signing
from aiompsls.emulator._registry import EmulatedError
from aiompsls.emulator.auth import NonceStore, parse_timestamp, verify, verify_v1
from aiompsls.emulator.calls import KeyPair, SignedCall
from aiompsls.emulator.gateway import STRING_TO_SIGN_PREFIX

NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
KEY = KeyPair(access_key_id="testid", access_key_secret="testsecret")
STS_KEY = KeyPair(
    access_key_id="stsid", access_key_secret="stssecret", security_token="tok"
)
KEYS = {KEY.access_key_id: KEY, STS_KEY.access_key_id: STS_KEY}
MINUTE = timedelta(minutes=1)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def v1_call(
    *,
    method: str = "POST",
    extra: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    secret: str = KEY.access_key_secret,
    key_id: str = KEY.access_key_id,
    when: datetime = NOW,
    nonce: str = "nonce-1",
) -> SignedCall:
    query = {
        "Action": "ListSpace",
        "Version": "2019-06-15",
        "Format": "JSON",
        "AccessKeyId": key_id,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": nonce,
        "Timestamp": stamp(when),
        **(extra or {}),
    }
    body = {"PageSize": "5", "Name": "a b*~/"} if form is None else form
    query["Signature"] = signing.sign_v1_params(
        {**query, **body}, method=method, access_key_secret=secret
    )
    return SignedCall(method=method, query=query, form=body)


def with_query(call: SignedCall, **changes: str) -> SignedCall:
    return attrs.evolve(call, query={**call.query, **changes})


def with_form(call: SignedCall, **changes: str) -> SignedCall:
    return attrs.evolve(call, form={**call.form, **changes})


def without(call: SignedCall, name: str) -> SignedCall:
    return attrs.evolve(call, query={k: v for k, v in call.query.items() if k != name})


def rejects(
    call: SignedCall, code: str, status: int, *, nonces: NonceStore | None = None
) -> EmulatedError:
    with pytest.raises(EmulatedError) as info:
        verify(call, keys=KEYS, nonces=nonces or NonceStore(), now=NOW)
    assert (info.value.code, info.value.status) == (code, status)
    return info.value


def test_v1_accepts_a_signed_request_over_query_and_form() -> None:
    verified = verify_v1(v1_call(), keys=KEYS, nonces=NonceStore(), now=NOW)
    assert (verified.style, verified.access_key_id) == ("v1", "testid")
    assert (verified.action, verified.version) == ("ListSpace", "2019-06-15")
    assert verified.params["PageSize"] == "5"
    assert verified.params["Name"] == "a b*~/"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_v1_signs_the_http_method(method: str) -> None:
    call = v1_call(method=method)
    verify(call, keys=KEYS, nonces=NonceStore(), now=NOW)
    other = "POST" if method == "GET" else "GET"
    rejects(attrs.evolve(call, method=other), "SignatureDoesNotMatch", 400)


@pytest.mark.parametrize(
    "name",
    [
        "AccessKeyId",
        "Signature",
        "SignatureMethod",
        "SignatureNonce",
        "Timestamp",
        "Version",
        "Action",
    ],
)
def test_v1_missing_common_parameter_is_missing_parameter(name: str) -> None:
    error = rejects(without(v1_call(), name), "MissingParameter", 400)
    assert f'"{name}"' in error.message


V1_REJECTIONS = [
    pytest.param(
        v1_call(extra={"SignatureMethod": "HMAC-SHA256"}),
        "InvalidSignatureMethod",
        400,
        id="sha256-method",
    ),
    pytest.param(
        v1_call(extra={"Timestamp": "2024-05-06 07:08:09"}),
        "InvalidTimeStamp.Format",
        400,
        id="timestamp-with-space",
    ),
    pytest.param(
        v1_call(extra={"Timestamp": "2024-13-06T07:08:09Z"}),
        "InvalidTimeStamp.Format",
        400,
        id="timestamp-month-13",
    ),
    pytest.param(
        v1_call(extra={"Timestamp": "1714979289"}),
        "InvalidTimeStamp.Format",
        400,
        id="timestamp-epoch",
    ),
    pytest.param(
        v1_call(when=NOW - 16 * MINUTE),
        "InvalidTimeStamp.Expired",
        400,
        id="stale-past",
    ),
    pytest.param(
        v1_call(when=NOW + 16 * MINUTE),
        "InvalidTimeStamp.Expired",
        400,
        id="stale-future",
    ),
    pytest.param(
        v1_call(key_id="nobody"), "InvalidAccessKeyId.NotFound", 404, id="unknown-key"
    ),
    pytest.param(
        v1_call(secret="wrong"), "SignatureDoesNotMatch", 400, id="wrong-secret"
    ),
    pytest.param(
        with_query(v1_call(), Action="DeleteSpace"),
        "SignatureDoesNotMatch",
        400,
        id="tampered-action",
    ),
    pytest.param(
        with_form(v1_call(), PageSize="6"),
        "SignatureDoesNotMatch",
        400,
        id="tampered-form-param",
    ),
    pytest.param(
        with_query(v1_call(), PageNum="2"),
        "SignatureDoesNotMatch",
        400,
        id="added-query-param",
    ),
    pytest.param(
        v1_call(key_id="stsid", secret="stssecret"),
        "MissingSecurityToken",
        400,
        id="sts-key-without-token",
    ),
    pytest.param(
        v1_call(key_id="stsid", secret="stssecret", extra={"SecurityToken": "other"}),
        "InvalidSecurityToken.MismatchWithAccessKey",
        400,
        id="sts-key-wrong-token",
    ),
    pytest.param(
        v1_call(extra={"SecurityToken": "tok"}),
        "InvalidSecurityToken.MismatchWithAccessKey",
        400,
        id="token-on-permanent-key",
    ),
]


@pytest.mark.parametrize(("call", "code", "status"), V1_REJECTIONS)
def test_v1_rejections(call: SignedCall, code: str, status: int) -> None:
    rejects(call, code, status)


def test_v1_timestamp_inside_the_window_either_way_is_accepted() -> None:
    for moment in (NOW - 15 * MINUTE, NOW + 15 * MINUTE):
        verify(v1_call(when=moment), keys=KEYS, nonces=NonceStore(), now=NOW)


def test_v1_sts_key_with_its_token_is_accepted() -> None:
    call = v1_call(key_id="stsid", secret="stssecret", extra={"SecurityToken": "tok"})
    assert (
        verify(call, keys=KEYS, nonces=NonceStore(), now=NOW).access_key_id == "stsid"
    )


def test_v1_mismatch_message_carries_the_server_string_to_sign() -> None:
    call = v1_call(secret="wrong")
    error = rejects(call, "SignatureDoesNotMatch", 400)
    expected = signing.v1_string_to_sign("POST", call.params)
    assert error.message.endswith(STRING_TO_SIGN_PREFIX + expected)
    assert error.message.startswith(
        "Specified signature is not matched with our calculation."
    )


def test_replayed_nonce_is_rejected_but_a_forged_request_does_not_burn_it() -> None:
    nonces = NonceStore()
    rejects(v1_call(secret="wrong"), "SignatureDoesNotMatch", 400, nonces=nonces)
    verify(v1_call(), keys=KEYS, nonces=nonces, now=NOW)
    rejects(v1_call(), "SignatureNonceUsed", 400, nonces=nonces)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-06T07:08:09Z", NOW),
        ("2024-05-06T07:08:09.250Z", NOW + timedelta(milliseconds=250)),
    ],
)
def test_parse_timestamp_accepts_iso8601_utc(text: str, expected: datetime) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2024-05-06T07:08:09",
        "2024-05-06T07:08:09+00:00",
        "2024-02-30T00:00:00Z",
        "２０２４-05-06T07:08:09Z",
    ],
)
def test_parse_timestamp_rejects_other_forms(text: str) -> None:
    with pytest.raises(EmulatedError) as info:
        parse_timestamp(text)
    assert info.value.code == "InvalidTimeStamp.Format"


def test_nonce_store_forgets_after_its_ttl() -> None:
    store = NonceStore()
    store.remember("n", NOW)
    assert store.used("n", NOW + 14 * MINUTE)
    assert not store.used("n", NOW + 15 * MINUTE)
    assert len(store) == 0


def test_nonce_store_keeps_a_future_dated_nonce_until_its_request_expires() -> None:
    store = NonceStore()
    store.remember("n", NOW, signed_at=NOW + 10 * MINUTE)
    assert store.used("n", NOW + 24 * MINUTE)
    assert not store.used("n", NOW + 25 * MINUTE)


def test_nonce_store_is_bounded_and_drops_the_oldest() -> None:
    store = NonceStore(max_entries=2)
    for index, nonce in enumerate(("a", "b", "c")):
        store.remember(nonce, NOW + index * timedelta(seconds=1))
    assert len(store) == 2
    assert not store.used("a", NOW)
    assert store.used("b", NOW)
    assert store.used("c", NOW)


def test_nonce_store_rejects_a_zero_bound() -> None:
    with pytest.raises(ValueError, match="positive"):
        NonceStore(max_entries=0)
