"""``serve`` as a real subprocess on a state folder: restarts, the lock, ``--memory``.

Every wait is bounded (``anyio.fail_after``); nothing sleeps.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import anyio
import pytest
from anyio.abc import Process

import aiompsls

WAIT = 60.0
Spawn = Callable[..., Awaitable[Process]]


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    """The environment of ``serve``: temporary files under ``tmp_path/tmp``."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIOMPSLS_")}
    state = str(tmp_path / "d")
    return env | {"TMPDIR": str(scratch), "AIOMPSLS_EMULATOR_STATE": state}


@pytest.fixture
async def spawn(environ: dict[str, str]) -> AsyncIterator[Spawn]:
    """Start ``serve`` subprocesses; any still running at the end are killed."""
    started: list[Process] = []

    async def run(*options: str) -> Process:
        command = [sys.executable, "-m", "aiompsls.emulator", "serve", *options]
        process = await anyio.open_process(command, env=environ)
        started.append(process)
        return process

    yield run
    for process in started:
        if process.returncode is None:
            process.kill()
        await process.aclose()


async def first_line(process: Process) -> dict[str, str]:
    assert process.stdout is not None
    data = b""
    with anyio.fail_after(WAIT):
        while b"\n" not in data:
            data += await process.stdout.receive()
    announced: dict[str, str] = json.loads(data.split(b"\n", 1)[0])
    return announced


async def stopped(process: Process) -> int:
    if process.returncode is None:
        process.terminate()
    with anyio.fail_after(WAIT):
        return await process.wait()


async def failed_serve(environ: dict[str, str], *options: str) -> tuple[int, str]:
    """Run a ``serve`` that exits at once: its exit code and stderr.

    Run from a thread with :mod:`subprocess`: asyncio's child watcher can miss a
    child that exits before it is watched (and report 255).
    """
    command = [sys.executable, "-m", "aiompsls.emulator", "serve", *options]
    run = functools.partial(
        subprocess.run,
        command,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=WAIT,
    )
    completed = await anyio.to_thread.run_sync(run)
    return completed.returncode, completed.stderr


def client_of(announced: dict[str, str]) -> aiompsls.Client:
    creds = aiompsls.Credentials(
        access_key_id=announced["access_key_id"],
        access_key_secret=announced["access_key_secret"],
    )
    config = aiompsls.ClientConfig(endpoint=announced["endpoint"])
    return aiompsls.Client(creds, config=config)


async def test_a_restarted_serve_keeps_its_keys_and_data(spawn, tmp_path):
    folder = str(tmp_path / "state")
    first = await spawn("--state-dir", folder)
    announced = await first_line(first)
    async with client_of(announced) as client:
        await client.create_space(name="lasting")
    assert await stopped(first) == 0
    second = await spawn("--state-dir", folder)
    again = await first_line(second)
    async with client_of(again) as client:
        spaces = (await client.list_space()).spaces
    assert await stopped(second) == 0
    keys = ("access_key_id", "access_key_secret")
    assert [again[k] for k in keys] == [announced[k] for k in keys]
    assert [s.name for s in spaces] == ["lasting"]
    assert (tmp_path / "state" / "emulator.sqlite").is_file()


async def test_the_default_state_folder_comes_from_the_environment(spawn, tmp_path):
    process = await spawn()
    await first_line(process)
    assert await stopped(process) == 0
    assert (tmp_path / "d" / "emulator.sqlite").is_file()


async def test_a_second_serve_on_a_held_folder_exits_1(spawn, environ, tmp_path):
    folder = str(tmp_path / "state")
    holder = await spawn("--state-dir", folder)
    await first_line(holder)
    code, message = await failed_serve(environ, "--state-dir", folder)
    assert code == 1
    assert "another emulator is using this state folder" in message
    assert await stopped(holder) == 0


async def test_a_corrupt_state_file_exits_1_naming_it(environ, tmp_path):
    state = tmp_path / "state" / "emulator.sqlite"
    state.parent.mkdir()
    state.write_bytes(b"not a database, certainly not one of ours" * 10)
    code, message = await failed_serve(environ, "--state-dir", str(state.parent))
    assert code == 1
    assert str(state) in message
    assert "Traceback" not in message


async def test_memory_mode_leaves_nothing_behind(spawn, tmp_path):
    process = await spawn("--memory")
    announced = await first_line(process)
    async with client_of(announced) as client, aiohttp.ClientSession() as http:
        space = (await client.create_space(name="fleeting")).space_id
        upload = await client.describe_file_upload_signed_url(
            space_id=space, content_type="text/plain", filename="a.txt", size=2
        )
        headers = {"Content-Type": "text/plain"}
        async with http.put(upload.sign_url, data=b"hi", headers=headers) as put:
            assert put.status == 200
    assert await stopped(process) == 0
    assert not (tmp_path / "d").exists()
    assert list((tmp_path / "tmp").iterdir()) == []


def test_memory_and_state_dir_together_are_a_usage_error() -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "aiompsls.emulator",
            "serve",
            "--memory",
            "--state-dir",
            "x",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=WAIT,
    )
    assert completed.returncode == 2
    assert "--memory and --state-dir exclude each other" in completed.stderr
