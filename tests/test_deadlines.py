"""An attempt as a cancel scope: its own expiry is TimeoutError, anything else passes.

The watchdog's checks are driven by hand here (``check`` with a chosen ``now``), so
no test waits for a timer.
"""

from __future__ import annotations

import asyncio
import math

import pytest

from aiompsls._deadlines import Attempt, Watchdog

pytestmark = pytest.mark.anyio


async def attempt_checked(
    attempt: Attempt, *offsets: float, connect: bool = False, cancel: bool = False
) -> None:
    """Run ``attempt``'s block: checks at these offsets from now, each then a wait.

    ``connect`` hands it a connection first; ``cancel`` has the caller give up too.
    """
    with attempt:
        if connect:
            attempt.connected()
        if cancel:
            task = asyncio.current_task()
            assert task is not None
            task.cancel()
        start = asyncio.get_running_loop().time()
        for offset in offsets:
            attempt.check(start + offset, read=1.0)
            await asyncio.sleep(0)  # where the attempt would wait for the server


async def test_an_expired_attempt_raises_timeout_error_and_names_the_limit():
    watchdog = Watchdog(total=5.0, read=1.0)
    attempt = watchdog.attempt()
    with pytest.raises(TimeoutError):
        await attempt_checked(attempt, 4.0, math.inf)
    assert attempt.expired == "total"
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0  # nothing of the watchdog's is left pending
    watchdog.close()


async def test_a_connected_attempt_that_receives_nothing_expires_for_read():
    watchdog = Watchdog(total=None, read=1.0)
    attempt = watchdog.attempt()
    with pytest.raises(TimeoutError):
        await attempt_checked(attempt, 0.5, 2.0, connect=True)
    assert attempt.expired == "read"
    watchdog.close()


async def test_without_a_connection_read_does_not_count():
    watchdog = Watchdog(total=None, read=1.0)
    attempt = watchdog.attempt()
    await attempt_checked(attempt, 2.0, 50.0)  # e.g. waiting for a pooled connection
    assert attempt.expired is None
    watchdog.close()


async def test_an_outer_cancellation_passes_through_even_when_the_limit_hits_too():
    watchdog = Watchdog(total=5.0, read=1.0)
    attempt = watchdog.attempt()
    with pytest.raises(asyncio.CancelledError):
        await attempt_checked(attempt, math.inf, cancel=True)
    task = asyncio.current_task()
    assert task is not None
    assert task.uncancel() == 0  # the caller's own cancellation was still pending
    watchdog.close()
