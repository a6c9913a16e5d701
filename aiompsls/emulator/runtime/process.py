"""One run of the harness in a Node.js process, supervised from asyncio.

The process starts in a session of its own with a clean environment (no variable of
the emulator's leaks into it), reads the invocation on stdin and speaks JSON lines on
a pipe of its own (see ``harness.js``); its stdout and stderr become INFO and ERROR
log lines. Node's heap is capped at the function's Memory. The timeout counts from
the call of ``main`` (loading the module has ``startup_timeout_s`` of its own); on
expiry, and always at the end, the whole process group is killed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
from pathlib import Path
from typing import Any

import attrs

from aiompsls.emulator.runtime.collect import (
    MAX_LINE_CHARS,
    Collector,
    Limits,
    outcome_of,
    read_protocol,
    read_raw,
)
from aiompsls.emulator.runtime.model import Outcome

__all__ = ["HARNESS", "MAX_RESULT_BYTES", "HarnessRun", "run_harness"]

HARNESS = Path(__file__).with_name("harness.js")
MAX_RESULT_BYTES = 6 * 1024 * 1024
_PROTOCOL_LIMIT = 8 * MAX_RESULT_BYTES
_DRAIN_S = 5.0
_ENV_KEEP = ("PATH", "SYSTEMROOT")

Process = asyncio.subprocess.Process


@attrs.frozen(kw_only=True)
class HarnessRun:
    """How to run one invocation.

    Attributes:
        node: The ``node`` executable.
        entry: The entry file to ``require``.
        code_dir: The working directory (the unpacked package).
        event: The ``event`` handed to ``main`` (a JSON value).
        context: ``requestId``, ``functionName`` and ``spaceId`` for ``context``.
        limits: Timeout, Memory and the module's load time.
    """

    node: str
    entry: Path
    code_dir: Path
    event: Any
    context: dict[str, str]
    limits: Limits

    def payload(self) -> bytes:
        """The invocation document the harness reads on stdin."""
        document = {
            "entry": str(self.entry),
            "event": self.event,
            "context": self.context,
            "memoryMb": self.limits.memory_mb,
            "maxLineChars": MAX_LINE_CHARS,
            "maxResultBytes": MAX_RESULT_BYTES,
        }
        return json.dumps(document, ensure_ascii=False).encode()


def _child_env() -> dict[str, str]:
    env = {name: os.environ[name] for name in _ENV_KEEP if name in os.environ}
    env.update(TZ="UTC", LANG="C.UTF-8", NODE_ENV="production")
    return env


async def _spawn(run: HarnessRun, fd: int) -> Process:
    return await asyncio.create_subprocess_exec(
        run.node,
        f"--max-old-space-size={run.limits.memory_mb}",
        str(HARNESS),
        str(fd),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        pass_fds=(fd,),
        start_new_session=True,
        cwd=run.code_dir,
        env=_child_env(),
    )


async def _start(run: HarnessRun) -> tuple[Process, int]:
    """Spawn node with the write end of a fresh pipe; the process and the read end."""
    read_fd, write_fd = os.pipe()
    try:
        proc = await _spawn(run, write_fd)
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
    return proc, read_fd


async def _open_protocol(fd: int) -> tuple[asyncio.StreamReader, asyncio.BaseTransport]:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=_PROTOCOL_LIMIT)
    pipe = os.fdopen(fd, "rb", buffering=0)
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), pipe
    )
    return reader, transport


def _readers(
    proc: Process, protocol: asyncio.StreamReader, sink: Collector
) -> list[asyncio.Task[None]]:
    if proc.stdout is None or proc.stderr is None:
        raise RuntimeError("the harness process has no stdout or stderr pipe")
    return [
        asyncio.create_task(read_protocol(protocol, sink)),
        asyncio.create_task(read_raw(proc.stdout, "INFO", sink)),
        asyncio.create_task(read_raw(proc.stderr, "ERROR", sink)),
    ]


async def _feed(proc: Process, payload: bytes) -> None:
    stdin = proc.stdin
    if stdin is None:
        raise RuntimeError("the harness process has no stdin pipe")
    with contextlib.suppress(OSError):  # the process may be gone already
        stdin.write(payload)
        await stdin.drain()
    stdin.close()
    with contextlib.suppress(OSError):
        await stdin.wait_closed()


async def _first(
    event: asyncio.Event, exited: asyncio.Future[int], limit: float
) -> bool:
    """Wait for ``event`` or the process's exit; False when ``limit`` passed first."""
    waiter: asyncio.Future[Any] = asyncio.ensure_future(event.wait())
    either: set[asyncio.Future[Any]] = {waiter, exited}
    try:
        done, _ = await asyncio.wait(
            either, timeout=limit, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        waiter.cancel()
    return bool(done)


async def _supervise(proc: Process, sink: Collector, limits: Limits) -> bool:
    """Follow the run until it ends; True when a deadline passed first."""
    exited = asyncio.ensure_future(proc.wait())
    try:
        if not await _first(sink.started, exited, limits.startup_timeout_s):
            return True
        return not await _first(sink.finished, exited, limits.timeout_s)
    finally:
        exited.cancel()


def _kill_group(proc: Process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


async def _finish(proc: Process, readers: list[asyncio.Task[None]]) -> None:
    """Kill what is left of the run, reap it and let the readers reach the end."""
    _kill_group(proc)
    await proc.wait()
    if not readers:
        return
    _, pending = await asyncio.wait(readers, timeout=_DRAIN_S)
    for task in pending:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)


async def run_harness(run: HarnessRun) -> Outcome:
    """Run one invocation to its end and describe how it went.

    Cancelling the call kills the process group too.

    Raises:
        OSError: ``node`` could not be started.
    """
    sink = Collector()
    proc, read_fd = await _start(run)
    readers: list[asyncio.Task[None]] = []
    transport: asyncio.BaseTransport | None = None
    try:
        protocol, transport = await _open_protocol(read_fd)
        readers = _readers(proc, protocol, sink)
        await _feed(proc, run.payload())
        timed_out = await _supervise(proc, sink, run.limits)
    finally:
        await _finish(proc, readers)
        if transport is not None:
            transport.close()
    return outcome_of(sink, timed_out, run.limits, proc.returncode)
