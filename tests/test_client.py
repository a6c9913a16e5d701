"""The client's invoke pipeline over a scripted transport: retries, errors, signing.

The transport here is a plain object with ``send``/``aclose`` (the ``Transport``
protocol), scripted per test; aiohttp itself is exercised in ``test_transport.py``.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import anyio
import anyio.lowlevel
import pytest

import aiompsls
from aiompsls import models as m
from aiompsls._core.http import HttpRequest, HttpResponse

CREDS = aiompsls.Credentials(access_key_id="testid", access_key_secret="testsecret")
NOW = datetime(2026, 11, 29, 6, 0, 0, tzinfo=UTC)
Step = HttpResponse | BaseException | Callable[[HttpRequest], HttpResponse]


class ScriptedTransport:
    """Answers each send with the next scripted step and records every request."""

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.requests: list[HttpRequest] = []
        self.closed = False

    async def send(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        step = self.steps.pop(0)
        if isinstance(step, BaseException):
            raise step
        if callable(step):
            return step(request)
        await anyio.lowlevel.checkpoint()
        return step

    async def aclose(self) -> None:
        self.closed = True


def ok(**body: object) -> HttpResponse:
    return HttpResponse(
        status=200, body=json.dumps({"RequestId": "req-ok", **body}).encode()
    )


def fail(status: int, code: str, **headers: str) -> HttpResponse:
    body = {"RequestId": f"req-{code}", "Code": code, "Message": f"{code} happened"}
    return HttpResponse(status=status, headers=headers, body=json.dumps(body).encode())


def make_client(transport: ScriptedTransport, **retry: Any) -> aiompsls.Client:
    policy = aiompsls.RetryPolicy(base_delay=0.001, max_delay=0.002, **retry)
    config = aiompsls.ClientConfig(endpoint="http://127.0.0.1:9", retry=policy)
    return aiompsls.Client(CREDS, config=config, transport=transport, clock=lambda: NOW)


def params(request: HttpRequest) -> dict[str, str]:
    query = urllib.parse.urlsplit(request.url).query
    return dict(urllib.parse.parse_qsl(query)) | dict(
        urllib.parse.parse_qsl(request.body.decode())
    )


async def test_a_typed_response_comes_back():
    transport = ScriptedTransport(
        ok(Count=1, Spaces=[{"SpaceId": "s1", "GmtCreate": "5"}])
    )
    async with make_client(transport) as client:
        response = await client.list_space(page_size=5)
    assert isinstance(response, m.ListSpaceResponse)
    assert response.spaces[0].space_id == "s1"
    assert response.spaces[0].gmt_create == 5
    assert params(transport.requests[0])["PageSize"] == "5"
    assert transport.closed


async def test_throttled_then_success():
    deployment = ok(DeploymentId="dep-1", UploadSignedUrl="http://oss/x")
    transport = ScriptedTransport(fail(400, "Throttling.User"), deployment)
    async with make_client(transport) as client:
        await client.create_function_deployment(space_id="s", name="fn")
    assert len(transport.requests) == 2


async def test_503_then_success():
    transport = ScriptedTransport(fail(503, "ServiceUnavailable"), ok(Count=0))
    async with make_client(transport) as client:
        response = await client.list_space()
    assert response.count == 0
    assert len(transport.requests) == 2


async def test_503_on_a_non_idempotent_action_is_not_repeated():
    transport = ScriptedTransport(fail(503, "ServiceUnavailable"), ok())
    async with make_client(transport) as client:
        with pytest.raises(aiompsls.ServiceError) as info:
            await client.create_space(name="demo")
    assert info.value.code == "ServiceUnavailable"
    assert len(transport.requests) == 1


async def test_read_timeout_on_a_non_idempotent_action_is_not_retried():
    timeout = aiompsls.TransportTimeoutError("read timed out", is_request_sent=True)
    transport = ScriptedTransport(timeout, ok())
    async with make_client(transport) as client:
        with pytest.raises(aiompsls.TransportTimeoutError):
            await client.run_function(space_id="s", body="{}")
    assert len(transport.requests) == 1


async def test_a_request_that_never_left_is_retried_even_when_not_idempotent():
    refused = aiompsls.TransportError("connection refused", is_request_sent=False)
    transport = ScriptedTransport(refused, ok(SpaceId="s1"))
    async with make_client(transport) as client:
        response = await client.create_space(name="demo")
    assert response.space_id == "s1"
    assert len(transport.requests) == 2


async def test_every_attempt_is_signed_afresh():
    transport = ScriptedTransport(
        fail(500, "InternalError"), fail(503, "ServiceUnavailable"), ok(Count=0)
    )
    async with make_client(transport) as client:
        await client.list_space()
    nonces = [params(r)["SignatureNonce"] for r in transport.requests]
    signatures = [params(r)["Signature"] for r in transport.requests]
    assert len(set(nonces)) == 3
    assert len(set(signatures)) == 3


async def test_attempts_stop_at_the_policy_limit():
    transport = ScriptedTransport(*[fail(500, "InternalError")] * 3)
    async with make_client(transport, max_attempts=3) as client:
        with pytest.raises(aiompsls.ServiceError):
            await client.list_space()
    assert len(transport.requests) == 3


async def test_client_errors_are_not_retried():
    transport = ScriptedTransport(fail(400, "InvalidParameter"))
    async with make_client(transport) as client:
        with pytest.raises(aiompsls.InvalidRequestError) as info:
            await client.list_space()
    assert info.value.request_id == "req-InvalidParameter"
    assert info.value.http_status == 400
    assert info.value.action == "ListSpace"
    assert not info.value.is_retry_safe


async def test_the_retry_budget_stops_a_storm():
    transport = ScriptedTransport(*[fail(500, "InternalError")] * 4)
    policy = {"max_attempts": 10, "budget_capacity": 10, "budget_retry_cost": 5}
    async with make_client(transport, **policy) as client:
        with pytest.raises(aiompsls.ServiceError):
            await client.list_space()
    assert len(transport.requests) == 3


async def test_backoff_never_blocks_the_event_loop():
    """A ticker keeps ticking while the client waits between attempts."""
    transport = ScriptedTransport(fail(500, "InternalError"), ok(Count=0))
    ticks = 0
    policy = aiompsls.RetryPolicy(base_delay=0.05, max_delay=0.05)
    config = aiompsls.ClientConfig(endpoint="http://127.0.0.1:9", retry=policy)

    class AlwaysMax:
        def random(self) -> float:
            return 1.0

    client = aiompsls.Client(CREDS, config=config, transport=transport, rng=AlwaysMax())  # type: ignore[arg-type]
    done = anyio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await anyio.lowlevel.checkpoint()

    async with anyio.create_task_group() as group:
        group.start_soon(ticker)
        await client.list_space()
        done.set()
    assert ticks > 20
    assert len(transport.requests) == 2


async def test_retry_after_is_honoured(monkeypatch: pytest.MonkeyPatch):
    pauses: list[float] = []
    real_sleep = anyio.sleep

    async def record(delay: float) -> None:
        pauses.append(delay)
        await real_sleep(0)

    monkeypatch.setattr("aiompsls.client.anyio.sleep", record)
    transport = ScriptedTransport(
        fail(400, "Throttling", **{"retry-after": "3"}), ok(Count=0)
    )
    async with make_client(transport) as client:
        await client.list_space()
    assert pauses == [3.0]


async def test_a_retry_after_date_is_read_against_the_clients_clock(
    monkeypatch: pytest.MonkeyPatch,
):
    pauses: list[float] = []

    async def record(delay: float) -> None:
        pauses.append(delay)

    monkeypatch.setattr("aiompsls.client.anyio.sleep", record)
    later = format_datetime(NOW + timedelta(seconds=5), usegmt=True)
    transport = ScriptedTransport(
        fail(503, "ServiceUnavailable", **{"retry-after": later}), ok(Count=0)
    )
    async with make_client(transport) as client:
        await client.list_space()
    assert pauses == [5.0]


async def test_clock_skew_is_corrected_from_the_server_date():
    server_now = NOW + timedelta(hours=1)
    expired = fail(
        400, "InvalidTimeStamp.Expired", date=format_datetime(server_now, usegmt=True)
    )
    transport = ScriptedTransport(expired, ok(SpaceId="s1"))
    async with make_client(transport) as client:
        await client.create_space(name="demo")
    stamps = [params(r)["Timestamp"] for r in transport.requests]
    assert stamps == ["2026-11-29T06:00:00Z", "2026-11-29T07:00:00Z"]


async def test_clock_skew_without_a_date_is_an_error():
    transport = ScriptedTransport(fail(400, "InvalidTimeStamp.Expired"))
    async with make_client(transport) as client:
        with pytest.raises(aiompsls.AuthenticationError):
            await client.create_space(name="demo")


async def test_an_html_502_is_a_response_error_and_retried_when_readonly():
    page = HttpResponse(status=502, body=b"<html><body>Bad Gateway</body></html>")
    transport = ScriptedTransport(page, page)
    async with make_client(transport, max_attempts=2) as client:
        with pytest.raises(aiompsls.ResponseError) as info:
            await client.list_space()
    assert info.value.http_status == 502
    assert len(transport.requests) == 2


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"RequestId": "r", "Count": "many"}'],
    ids=["garbage", "array", "wrong-shape"],
)
async def test_an_unreadable_success_is_a_response_error(body: bytes):
    transport = ScriptedTransport(HttpResponse(status=200, body=body))
    async with make_client(transport) as client:
        with pytest.raises(aiompsls.ResponseError) as info:
            await client.list_space()
    assert info.value.action == "ListSpace"


async def test_cancellation_propagates_untouched():
    gate = anyio.Event()

    async def hang(request: HttpRequest) -> HttpResponse:
        await gate.wait()
        raise AssertionError("unreachable")

    class Hanging(ScriptedTransport):
        async def send(self, request: HttpRequest) -> HttpResponse:
            return await hang(request)

    async with make_client(Hanging()) as client:
        with anyio.move_on_after(0.01) as scope:
            await client.list_space()
    assert scope.cancelled_caught


async def test_acs3_and_get_options_reach_the_wire():
    transport = ScriptedTransport(ok(Count=0), ok(Count=0))
    acs3 = aiompsls.ClientConfig(endpoint="http://127.0.0.1:9", signature="acs3")
    get = aiompsls.ClientConfig(endpoint="http://127.0.0.1:9", http_method="GET")
    for config in (acs3, get):
        async with aiompsls.Client(CREDS, config=config, transport=transport) as client:
            await client.list_space(page_num=0)
    first, second = transport.requests
    assert first.headers["authorization"].startswith(
        "ACS3-HMAC-SHA256 Credential=testid,"
    )
    assert first.headers["x-acs-action"] == "ListSpace"
    assert second.method == "GET"
    assert "PageNum=0" in second.url


def test_credentials_must_be_credentials():
    with pytest.raises(aiompsls.ConfigError):
        aiompsls.Client("testid:testsecret")  # type: ignore[arg-type]


def test_repr_hides_the_secret():
    client = make_client(ScriptedTransport())
    assert "testsecret" not in repr(client)
    assert "127.0.0.1:9" in repr(client)
