"""The total and read time limits of a transport's attempts, kept by one shared timer.

aiohttp arms up to three timers per request and re-arms its read timer on every chunk
received. A :class:`Watchdog` instead checks every attempt in flight on one periodic
timer per transport, armed only while an attempt is in flight, and ends an overdue
attempt by cancelling its task; leaving the attempt's ``with`` block turns that
cancellation into ``TimeoutError`` and lets any other cancellation through, as
``asyncio.timeout`` does (without its per-use async context manager). Imports: stdlib
only.
"""

from __future__ import annotations

import asyncio
import math
from types import TracebackType
from typing import Literal, Protocol

__all__ = ["MAX_TICK", "Attempt", "Limit", "Received", "Watchdog", "tick_for"]

MAX_TICK = 1.0
"""The longest time between two checks of the attempts in flight, in seconds."""

#: The limit that ended an attempt.
Limit = Literal["total", "read"]


class Received(Protocol):
    """The response body as it arrives (aiohttp's ``StreamReader``)."""

    @property
    def total_bytes(self) -> int:
        """How many body bytes have arrived so far."""
        ...


def tick_for(total: float | None, read: float) -> float:
    """The time between two checks: ``MAX_TICK``, or a quarter of the shortest limit.

    A limit is noticed at the first check after it is reached: ``total`` at most one
    tick late, ``read`` at most two (progress is seen at a check, not as it arrives),
    and never early.
    """
    shortest = read if total is None else min(total, read)
    return min(MAX_TICK, shortest / 4)


class Attempt:
    """One attempt's progress and limits, as its watchdog sees them.

    Attributes:
        sent: Whether a connection was handed over, so the request may have left.
        expired: The limit the watchdog ended the attempt for, or None.
    """

    __slots__ = (
        "_body",
        "_cancelling",
        "_deadline",
        "_loop",
        "_seen",
        "_since",
        "_task",
        "_watchdog",
        "expired",
        "sent",
    )

    def __init__(self, watchdog: Watchdog, loop: asyncio.AbstractEventLoop) -> None:
        self._watchdog = watchdog
        self._loop = loop
        self._task: asyncio.Task[object] | None = None
        self._cancelling = 0
        self._deadline = math.inf
        # Since when no byte arrived (None: no connection yet, the read limit waits).
        self._since: float | None = None
        self._body: Received | None = None
        self._seen = 0
        self.sent = False
        self.expired: Limit | None = None

    def __enter__(self) -> Attempt:
        """Watch the attempt, run by the current task, until the block is left."""
        task = asyncio.current_task(self._loop)
        if task is None:
            raise RuntimeError("an attempt must run in a task")
        self._task, self._cancelling = task, task.cancelling()
        total = self._watchdog.total
        if total is not None:
            self._deadline = self._loop.time() + total
        self._watchdog.add(self, self._loop)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop watching; the watchdog's cancellation becomes ``TimeoutError``."""
        self._watchdog.discard(self)
        task, self._task, self._body = self._task, None, None
        if self.expired is None or task is None:
            return
        # As asyncio.timeout: only the cancellation the watchdog asked for is ours.
        if task.uncancel() <= self._cancelling and exc_type is asyncio.CancelledError:
            raise TimeoutError from exc

    def connected(self) -> None:
        """Note that a connection was handed over: the read limit counts from now."""
        self.sent = True
        self._since = self._loop.time()

    def receiving(self, body: Received) -> None:
        """Note that the response head arrived; the body's bytes count as progress."""
        self._body = body
        self._seen = body.total_bytes
        self._since = self._loop.time()

    def check(self, now: float, read: float) -> None:
        """End the attempt if it is past its total deadline or ``read`` idle."""
        task = self._task
        if task is None or self.expired is not None:
            return
        body = self._body
        if body is not None and body.total_bytes != self._seen:
            self._seen = body.total_bytes
            self._since = now
        read_due = math.inf if self._since is None else self._since + read
        if min(read_due, self._deadline) <= now:
            self.expired = "read" if read_due < self._deadline else "total"
            task.cancel()  # raised where the attempt waits, inside its block


class Watchdog:
    """One timer that keeps the total and read limits of many attempts.

    Args:
        total: Seconds an attempt may take in all, or None for no limit.
        read: Seconds an attempt with a connection may go without receiving a byte.
    """

    def __init__(self, *, total: float | None, read: float) -> None:
        self.total = total
        self.read = read
        self.tick = tick_for(total, read)
        self._attempts: set[Attempt] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False

    def attempt(self) -> Attempt:
        """A new attempt on the running loop, watched once it enters its block."""
        return Attempt(self, asyncio.get_running_loop())

    def add(self, attempt: Attempt, loop: asyncio.AbstractEventLoop) -> None:
        """Watch ``attempt``, running on ``loop``; start ticking if idle."""
        self._attempts.add(attempt)
        if self._timer is None:
            self._timer = loop.call_later(self.tick, self._check, loop)

    def discard(self, attempt: Attempt) -> None:
        """Stop watching ``attempt``; once closed, stop ticking with the last one."""
        self._attempts.discard(attempt)
        if self._closed and not self._attempts:
            self._stop()

    def close(self) -> None:
        """Stop ticking as soon as no attempt is in flight (now, if none is)."""
        self._closed = True
        if not self._attempts:
            self._stop()

    def _check(self, loop: asyncio.AbstractEventLoop) -> None:
        """Check every attempt in flight; tick again while there is one."""
        now, read = loop.time(), self.read
        for attempt in self._attempts:
            attempt.check(now, read)
        # Idle, the timer is not re-armed; an attempt finishing does not disarm it,
        # so back-to-back attempts share one timer instead of arming one each.
        self._timer = None
        if self._attempts:
            self._timer = loop.call_later(self.tick, self._check, loop)

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
