"""``python -m aiompsls.emulator serve`` as a real subprocess, and its option parsing.

Every wait is bounded (``anyio.fail_after``, client timeouts); nothing sleeps.
"""

from __future__ import annotations

import json
import signal
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from urllib.parse import urlencode

import aiohttp
import anyio
import pytest
from anyio.abc import Process

from aiompsls._core import signing
from aiompsls.emulator import __main__ as module_entry
from aiompsls.emulator import serve

WAIT_SECONDS = 60
Spawn = Callable[..., Awaitable[Process]]


async def first_line(process: Process) -> dict[str, str]:
    """Read stdout up to the first newline and decode it as JSON."""
    assert process.stdout is not None
    data = b""
    with anyio.fail_after(WAIT_SECONDS):
        while b"\n" not in data:
            data += await process.stdout.receive()
    announced: dict[str, str] = json.loads(data.split(b"\n", 1)[0])
    return announced


@pytest.fixture
async def spawn() -> AsyncIterator[Spawn]:
    """Start ``serve`` subprocesses; any still running at the end are killed."""
    started: list[Process] = []

    async def run(*options: str) -> Process:
        command = [sys.executable, "-m", "aiompsls.emulator", "serve", "--memory"]
        command += options
        process = await anyio.open_process(command, stderr=None)
        started.append(process)
        return process

    yield run
    for process in started:
        if process.returncode is None:
            process.kill()
        await process.aclose()


async def signed_list_space(announced: dict[str, str]) -> tuple[int, dict[str, object]]:
    params = {
        "Action": "ListSpace",
        "Version": "2019-06-15",
        "Format": "JSON",
        "AccessKeyId": announced["access_key_id"],
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": uuid.uuid4().hex,
        "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    params["Signature"] = signing.sign_v1_params(
        params, method="GET", access_key_secret=announced["access_key_secret"]
    )
    url = f"{announced['endpoint']}/?{urlencode(params)}"
    timeout = aiohttp.ClientTimeout(total=WAIT_SECONDS)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.get(url) as response,
    ):
        return response.status, await response.json()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_serve_announces_serves_and_exits_0_on_signal(
    spawn: Spawn, signum: signal.Signals
) -> None:
    process = await spawn("--port", "0")
    announced = await first_line(process)
    assert announced["endpoint"].startswith("http://127.0.0.1:")
    assert announced["access_key_id"].startswith("LTAI")
    assert len(announced["access_key_secret"]) >= 20
    status, body = await signed_list_space(announced)
    assert (status, body["Count"]) == (200, 0)
    process.send_signal(signum)
    with anyio.fail_after(WAIT_SECONDS):
        assert await process.wait() == 0


async def test_serve_uses_the_given_credentials(spawn: Spawn) -> None:
    process = await spawn(
        "--memory", "--access-key-id", "LTAIgiven", "--access-key-secret", "s3cret"
    )
    announced = await first_line(process)
    assert (announced["access_key_id"], announced["access_key_secret"]) == (
        "LTAIgiven",
        "s3cret",
    )
    status, _ = await signed_list_space(announced)
    assert status == 200
    process.terminate()
    with anyio.fail_after(WAIT_SECONDS):
        assert await process.wait() == 0


def test_generated_credentials_differ_each_time() -> None:
    assert serve.generate_credentials() != serve.generate_credentials()


def test_key_id_without_secret_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as info:
        serve.main(["--access-key-id", "LTAIonly"])
    assert info.value.code == 2
    assert "--access-key-secret" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--port", "99999", "a port is from 0 to 65535, not 99999"),
        ("--port", "-1", "a port is from 0 to 65535, not -1"),
        ("--port", "http", "not a port number: 'http'"),
        ("--task-step", "-1", "must be more than 0 seconds, not -1"),
        ("--task-step", "0", "must be more than 0 seconds, not 0"),
        ("--task-step", "nan", "must be more than 0 seconds, not nan"),
        ("--task-step", "soon", "not a number: 'soon'"),
    ],
)
def test_out_of_range_options_are_usage_errors_naming_the_option(
    capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    with pytest.raises(SystemExit) as info:
        serve.main(["--memory", option, value])
    assert info.value.code == 2
    assert f"argument {option}: {message}" in capsys.readouterr().err


def test_help_names_the_state_folder_and_memory_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as info:
        serve.main(["--help"])
    assert info.value.code == 0
    helped = " ".join(capsys.readouterr().out.split())
    assert "--state-dir PATH" in helped
    assert "keep everything in memory" in helped


def test_module_entry_help_and_serve_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert module_entry.main(["--help"]) == 0
    assert "serve" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        module_entry.main(["serve", "--help"])
    assert info.value.code == 0
    assert "--access-key-secret" in capsys.readouterr().out


def test_module_entry_wants_the_serve_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert module_entry.main(["run"]) == 2
    assert "serve" in capsys.readouterr().err


def test_busy_port_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert serve.main(["--memory", "--port", str(port)]) == 1
    assert "aiompsls emulator serve:" in capsys.readouterr().err
