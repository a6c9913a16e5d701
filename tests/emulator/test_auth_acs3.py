"""Tests for aiompsls.emulator.auth: ACS3-HMAC-SHA256 verification.

Requests are signed with aiompsls._core.signing (its golden vectors are tested in
tests/core/test_signing.py); each check of the verifier is proved to reject exactly
what it must, with the gateway's code and status.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

import attrs
import pytest

from aiompsls._core import signing
from aiompsls.emulator._registry import EmulatedError
from aiompsls.emulator.auth import NonceStore, verify, verify_acs3
from aiompsls.emulator.calls import KeyPair, SignedCall
from aiompsls.emulator.gateway import STRING_TO_SIGN_PREFIX

NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
KEY = KeyPair(access_key_id="testid", access_key_secret="testsecret")
STS_KEY = KeyPair(
    access_key_id="stsid", access_key_secret="stssecret", security_token="tok"
)
KEYS = {KEY.access_key_id: KEY, STS_KEY.access_key_id: STS_KEY}
FORM = "application/x-www-form-urlencoded"
MINUTE = timedelta(minutes=1)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def acs3_call(
    *,
    method: str = "POST",
    query: dict[str, str] | None = None,
    body: bytes = b"PageSize=5&Name=a+b%2A~%2F",
    extra_headers: dict[str, str] | None = None,
    unsigned: tuple[str, ...] = (),
    secret: str = KEY.access_key_secret,
    key_id: str = KEY.access_key_id,
    when: datetime = NOW,
    nonce: str = "acs3-nonce-1",
) -> SignedCall:
    headers = {
        "host": "127.0.0.1:8080",
        "content-type": FORM,
        "x-acs-action": "ListSpace",
        "x-acs-version": "2019-06-15",
        "x-acs-date": stamp(when),
        "x-acs-signature-nonce": nonce,
        "x-acs-content-sha256": signing.sha256_hex(body),
        **(extra_headers or {}),
    }
    signed = sorted(name for name in headers if name not in unsigned)
    canonical = signing.acs3_canonical_request(
        method=method,
        path="/",
        query=query or {},
        headers=headers,
        signed_headers=signed,
        payload_hash=headers["x-acs-content-sha256"],
    )
    signature = signing.acs3_signature(secret, signing.acs3_string_to_sign(canonical))
    headers["Authorization"] = signing.acs3_authorization(
        access_key_id=key_id, signed_headers=signed, signature=signature
    )
    return SignedCall(
        method=method,
        query=query or {},
        form=dict(parse_qsl(body.decode())),
        headers=headers,
        body=body,
    )


def with_query(call: SignedCall, **changes: str) -> SignedCall:
    return attrs.evolve(call, query={**call.query, **changes})


def with_headers(call: SignedCall, **changes: str) -> SignedCall:
    headers = dict(call.headers)
    headers.update({k.replace("_", "-"): v for k, v in changes.items()})
    return attrs.evolve(call, headers=headers)


def rejects(
    call: SignedCall, code: str, status: int, *, nonces: NonceStore | None = None
) -> EmulatedError:
    with pytest.raises(EmulatedError) as info:
        verify(call, keys=KEYS, nonces=nonces or NonceStore(), now=NOW)
    assert (info.value.code, info.value.status) == (code, status)
    return info.value


def test_acs3_accepts_a_signed_request() -> None:
    verified = verify_acs3(acs3_call(), keys=KEYS, nonces=NonceStore(), now=NOW)
    assert (verified.style, verified.access_key_id) == ("acs3", "testid")
    assert (verified.action, verified.version) == ("ListSpace", "2019-06-15")
    assert verified.params == {"PageSize": "5", "Name": "a b*~/"}


def test_acs3_signs_the_query_too() -> None:
    call = acs3_call(method="GET", query={"PageSize": "5"}, body=b"")
    assert verify(call, keys=KEYS, nonces=NonceStore(), now=NOW).params == {
        "PageSize": "5"
    }
    rejects(with_query(call, PageSize="6"), "SignatureDoesNotMatch", 400)


ACS3_REJECTIONS = [
    pytest.param(
        with_headers(acs3_call(), Authorization="ACS3-HMAC-SHA256 Credential=testid"),
        "IncompleteSignature",
        400,
        id="auth-without-fields",
    ),
    pytest.param(
        with_headers(acs3_call(), Authorization="ACS3-HMAC-SHA256 "),
        "IncompleteSignature",
        400,
        id="auth-empty",
    ),
    pytest.param(
        with_headers(
            acs3_call(),
            Authorization="ACS3-HMAC-SM3 Credential=testid,SignedHeaders=host,"
            "Signature=00",
        ),
        "InvalidSignatureMethod",
        400,
        id="auth-other-algorithm",
    ),
    pytest.param(
        acs3_call(key_id="nobody"), "InvalidAccessKeyId.NotFound", 404, id="unknown-key"
    ),
    pytest.param(
        with_headers(acs3_call(), x_acs_date="yesterday"),
        "InvalidTimeStamp.Format",
        400,
        id="date-format",
    ),
    pytest.param(
        acs3_call(when=NOW - 16 * MINUTE),
        "InvalidTimeStamp.Expired",
        400,
        id="stale-past",
    ),
    pytest.param(
        acs3_call(when=NOW + 16 * MINUTE),
        "InvalidTimeStamp.Expired",
        400,
        id="stale-future",
    ),
    pytest.param(
        acs3_call(unsigned=("x-acs-action",)),
        "IncompleteSignature",
        400,
        id="action-unsigned",
    ),
    pytest.param(
        acs3_call(unsigned=("x-acs-signature-nonce",)),
        "IncompleteSignature",
        400,
        id="nonce-unsigned",
    ),
    pytest.param(
        acs3_call(
            extra_headers={"x-acs-security-token": "tok"},
            unsigned=("x-acs-security-token",),
        ),
        "IncompleteSignature",
        400,
        id="token-unsigned",
    ),
    pytest.param(
        with_headers(acs3_call(), x_acs_content_sha256=signing.sha256_hex(b"other")),
        "SignatureDoesNotMatch",
        400,
        id="content-hash-not-body",
    ),
    pytest.param(
        attrs.evolve(acs3_call(), body=b"PageSize=6"),
        "SignatureDoesNotMatch",
        400,
        id="body-tampered",
    ),
    pytest.param(
        acs3_call(secret="wrong"), "SignatureDoesNotMatch", 400, id="wrong-secret"
    ),
    pytest.param(
        with_headers(acs3_call(), x_acs_action="DeleteSpace"),
        "SignatureDoesNotMatch",
        400,
        id="tampered-action",
    ),
    pytest.param(
        acs3_call(key_id="stsid", secret="stssecret"),
        "MissingSecurityToken",
        400,
        id="sts-key-without-token",
    ),
]


@pytest.mark.parametrize(("call", "code", "status"), ACS3_REJECTIONS)
def test_acs3_rejections(call: SignedCall, code: str, status: int) -> None:
    rejects(call, code, status)


@pytest.mark.parametrize(
    "name",
    [
        "x-acs-action",
        "x-acs-version",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-content-sha256",
    ],
)
def test_acs3_missing_header_is_missing_parameter(name: str) -> None:
    call = acs3_call()
    headers = {k: v for k, v in call.headers.items() if k.lower() != name}
    error = rejects(attrs.evolve(call, headers=headers), "MissingParameter", 400)
    assert name in error.message


def test_acs3_signed_header_absent_from_the_request_is_incomplete() -> None:
    call = acs3_call(extra_headers={"x-extra": "1"})
    headers = {k: v for k, v in call.headers.items() if k != "x-extra"}
    error = rejects(attrs.evolve(call, headers=headers), "IncompleteSignature", 400)
    assert "x-extra" in error.message


def test_acs3_mismatch_message_carries_the_server_string_to_sign() -> None:
    error = rejects(acs3_call(secret="wrong"), "SignatureDoesNotMatch", 400)
    assert error.message.split(STRING_TO_SIGN_PREFIX)[1].startswith(
        "ACS3-HMAC-SHA256\n"
    )


def test_acs3_header_names_are_case_insensitive() -> None:
    call = acs3_call()
    shouted = {k.upper(): v for k, v in call.headers.items()}
    verified = verify(
        attrs.evolve(call, headers=shouted), keys=KEYS, nonces=NonceStore(), now=NOW
    )
    assert verified.action == "ListSpace"


def test_acs3_replayed_nonce_is_rejected_but_a_forged_request_does_not_burn_it() -> (
    None
):
    nonces = NonceStore()
    rejects(acs3_call(secret="wrong"), "SignatureDoesNotMatch", 400, nonces=nonces)
    verify(acs3_call(), keys=KEYS, nonces=nonces, now=NOW)
    rejects(acs3_call(), "SignatureNonceUsed", 400, nonces=nonces)
