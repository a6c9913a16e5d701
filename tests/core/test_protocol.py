"""Requests built by the protocol layer verify with the official SDK's own signers.

The oracle is vendor code (alibabacloud-tea-openapi's ``Utils.get_rpcsignature`` and
``Utils.get_authorization``), fed with the parameters and headers our request carries.
Decoding reads the clock only for an error answer, and reads a body as ``json.loads``
does whatever its encoding.
"""

from __future__ import annotations

import json
import types
import urllib.parse
from datetime import UTC, datetime

import pytest
from alibabacloud_tea_openapi.utils import Utils
from hypothesis import given
from hypothesis import strategies as st

from aiompsls import models as m
from aiompsls._core.http import HttpRequest, HttpResponse
from aiompsls._core.protocol import (
    SigningKey,
    Target,
    build_request,
    decode_response,
    format_timestamp,
)
from aiompsls._core.wire import make_converter
from aiompsls.errors import ApiError, ResponseError

KEY = SigningKey(access_key_id="testid", access_key_secret="testsecret")
STS = SigningKey(
    access_key_id="STS.id", access_key_secret="s3cr3t", security_token="tok"
)
TARGET = Target(
    base_url="https://mpserverless.aliyuncs.com/", host="mpserverless.aliyuncs.com"
)
WHEN = datetime(2026, 11, 29, 3, 0, 2, tzinfo=UTC)
PARAMS = {
    "SpaceId": "s1",
    "Body": '{"command":"findOne","collection":"a b*~/"}',
    "FilePaths.1": "/static/测试.png",
}


def _build(**kwargs) -> HttpRequest:
    options = {
        "action": "RunDBCommand",
        "params": PARAMS,
        "key": KEY,
        "target": TARGET,
        "timestamp": WHEN,
        "nonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "user_agent": "test",
    }
    return build_request(**{**options, **kwargs})


def _query(request: HttpRequest) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request.url).query))


def _form(request: HttpRequest) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(request.body.decode(), keep_blank_values=True))


@pytest.mark.parametrize("key", [KEY, STS], ids=["ak", "sts"])
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_v1_signature_matches_the_vendor_signer(method: str, key: SigningKey):
    request = _build(method=method, key=key)
    query, form = _query(request), _form(request)
    signature = query.pop("Signature")
    expected = Utils.get_rpcsignature({**query, **form}, method, key.access_key_secret)
    assert signature == expected
    assert query["Timestamp"] == "2026-11-29T03:00:02Z"
    assert query["Action"] == "RunDBCommand"
    assert ("SecurityToken" in query) is (key.security_token is not None)
    if method == "POST":
        assert form == PARAMS
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    else:
        assert form == {}
        assert {k: query[k] for k in PARAMS} == PARAMS


@pytest.mark.parametrize("key", [KEY, STS], ids=["ak", "sts"])
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_acs3_authorization_matches_the_vendor_signer(method: str, key: SigningKey):
    request = _build(style="acs3", method=method, key=key)
    headers = dict(request.headers)
    authorization = headers.pop("authorization")
    signed = authorization.split("SignedHeaders=")[1].split(",")[0].split(";")
    vendor_request = types.SimpleNamespace(
        pathname="/",
        method=method,
        query=_query(request),
        headers={name: headers[name] for name in signed},
    )
    expected = Utils.get_authorization(
        vendor_request,
        "ACS3-HMAC-SHA256",
        headers["x-acs-content-sha256"],
        key.access_key_id,
        key.access_key_secret,
    )
    assert authorization == expected
    assert headers["x-acs-action"] == "RunDBCommand"
    assert headers["x-acs-version"] == "2019-06-15"
    assert headers["x-acs-date"] == "2026-11-29T03:00:02Z"
    assert (
        Utils.hex_encode(Utils.hash(request.body, "ACS3-HMAC-SHA256"))
        == (headers["x-acs-content-sha256"])
    )
    assert "host" in signed
    assert ("x-acs-security-token" in signed) is (key.security_token is not None)


def test_each_attempt_carries_its_own_nonce_and_time():
    first = _query(_build(nonce="n1"))
    second = _query(_build(nonce="n2", timestamp=WHEN.replace(second=9)))
    assert (first["SignatureNonce"], second["SignatureNonce"]) == ("n1", "n2")
    assert first["Signature"] != second["Signature"]


def test_secrets_do_not_print():
    assert "testsecret" not in repr(KEY)
    assert "tok" not in repr(STS)
    assert format_timestamp(WHEN) == "2026-11-29T03:00:02Z"


RETRY_DATE = "Sun, 29 Nov 2026 03:00:12 GMT"  # WHEN + 10 s


def _answer(status: int, body: bytes) -> HttpResponse:
    return HttpResponse(status=status, headers={"retry-after": RETRY_DATE}, body=body)


def test_the_clock_is_read_only_to_decode_an_error_answer():
    readings: list[float] = []

    def now() -> float:
        readings.append(WHEN.timestamp())
        return WHEN.timestamp()

    def decode(response: HttpResponse) -> m.DeleteSpaceResponse:
        return decode_response(
            response,
            action="DeleteSpace",
            response_type=m.DeleteSpaceResponse,
            converter=make_converter(),
            now=now,
        )

    assert decode(_answer(200, b'{"RequestId": "r"}')).request_id == "r"
    assert readings == []
    with pytest.raises(ApiError) as info:
        decode(_answer(503, b'{"RequestId": "r", "Code": "ServiceUnavailable"}'))
    assert (readings, info.value.retry_after) == ([WHEN.timestamp()], 10.0)


def _decode_ok(body: bytes) -> m.DeleteSpaceResponse:
    return decode_response(
        HttpResponse(status=200, body=body),
        action="DeleteSpace",
        response_type=m.DeleteSpaceResponse,
        converter=make_converter(),
        now=lambda: 0.0,
    )


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"]


@given(st.text(), st.sampled_from(ENCODINGS), st.booleans())
def test_a_body_reads_as_json_loads_reads_it(text: str, encoding: str, ascii_: bool):
    body = json.dumps({"RequestId": text}, ensure_ascii=ascii_)
    raw = body.encode(encoding, "surrogatepass")
    assert _decode_ok(raw).request_id == json.loads(raw)["RequestId"] == text


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\xff{}",  # not UTF-8, and no other encoding json.loads knows
        b"\xff\xfe{",  # a UTF-16 BOM and an odd byte
        b'{"RequestId": "r"',
        b'{"RequestId": "r"} x',
        b'{"RequestId": NaN',
        "\ufeff\ufeff{}".encode(),  # a second BOM is text
    ],
)
def test_a_body_json_loads_rejects_is_not_json(body: bytes):
    with pytest.raises(ValueError):  # noqa: PT011 - the oracle names no message
        json.loads(body)
    with pytest.raises(ResponseError, match="is not JSON"):
        _decode_ok(body)


def test_a_body_nested_past_the_parsers_depth_is_not_json():
    body = b'{"RequestId": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(ResponseError, match="is not JSON"):
        _decode_ok(body)
