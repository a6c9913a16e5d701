"""The log of one invocation as ListFunctionLog shows it.

Lines read ``2018-12-21 14:49:06.724 INFO <text>`` (UTC, as in the reference's
example), framed by the runtime's own ``Start `<name>` at <date>`` line and a closing
``Success in <n>ms`` (or the error and ``Fail in <n>ms``). Line times are the
invocation's start on the emulator's clock plus each line's offset into the run.
"""

from __future__ import annotations

from datetime import UTC, datetime

import attrs

from aiompsls.emulator.runtime.model import Outcome

__all__ = ["LEVEL_ORDER", "LogEntry", "invocation_log", "js_date", "log_time"]

#: Levels from the least to the most severe.
LEVEL_ORDER = ("DEBUG", "INFO", "WARN", "ERROR")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def _utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def log_time(ms: int) -> str:
    """``2018-12-21 14:49:06.724``: a log line's time (UTC, milliseconds)."""
    moment = _utc(ms)
    return f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d}"


def js_date(ms: int) -> str:
    """``Fri Dec 21 2018 14:49:06 GMT+0000 (UTC)``: JavaScript's ``Date`` string."""
    moment = _utc(ms)
    day, month = _DAYS[moment.weekday()], _MONTHS[moment.month - 1]
    return f"{day} {month} {moment:%d %Y %H:%M:%S} GMT+0000 (UTC)"


@attrs.frozen(kw_only=True)
class LogEntry:
    """One line of an invocation's log: when (epoch ms), its level and its text."""

    timestamp_ms: int
    level: str
    text: str

    def line(self) -> str:
        """The line as ListFunctionLog shows it: time, level, text."""
        return f"{log_time(self.timestamp_ms)} {self.level} {self.text}"


def invocation_log(
    outcome: Outcome, *, function_name: str, start_ms: int
) -> tuple[LogEntry, ...]:
    """Every line of a run's log, the runtime's framing lines included."""
    end_ms = start_ms + outcome.duration_ms
    entries = [
        LogEntry(
            timestamp_ms=start_ms,
            level="INFO",
            text=f"Start `{function_name}` at {js_date(start_ms)}",
        )
    ]
    entries += [
        LogEntry(
            timestamp_ms=min(start_ms + line.offset_ms, end_ms),
            level=line.level,
            text=line.text,
        )
        for line in outcome.lines
    ]
    failure = outcome.failure
    if failure is None:
        closing = LogEntry(
            timestamp_ms=end_ms,
            level="INFO",
            text=f"Success in {outcome.duration_ms}ms",
        )
        return (*entries, closing)
    error = LogEntry(
        timestamp_ms=end_ms, level="ERROR", text=failure.stack or failure.message
    )
    closing = LogEntry(
        timestamp_ms=end_ms, level="ERROR", text=f"Fail in {outcome.duration_ms}ms"
    )
    return (*entries, error, closing)
