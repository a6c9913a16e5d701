"""The emulator's HTTP front over a real loopback socket: parsing, verification, errors.

Requests are signed here with aiompsls._core.signing and sent with aiohttp's client to
``Emulator.running()``; the emulator's clock is fixed so timestamps are exact.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import aiohttp
import anyio.lowlevel
import attrs
import pytest
from yarl import URL

from aiompsls import models as m
from aiompsls._core import signing
from aiompsls.emulator import Emulator
from aiompsls.emulator._registry import HANDLERS, EmulatedError

KEY_ID = "LTAIappTestKey"
SECRET = "app-test-secret"
NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
HTTP_DATE = "Mon, 06 May 2024 07:08:09 GMT"
FORM = "application/x-www-form-urlencoded"
ENVELOPE_KEYS = {"RequestId", "HostId", "Code", "Message", "Recommend"}


@attrs.frozen
class Wire:
    """A request as it goes on the wire: method, encoded query, body, headers."""

    method: str
    query: str
    body: bytes = b""
    headers: dict[str, str] = attrs.field(factory=dict)


def encode(params: dict[str, str]) -> str:
    return "&".join(
        f"{signing.percent_encode(k)}={signing.percent_encode(v)}"
        for k, v in params.items()
    )


def v1(
    action: str,
    params: dict[str, str] | None = None,
    *,
    method: str = "POST",
    secret: str = SECRET,
    when: datetime = NOW,
    drop: tuple[str, ...] = (),
    **common: str,
) -> Wire:
    query = {
        "Action": action,
        "Version": "2019-06-15",
        "Format": "JSON",
        "AccessKeyId": KEY_ID,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": uuid.uuid4().hex,
        "Timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        **common,
    }
    form = dict(params or {})
    if method == "GET":
        query, form = {**query, **form}, {}
    query["Signature"] = signing.sign_v1_params(
        {**query, **form}, method=method, access_key_secret=secret
    )
    for name in drop:
        del query[name]
    headers = {"content-type": FORM} if form else {}
    return Wire(method, encode(query), urlencode(form).encode(), headers)


def acs3(
    action: str,
    params: dict[str, str] | None = None,
    *,
    method: str = "POST",
    version: str = "2019-06-15",
    when: datetime = NOW,
) -> Wire:
    query = dict(params or {}) if method == "GET" else {}
    body = b"" if method == "GET" else urlencode(params or {}).encode()
    headers = {
        "content-type": FORM,
        "x-acs-action": action,
        "x-acs-version": version,
        "x-acs-date": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-acs-signature-nonce": uuid.uuid4().hex,
        "x-acs-content-sha256": signing.sha256_hex(body),
    }
    canonical = signing.acs3_canonical_request(
        method=method,
        path="/",
        query=query,
        headers=headers,
        signed_headers=list(headers),
        payload_hash=headers["x-acs-content-sha256"],
    )
    signature = signing.acs3_signature(SECRET, signing.acs3_string_to_sign(canonical))
    headers["authorization"] = signing.acs3_authorization(
        access_key_id=KEY_ID, signed_headers=list(headers), signature=signature
    )
    return Wire(method, encode(query), body, headers)


class FakeClock:
    """The emulator's clock, fixed at NOW unless a test moves it."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@attrs.frozen
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


Send = Callable[[Wire], Any]


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    emu = Emulator(access_key_id=KEY_ID, access_key_secret=SECRET, clock=FakeClock())
    async with emu.running(host="127.0.0.1", port=0) as running:
        yield running


@pytest.fixture
async def send(emulator: Emulator) -> AsyncIterator[Send]:
    async with aiohttp.ClientSession() as session:

        async def run(wire: Wire) -> Answer:
            url = URL(f"{emulator.endpoint}/?{wire.query}", encoded=True)
            async with session.request(
                wire.method, url, data=wire.body, headers=wire.headers
            ) as response:
                return Answer(
                    response.status, dict(response.headers), await response.text()
                )

        yield run


def assert_error(answer: Answer, code: str, status: int) -> dict[str, str]:
    body: dict[str, str] = answer.json()
    assert (answer.status, body["Code"]) == (status, code), body
    assert set(body) == ENVELOPE_KEYS
    assert body["RequestId"] == answer.headers["x-acs-request-id"]
    assert body["Recommend"] == f"https://api.aliyun.com/troubleshoot?q={code}"
    assert answer.headers["Date"] == HTTP_DATE
    return body


async def test_v1_get_answers_json_with_request_id_and_clock_date(
    send: Send, emulator: Emulator
) -> None:
    answer = await send(v1("ListSpace", {"PageSize": "5"}, method="GET"))
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json;charset=utf-8"
    assert answer.headers["Date"] == HTTP_DATE
    body = answer.json()
    assert body["RequestId"] == answer.headers["x-acs-request-id"]
    assert (body["Count"], body["Spaces"]) == (0, [])


async def test_v1_post_sends_business_params_in_the_form_body(
    send: Send, emulator: Emulator
) -> None:
    answer = await send(v1("CreateSpace", {"Name": "demo", "Desc": "a b*~/&="}))
    assert answer.status == 200
    space = emulator.state.spaces[answer.json()["SpaceId"]]
    assert (space.name, space.desc) == ("demo", "a b*~/&=")


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_acs3_request_is_verified_and_dispatched(
    send: Send, emulator: Emulator, method: str
) -> None:
    answer = await send(
        acs3("CreateSpace", {"Name": "viaAcs3", "Desc": "x y"}, method=method)
    )
    assert answer.status == 200, answer.text
    listed = (await send(acs3("ListSpace", {"PageSize": "5"}, method=method))).json()
    assert [s["Name"] for s in listed["Spaces"]] == ["viaAcs3"]


async def test_handlers_see_the_clock_and_the_endpoint(
    send: Send, emulator: Emulator
) -> None:
    space_id = (await send(v1("CreateSpace", {"Name": "demo"}))).json()["SpaceId"]
    listed = (await send(v1("ListSpace"))).json()
    assert listed["Spaces"][0]["GmtCreate"] == int(NOW.timestamp() * 1000)
    config = (await send(v1("DescribeSpaceClientConfig", {"SpaceId": space_id}))).json()
    assert config["FileUploadEndpoint"].startswith(emulator.endpoint + "/")


def _tampered() -> Wire:
    wire = v1("CreateSpace", {"Name": "demo"})
    return attrs.evolve(wire, body=b"Name=other")


def _bad_body_hash() -> Wire:
    wire = acs3("CreateSpace", {"Name": "demo"})
    return attrs.evolve(wire, body=b"Name=other")


REJECTIONS = [
    pytest.param(_tampered, "SignatureDoesNotMatch", 400, id="tampered-param"),
    pytest.param(
        lambda: v1("ListSpace", when=NOW - timedelta(minutes=16)),
        "InvalidTimeStamp.Expired",
        400,
        id="stale-past",
    ),
    pytest.param(
        lambda: v1("ListSpace", when=NOW + timedelta(minutes=16)),
        "InvalidTimeStamp.Expired",
        400,
        id="stale-future",
    ),
    pytest.param(
        lambda: acs3("ListSpace", when=NOW - timedelta(minutes=16)),
        "InvalidTimeStamp.Expired",
        400,
        id="acs3-stale",
    ),
    pytest.param(
        lambda: v1("ListSpace", drop=("Signature",)),
        "MissingParameter",
        400,
        id="unsigned",
    ),
    pytest.param(lambda: Wire("GET", ""), "MissingParameter", 400, id="bare-get"),
    pytest.param(
        lambda: v1("ListSpace", AccessKeyId="LTAInobody"),
        "InvalidAccessKeyId.NotFound",
        404,
        id="unknown-key",
    ),
    pytest.param(
        lambda: v1("ListSpace", Version="2017-01-01"),
        "InvalidVersion",
        400,
        id="wrong-version",
    ),
    pytest.param(
        lambda: acs3("ListSpace", version="2017-01-01"),
        "InvalidVersion",
        400,
        id="acs3-wrong-version",
    ),
    pytest.param(
        lambda: v1("DescribeNothing"),
        "InvalidAction.NotFound",
        404,
        id="unknown-action",
    ),
    pytest.param(
        lambda: acs3("DescribeNothing"),
        "InvalidAction.NotFound",
        404,
        id="acs3-unknown-action",
    ),
    pytest.param(
        lambda: v1("CreateSpace", {"Desc": "no name"}),
        "MissingParameter",
        400,
        id="missing-business-param",
    ),
    pytest.param(
        lambda: v1("CreateSpace", {"Name": "1-not-a-name"}),
        "InvalidParameter",
        400,
        id="invalid-business-param",
    ),
    pytest.param(_bad_body_hash, "SignatureDoesNotMatch", 400, id="bad-body-hash"),
    pytest.param(
        lambda: v1("ListSpace", method="PUT"),
        "UnsupportedHTTPMethod",
        400,
        id="put",
    ),
    pytest.param(
        lambda: v1("ListSpace", Format="YAML"),
        "InvalidParameter.Format",
        400,
        id="unknown-format",
    ),
    pytest.param(
        lambda: v1("DeleteSpace", {"SpaceId": "nope"}),
        "InvalidSpaceId.NotFound",
        404,
        id="handler-error",
    ),
]


@pytest.mark.parametrize(("build", "code", "status"), REJECTIONS)
async def test_rejections_answer_the_gateway_envelope(
    send: Send, emulator: Emulator, build: Callable[[], Wire], code: str, status: int
) -> None:
    body = assert_error(await send(build()), code, status)
    assert body["HostId"] == emulator.endpoint.removeprefix("http://")


async def test_mismatch_message_carries_the_server_string_to_sign(send: Send) -> None:
    wire = v1("ListSpace", {"PageSize": "5"}, secret="not-the-secret")
    body = assert_error(await send(wire), "SignatureDoesNotMatch", 400)
    prefix, _, server_sts = body["Message"].partition(" server string to sign is:")
    assert prefix == "Specified signature is not matched with our calculation."
    assert server_sts.startswith(
        "POST&%2F&AccessKeyId%3DLTAIappTestKey%26Action%3DListSpace"
    )
    assert "PageSize%3D5" in server_sts


async def test_replayed_nonce_is_rejected(send: Send) -> None:
    wire = v1("ListSpace")
    assert (await send(wire)).status == 200
    assert_error(await send(wire), "SignatureNonceUsed", 400)


async def test_xml_format_renders_the_action_response_and_the_error(send: Send) -> None:
    await send(v1("CreateSpace", {"Name": "demo", "Desc": "a<b&c"}))
    answer = await send(v1("ListSpace", Format="XML"))
    assert answer.headers["Content-Type"] == "text/xml;charset=utf-8"
    request_id = answer.headers["x-acs-request-id"]
    declaration = '<?xml version="1.0" encoding="UTF-8"?>'
    assert answer.text.startswith(
        f"{declaration}<ListSpaceResponse><RequestId>{request_id}</RequestId>"
    )
    assert "<Spaces><SpaceId>" in answer.text
    assert "<Desc>a&lt;b&amp;c</Desc>" in answer.text
    error = await send(v1("DescribeNothing", Format="xml"))
    assert error.status == 404
    assert "<Error><RequestId>" in error.text
    assert "<Code>InvalidAction.NotFound</Code>" in error.text


def _boom(ctx: object, request: object) -> object:
    raise RuntimeError("handler bug")


def _wrong_type(ctx: object, request: object) -> object:
    return object()


@pytest.mark.parametrize("handler", [_boom, _wrong_type])
async def test_unexpected_handler_failure_is_a_logged_500(
    send: Send,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    handler: Callable[..., object],
) -> None:
    monkeypatch.setitem(HANDLERS, "ListSpace", handler)
    with caplog.at_level(logging.ERROR, logger="aiompsls.emulator.app"):
        answer = await send(v1("ListSpace"))
    assert_error(answer, "InternalError", 500)
    assert any(record.exc_info for record in caplog.records)


async def _async_list_space(ctx: Any, request: object) -> m.ListSpaceResponse:
    await anyio.lowlevel.checkpoint()
    return m.ListSpaceResponse(request_id=ctx.request_id, count=7)


async def _async_refusal(ctx: object, request: object) -> object:
    await anyio.lowlevel.checkpoint()
    raise EmulatedError("Forbidden.Test", "refused after a while", status=403)


async def test_an_async_handlers_answer_is_awaited(
    send: Send, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(HANDLERS, "ListSpace", _async_list_space)
    answer = await send(v1("ListSpace"))
    assert (answer.status, answer.json()["Count"]) == (200, 7)


async def test_an_async_handlers_error_is_answered_like_any_other(
    send: Send, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(HANDLERS, "ListSpace", _async_refusal)
    body = assert_error(await send(v1("ListSpace")), "Forbidden.Test", 403)
    assert body["Message"] == "refused after a while"


async def test_action_without_a_handler_is_not_implemented(
    send: Send, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(HANDLERS, "ListSpace")
    assert_error(await send(v1("ListSpace")), "NotImplemented", 501)


async def test_form_body_that_is_not_utf8_is_invalid(send: Send) -> None:
    wire = v1("ListSpace")
    answer = await send(
        attrs.evolve(wire, body=b"Name=%FF", headers={"content-type": FORM})
    )
    assert_error(answer, "InvalidParameter", 400)


async def test_other_paths_get_request_id_and_date_too(emulator: Emulator) -> None:
    url = emulator.endpoint + "/elsewhere"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 404
        assert response.headers["Date"] == HTTP_DATE
        assert response.headers["x-acs-request-id"]
