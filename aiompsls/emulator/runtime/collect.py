"""What a run's readers gather, and what it means once the process is gone.

:class:`Collector` takes the harness's protocol messages and the raw stdout/stderr
lines (bounded: ``MAX_LINE_CHARS`` a line, ``MAX_LOG_CHARS`` a run);
:func:`outcome_of` turns what was gathered into an :class:`~.model.Outcome`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

import attrs

from aiompsls.emulator.runtime.model import Failure, FailureKind, LogLine, Outcome

__all__ = [
    "MAX_LINE_CHARS",
    "MAX_LOG_CHARS",
    "Collector",
    "Limits",
    "outcome_of",
    "read_protocol",
    "read_raw",
]

MAX_LINE_CHARS = 16 * 1024
MAX_LOG_CHARS = 1024 * 1024
_HEAP_OOM = ("JavaScript heap out of memory", "Reached heap limit")
_TRUNCATED = "[log truncated: too much output]"


@attrs.frozen(kw_only=True)
class Limits:
    """The limits of a run: Timeout (from the call of ``main``), Memory, load time."""

    timeout_s: float
    memory_mb: int
    startup_timeout_s: float


@attrs.define
class Collector:
    """What the readers gather while the process runs (protocol, stdout, stderr).

    Attributes:
        started: Set when ``main`` is called (or the run ended before that).
        finished: Set when the harness reported the result.
        result: The harness's result message.
        lines: The log lines so far.
        stderr_tail: The last few KiB of stderr (tells a V8 heap exhaustion).
    """

    started: asyncio.Event = attrs.Factory(asyncio.Event)
    finished: asyncio.Event = attrs.Factory(asyncio.Event)
    result: dict[str, Any] | None = None
    lines: list[LogLine] = attrs.Factory(list)
    stderr_tail: str = ""
    _chars: int = 0
    _start_clock: float = attrs.Factory(time.monotonic)

    def offset_ms(self) -> int:
        """Milliseconds since ``main`` was called (0 before)."""
        if not self.started.is_set():
            return 0
        return round((time.monotonic() - self._start_clock) * 1000)

    def add(self, level: str, text: str, offset_ms: int) -> None:
        """Keep a log line, unless the run's log is full."""
        if self._chars > MAX_LOG_CHARS:
            return
        if len(text) > MAX_LINE_CHARS:
            text = text[:MAX_LINE_CHARS] + " [truncated]"
        self._chars += len(text)
        if self._chars > MAX_LOG_CHARS:
            level, text = "WARN", _TRUNCATED
        self.lines.append(LogLine(offset_ms=offset_ms, level=level, text=text))

    def message(self, message: dict[str, Any]) -> None:
        """Take one protocol message of the harness."""
        kind = message.get("type")
        if kind == "log":
            self.add(str(message["level"]), str(message["text"]), int(message["t"]))
        elif kind == "start":
            self._start_clock = time.monotonic()
            self.started.set()
        elif kind == "result" and self.result is None:
            self.result = message
            self.started.set()
            self.finished.set()


async def read_protocol(reader: asyncio.StreamReader, sink: Collector) -> None:
    """Feed the harness's JSON lines to ``sink`` until the pipe closes."""
    with contextlib.suppress(ValueError):  # an over-long line ends the protocol
        while line := await reader.readline():
            with contextlib.suppress(ValueError, KeyError, TypeError):
                sink.message(json.loads(line))


async def read_raw(stream: asyncio.StreamReader, level: str, sink: Collector) -> None:
    """Feed the lines of stdout or stderr to ``sink`` as ``level`` log lines."""
    pending = b""
    while chunk := await stream.read(64 * 1024):
        *lines, pending = (pending + chunk).split(b"\n")
        if len(pending) > MAX_LINE_CHARS:
            lines.append(pending)
            pending = b""
        for line in lines:
            _raw_line(sink, level, line)
    if pending:
        _raw_line(sink, level, pending)


def _raw_line(sink: Collector, level: str, line: bytes) -> None:
    text = line.decode("utf-8", "replace").rstrip("\r")
    if level == "ERROR":
        sink.stderr_tail = (sink.stderr_tail + "\n" + text)[-4096:]
    if text.strip():
        sink.add(level, text, sink.offset_ms())


def outcome_of(
    sink: Collector, timed_out: bool, limits: Limits, exit_code: int | None
) -> Outcome:
    """How the run went, from what was gathered and how the process ended.

    The lines are ordered by time: stdout and stderr are read apart from the
    harness's messages, so they may arrive out of turn.
    """
    lines = tuple(sorted(sink.lines, key=lambda line: line.offset_ms))
    result = sink.result
    if timed_out or result is None:
        ended = _timeout(sink, limits) if timed_out else _crash(sink, exit_code)
        spent = round(limits.timeout_s * 1000) if timed_out else sink.offset_ms()
        return Outcome(
            result=None,
            failure=ended,
            duration_ms=spent,
            max_memory_mb=0,
            lines=lines,
        )
    memory = -(-int(result.get("maxRssKb", 0)) // 1024)
    failure = _reported(result) if not result.get("ok") else None
    if failure is None and memory > limits.memory_mb:
        failure = _memory(memory, limits.memory_mb)
    return Outcome(
        result=None if failure is not None else str(result.get("value", "null")),
        failure=failure,
        duration_ms=int(result.get("durationMs", 0)),
        max_memory_mb=memory,
        lines=lines,
    )


def _timeout(sink: Collector, limits: Limits) -> Failure:
    if not sink.started.is_set():
        limit = limits.startup_timeout_s
        message = f"The function's module did not load within {limit:g} s."
    else:
        message = f"The function timed out after {limits.timeout_s:g} s."
    return Failure(kind=FailureKind.TIMEOUT, message=message)


def _crash(sink: Collector, code: int | None) -> Failure:
    if any(marker in sink.stderr_tail for marker in _HEAP_OOM):
        return Failure(
            kind=FailureKind.MEMORY,
            message="The function ran out of memory (JavaScript heap).",
        )
    how = f"signal {-code}" if code is not None and code < 0 else f"code {code}"
    return Failure(
        kind=FailureKind.CRASH,
        message=f"The function's process exited with {how} before returning.",
    )


def _memory(used_mb: int, limit_mb: int) -> Failure:
    return Failure(
        kind=FailureKind.MEMORY,
        message=f"Memory used ({used_mb} MB) exceeds {limit_mb} MB.",
    )


def _reported(result: dict[str, Any]) -> Failure:
    error = result.get("error") or {}
    name, message = str(error.get("name", "Error")), str(error.get("message", ""))
    if result.get("kind") == "memory":
        return Failure(kind=FailureKind.MEMORY, message=message)
    stack = str(error.get("stack", ""))
    return Failure(kind=FailureKind.ERROR, message=f"{name}: {message}", stack=stack)
