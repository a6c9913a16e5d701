"""The ``Emulator`` object: its lifecycle, in-process serving, and STS keys."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from aiompsls._core import signing
from aiompsls.emulator import Emulator
from aiompsls.emulator.state import EmulatorState

KEY_ID = "LTAIserverTestKey"
SECRET = "server-test-secret"
NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def list_space_url(base: str, *, token: str | None = None) -> str:
    params = {
        "Action": "ListSpace",
        "Version": "2019-06-15",
        "AccessKeyId": KEY_ID,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": uuid.uuid4().hex,
        "Timestamp": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if token is not None:
        params["SecurityToken"] = token
    params["Signature"] = signing.sign_v1_params(
        params, method="GET", access_key_secret=SECRET
    )
    return f"{base}/?{urlencode(params)}"


async def get_json(url: str) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


def make(
    *, security_token: str | None = None, state: EmulatorState | None = None
) -> Emulator:
    return Emulator(
        access_key_id=KEY_ID,
        access_key_secret=SECRET,
        security_token=security_token,
        state=state,
        clock=lambda: NOW,
    )


async def test_endpoint_exists_only_while_running() -> None:
    emulator = make()
    with pytest.raises(RuntimeError, match="not running"):
        _ = emulator.endpoint
    async with emulator.running() as running:
        assert running is emulator
        assert running.endpoint.startswith("http://127.0.0.1:")
        assert (await get_json(list_space_url(running.endpoint)))[0] == 200
    with pytest.raises(RuntimeError, match="not running"):
        _ = emulator.endpoint


async def test_running_twice_at_once_is_refused() -> None:
    emulator = make()
    async with emulator.running():
        with pytest.raises(RuntimeError, match="already running"):
            async with emulator.running():
                pass


async def test_the_same_emulator_serves_again_after_it_stopped() -> None:
    state = EmulatorState()
    emulator = make(state=state)
    for _ in range(2):
        async with emulator.running() as running:
            status, _body = await get_json(list_space_url(running.endpoint))
            assert status == 200
    assert emulator.state is state


async def test_app_serves_in_process_with_test_server() -> None:
    emulator = make()
    async with TestServer(emulator.app) as server:
        base = str(server.make_url("")).rstrip("/")
        status, body = await get_json(list_space_url(base))
    assert (status, body["Count"]) == (200, 0)


@pytest.mark.parametrize(
    ("token", "status", "code"),
    [
        (None, 400, "MissingSecurityToken"),
        ("other", 400, "InvalidSecurityToken.MismatchWithAccessKey"),
        ("sts-token", 200, "OK"),
    ],
)
async def test_sts_key_requires_its_token(
    token: str | None, status: int, code: str | None
) -> None:
    emulator = make(security_token="sts-token")
    async with emulator.running() as running:
        answer = await get_json(list_space_url(running.endpoint, token=token))
    assert answer[0] == status
    assert answer[1].get("Code") == code


def test_repr_never_shows_the_secret() -> None:
    emulator = make(security_token="sts-token")
    assert SECRET not in repr(emulator)
    assert emulator.access_key_id == KEY_ID
