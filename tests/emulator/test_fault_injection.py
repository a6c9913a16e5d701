"""Injected faults as the client meets them, over real loopback sockets.

Every wait is bounded by ``anyio.fail_after``; latency is measured with
``anyio.current_time()`` and nothing sleeps.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from urllib.parse import urlencode

import aiohttp
import anyio
import pytest

import aiompsls
from aiompsls._core import signing
from aiompsls.emulator import Emulator
from aiompsls.emulator.fault_spec import parse_faults
from aiompsls.emulator.faults import FaultInjector
from aiompsls.testing import TEST_CREDENTIALS, client_for, running_emulator

WAIT = 10.0  # the bound of every wait here; never reached when the code is right
ONE_ATTEMPT = aiompsls.RetryPolicy(max_attempts=1)
THREE_FAST = aiompsls.RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.002)
MANY_FAST = aiompsls.RetryPolicy(max_attempts=20, base_delay=0.001, max_delay=0.002)


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with running_emulator() as running:
        yield running


def use(emulator: Emulator, spec: str) -> None:
    emulator.faults.replace(parse_faults(spec))


@pytest.mark.parametrize(
    ("spec", "error", "code", "status", "message"),
    [
        (
            "throttle=1",
            aiompsls.ThrottlingError,
            "Throttling.User",
            400,
            "Request was denied due to user flow control.",
        ),
        (
            "unavailable=1",
            aiompsls.ServiceError,
            "ServiceUnavailable",
            503,
            "The request has failed due to a temporary failure of the server.",
        ),
        (
            "internal=1",
            aiompsls.ServiceError,
            "InternalError",
            500,
            "The request processing has failed due to some unknown error, "
            "exception or failure.",
        ),
    ],
)
async def test_an_error_fault_answers_the_gateway_error_and_the_action_does_not_run(
    emulator, spec, error, code, status, message
):
    use(emulator, spec)
    async with client_for(emulator, retry=ONE_ATTEMPT) as client:
        with anyio.fail_after(WAIT), pytest.raises(error) as info:
            await client.create_space(name="demo", desc="faulted")
    assert (info.value.code, info.value.http_status) == (code, status)
    assert info.value.message == message
    assert info.value.request_id
    assert emulator.state.spaces == {}


async def test_a_throttled_call_is_retried_even_when_not_idempotent(emulator, caplog):
    use(emulator, "seed=3,CreateSpace.throttle=0.5")  # throttle, throttle, pass
    caplog.set_level(logging.INFO, logger="aiompsls.client")
    async with client_for(emulator, retry=MANY_FAST) as client:
        with anyio.fail_after(WAIT):
            await client.create_space(name="demo", desc="after two throttles")
    retries = [r.getMessage() for r in caplog.records if "retry in" in r.getMessage()]
    assert len(retries) == 2
    assert all("Throttling.User" in message for message in retries)
    assert len(emulator.state.spaces) == 1


async def test_a_reset_before_the_action_leaves_no_trace_and_no_answer(emulator):
    use(emulator, "CreateSpace.reset_before=1")
    async with client_for(emulator, retry=THREE_FAST) as client:
        with anyio.fail_after(WAIT), pytest.raises(aiompsls.TransportError) as info:
            await client.create_space(name="demo", desc="reset")
    assert info.value.is_request_sent
    assert emulator.state.spaces == {}
    assert emulator.faults.injected["reset_before"] == 1  # not retried


async def test_a_reset_after_the_action_keeps_its_effect_and_is_not_retried(emulator):
    use(emulator, "CreateSpace.reset_after=1")
    async with client_for(emulator, retry=THREE_FAST) as client:
        with anyio.fail_after(WAIT), pytest.raises(aiompsls.TransportError) as info:
            await client.create_space(name="demo", desc="reset after")
        use(emulator, "")
        with anyio.fail_after(WAIT):
            listed = await client.list_space()
    assert info.value.is_request_sent
    assert not info.value.is_unexecuted
    assert [space.name for space in listed.spaces] == ["demo"]
    assert len(emulator.state.spaces) == 1
    assert emulator.faults.injected["reset_after"] == 1


async def test_an_idempotent_call_is_retried_after_resets(emulator):
    use(emulator, "ListSpace.reset_before=1")
    async with client_for(emulator, retry=THREE_FAST) as client:
        with anyio.fail_after(WAIT), pytest.raises(aiompsls.TransportError):
            await client.list_space()
    assert emulator.faults.injected["reset_before"] == 3


async def test_a_per_action_fault_leaves_other_actions_alone(emulator):
    use(emulator, "ListSpace.throttle=1")
    async with client_for(emulator, retry=ONE_ATTEMPT) as client:
        with anyio.fail_after(WAIT):
            await client.create_space(name="demo", desc="fine")
            with pytest.raises(aiompsls.ThrottlingError):
                await client.list_space()
    assert emulator.faults.injected["throttle"] == 1


async def test_faults_meet_only_authenticated_calls(emulator):
    use(emulator, "throttle=1")
    wrong = aiompsls.Credentials(
        access_key_id=TEST_CREDENTIALS.access_key_id, access_key_secret="wrong"
    )
    async with client_for(emulator, credentials=wrong, retry=ONE_ATTEMPT) as client:
        with anyio.fail_after(WAIT), pytest.raises(aiompsls.ApiError) as info:
            await client.list_space()
    assert info.value.code == "SignatureDoesNotMatch"
    assert emulator.faults.injected["throttle"] == 0


async def test_added_latency_delays_the_answer(emulator):
    spec = "seed=5,latency=60ms±20ms"
    use(emulator, spec)
    delay = FaultInjector(parse_faults(spec)).decide("ListSpace").delay
    async with client_for(emulator, retry=ONE_ATTEMPT) as client:
        with anyio.fail_after(WAIT):
            started = anyio.current_time()
            await client.list_space()
            elapsed = anyio.current_time() - started
    assert 0.04 <= delay <= 0.08
    assert delay <= elapsed < WAIT


def signed_url(endpoint: str, **extra: str) -> str:
    params = {
        "Action": "ListSpace",
        "Version": "2019-06-15",
        "AccessKeyId": TEST_CREDENTIALS.access_key_id,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": uuid.uuid4().hex,
        "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **extra,
    }
    params["Signature"] = signing.sign_v1_params(
        params, method="GET", access_key_secret=TEST_CREDENTIALS.access_key_secret
    )
    return f"{endpoint}/?{urlencode(params)}"


async def test_an_error_fault_answers_in_the_requested_format(emulator):
    use(emulator, "unavailable=1")
    async with aiohttp.ClientSession() as session:
        with anyio.fail_after(WAIT):
            url = signed_url(emulator.endpoint, Format="XML")
            async with session.get(url) as response:
                body = await response.text()
    request_id = response.headers["x-acs-request-id"]
    assert response.status == 503
    assert response.content_type == "text/xml"
    assert "<Code>ServiceUnavailable</Code>" in body
    assert f"<RequestId>{request_id}</RequestId>" in body


@pytest.mark.parametrize(
    ("method", "extra", "code"),
    [
        ("GET", {"Version": "2020-01-01"}, "InvalidVersion"),
        ("GET", {"Format": "YAML"}, "InvalidParameter.Format"),
        ("GET", {"Action": "NoSuchAction"}, "InvalidAction.NotFound"),
        ("GET", {"Timestamp": "2001-01-01T00:00:00Z"}, "InvalidTimeStamp.Expired"),
        ("DELETE", {}, "UnsupportedHTTPMethod"),
    ],
)
async def test_a_call_the_gateway_rejects_gets_its_real_error(
    emulator, method, extra, code
):
    use(emulator, "throttle=1")
    url = signed_url(emulator.endpoint, **extra)
    async with aiohttp.ClientSession() as session:
        with anyio.fail_after(WAIT):
            async with session.request(method, url) as response:
                body = await response.json()
    assert body["Code"] == code
    assert emulator.faults.injected["throttle"] == 0


async def test_the_same_seed_meets_the_same_faults_over_the_wire():
    spec = "seed=11,throttle=0.3,unavailable=0.2,CreateSpace.throttle=0"
    outcomes = []
    for _ in range(2):
        async with (
            running_emulator(faults=spec) as emulator,
            client_for(emulator, retry=ONE_ATTEMPT) as client,
        ):
            outcomes.append([await _outcome(client) for _ in range(30)])
    assert outcomes[0] == outcomes[1]
    assert {"ok", "Throttling.User", "ServiceUnavailable"} == set(outcomes[0])


async def _outcome(client: aiompsls.Client) -> str:
    with anyio.fail_after(WAIT):
        try:
            await client.list_space()
        except aiompsls.ApiError as exc:
            return exc.code
    return "ok"
