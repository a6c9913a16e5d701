"""The ``/_admin/`` endpoints, and fault plans given to ``serve`` by option or variable.

Every wait is bounded by ``anyio.fail_after``; nothing sleeps.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import anyio
import pytest
from anyio.abc import Process

import aiompsls
from aiompsls.emulator import Emulator, serve
from aiompsls.emulator.admin import is_loopback
from aiompsls.emulator.fault_spec import parse_faults, plan_to_json
from aiompsls.emulator.faults import ENV_VAR
from aiompsls.testing import client_for, make_emulator, running_emulator

WAIT = 30.0  # the bound of every wait here; never reached when the code is right
ONE_ATTEMPT = aiompsls.RetryPolicy(max_attempts=1)


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with running_emulator() as running:
        yield running


async def admin(
    endpoint: str, method: str, name: str, *, data: bytes | None = None, **query: str
) -> tuple[int, Any]:
    url = f"{endpoint}/_admin/{name}"
    async with aiohttp.ClientSession() as session:
        with anyio.fail_after(WAIT):
            async with session.request(method, url, data=data, params=query) as answer:
                return answer.status, await answer.json()


async def create_spaces(emulator: Emulator, *names: str) -> list[str]:
    async with client_for(emulator, retry=ONE_ATTEMPT) as client:
        with anyio.fail_after(WAIT):
            return [
                (await client.create_space(name=name, desc="admin test")).space_id
                for name in names
            ]


async def test_health_answers_ok(emulator):
    assert await admin(emulator.endpoint, "GET", "health") == (200, {"status": "ok"})


async def test_state_counts_what_the_state_holds(emulator):
    await create_spaces(emulator, "one", "two")
    status, summary = await admin(emulator.endpoint, "GET", "state")
    assert status == 200
    assert summary["spaces"] == 2
    assert summary["functions"] == summary["files"] == summary["hosting_files"] == 0
    assert summary["faults_injected"] == dict.fromkeys(
        ("throttle", "unavailable", "internal", "reset_before", "reset_after"), 0
    )


async def test_reset_starts_the_state_afresh(emulator):
    await create_spaces(emulator, "gone")
    status, summary = await admin(emulator.endpoint, "POST", "reset")
    assert (status, summary["spaces"]) == (200, 0)
    assert emulator.state.spaces == {}
    assert (await create_spaces(emulator, "again")) != []


async def test_faults_can_be_read_and_replaced(emulator):
    endpoint, nothing = emulator.endpoint, plan_to_json(parse_faults(""))
    assert await admin(endpoint, "GET", "faults") == (200, nothing)
    wanted = plan_to_json(parse_faults("seed=4,ListSpace.throttle=1"))
    body = json.dumps(wanted).encode()
    assert await admin(endpoint, "PUT", "faults", data=body) == (200, wanted)
    assert await admin(endpoint, "GET", "faults") == (200, wanted)
    assert emulator.faults.plan == parse_faults("seed=4,ListSpace.throttle=1")


async def test_a_spec_string_replaces_the_faults_and_calls_meet_them(emulator):
    body = json.dumps("ListSpace.throttle=1").encode()
    status, plan = await admin(emulator.endpoint, "PUT", "faults", data=body)
    assert (status, plan["actions"]) == (200, {"ListSpace": {"throttle": 1.0}})
    async with client_for(emulator, retry=ONE_ATTEMPT) as client:
        with anyio.fail_after(WAIT), pytest.raises(aiompsls.ThrottlingError):
            await client.list_space()
    _, summary = await admin(emulator.endpoint, "GET", "state")
    assert summary["faults_injected"]["throttle"] == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"throttle=1", "the body is not JSON"),
        (b'"throttle=2"', "fault spec item 'throttle=2': a rate must be from 0 to 1"),
        (b'{"throttle": 2}', "the fault plan: throttle must be from 0 to 1"),
        (b"[1]", "the fault plan must be a JSON object"),
    ],
)
async def test_a_bad_fault_plan_is_refused_and_the_old_one_kept(
    emulator, body, message
):
    emulator.faults.replace(parse_faults("internal=0.5"))
    status, answer = await admin(emulator.endpoint, "PUT", "faults", data=body)
    assert status == 400
    assert message in answer["error"]
    assert emulator.faults.plan == parse_faults("internal=0.5")


async def test_admin_endpoints_never_meet_faults(emulator):
    emulator.faults.replace(parse_faults("reset_before=0.5,throttle=0.5"))
    for _ in range(10):
        assert (await admin(emulator.endpoint, "GET", "health"))[0] == 200
    assert sum(emulator.faults.injected.values()) == 0


async def test_backup_snapshots_every_space_or_one(emulator):
    first, second = await create_spaces(emulator, "a", "b")
    status, answer = await admin(emulator.endpoint, "POST", "backup")
    assert status == 200
    assert [b["space_id"] for b in answer["backups"]] == [first, second]
    assert all(b["backup_id"].endswith(b["space_id"]) for b in answer["backups"])
    status, answer = await admin(emulator.endpoint, "POST", "backup", space_id=second)
    assert [b["space_id"] for b in answer["backups"]] == [second]
    assert len(emulator.state.spaces[second].db.backups) == 1  # same second, same id
    status, answer = await admin(emulator.endpoint, "POST", "backup", space_id="nope")
    assert (status, answer) == (404, {"error": "there is no space 'nope'"})


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("192.168.1.20", False),
        ("::ffff:10.0.0.1", False),
        ("2001:db8::1", False),
        ("", False),
        (None, False),
        ("not an address", False),
    ],
)
def test_only_loopback_peers_count_as_local(address, expected):
    assert is_loopback(address) is expected


def outward_address() -> str:
    """This host's address on its default route (a UDP connect sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("198.51.100.1", 9))
        except OSError:
            pytest.skip("this host has no route off loopback")
        address: str = probe.getsockname()[0]
    if is_loopback(address):
        pytest.skip("this host has no address off loopback")
    return address


async def test_a_peer_off_loopback_is_refused():
    emulator = make_emulator()
    async with emulator.running(host=outward_address()):
        status, answer = await admin(emulator.endpoint, "GET", "health")
    assert status == 403
    assert answer == {"error": "the admin endpoints answer loopback clients only"}


# -- serve --faults / AIOMPSLS_EMULATOR_FAULTS ------------------------------------


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        (["--faults", "throttle=2"], None, "--faults: fault spec item 'throttle=2'"),
        ([], "latency=5", f"{ENV_VAR}: fault spec item 'latency=5'"),
    ],
)
def test_a_bad_fault_spec_is_a_usage_error(monkeypatch, capsys, argv, env, message):
    if env is not None:
        monkeypatch.setenv(ENV_VAR, env)
    with pytest.raises(SystemExit) as info:
        serve.main(argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


async def spawn_serve(*options: str, env: str | None = None) -> Process:
    environ = {k: v for k, v in os.environ.items() if k != ENV_VAR}
    if env is not None:
        environ[ENV_VAR] = env
    command = [sys.executable, "-m", "aiompsls.emulator", "serve", "--memory"]
    command += options
    return await anyio.open_process(command, env=environ, stderr=None)


async def announced_endpoint(process: Process) -> str:
    assert process.stdout is not None
    data = b""
    with anyio.fail_after(WAIT):
        while b"\n" not in data:
            data += await process.stdout.receive()
    endpoint: str = json.loads(data.split(b"\n", 1)[0])["endpoint"]
    return endpoint


@pytest.mark.parametrize(
    ("options", "env", "expected"),
    [
        (["--faults", "seed=3,throttle=25%"], None, "seed=3,throttle=0.25"),
        ([], "seed=5,ListSpace.internal=1", "seed=5,ListSpace.internal=1"),
        (["--faults", "unavailable=0.5"], "internal=1", "seed=0,unavailable=0.5"),
    ],
    ids=["option", "environment", "option wins"],
)
async def test_serve_takes_its_fault_plan_from_the_option_or_the_environment(
    options, env, expected
):
    process = await spawn_serve(*options, env=env)
    try:
        endpoint = await announced_endpoint(process)
        status, plan = await admin(endpoint, "GET", "faults")
    finally:
        process.terminate()
        with anyio.fail_after(WAIT):
            await process.wait()
        await process.aclose()
    assert (status, plan) == (200, plan_to_json(parse_faults(expected)))
