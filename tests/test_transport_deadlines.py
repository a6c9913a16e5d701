"""The total and read limits, kept by the transport's watchdog, over loopback sockets.

One socket server on 127.0.0.1 plays a script per request, in the order requests
arrive: answer at once, stall in the middle of the body, or drip the body a byte at a
time. The limits under test are at most 0.3 s; every other wait is bounded by
``anyio.fail_after`` and driven by what the server saw.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.abc
import pytest

import aiompsls
from aiompsls._deadlines import MAX_TICK, tick_for

CREDS = aiompsls.Credentials(access_key_id="testid", access_key_secret="testsecret")
WAIT = 10.0  # the bound of every wait here; never reached when the code is right
DRIP = 0.01  # seconds between two bytes of a dripped body, far below every read limit
# A ListSpace answer, JSON padded with trailing spaces, and the HTTP head before it.
BODY = b'{"RequestId": "req-1", "Count": 0, "Spaces": []}'.ljust(64)
HEAD = (
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    f"Content-Length: {len(BODY)}\r\n\r\n"
).encode()


async def fast(stream: anyio.abc.SocketStream) -> bool:
    """Answer at once and keep the connection."""
    await stream.send(HEAD + BODY)
    return True


async def stall(stream: anyio.abc.SocketStream) -> bool:
    """Send the head and half the body, then nothing until the client leaves."""
    await stream.send(HEAD + BODY[:32])
    await stream.receive()  # only the client closing ends this
    return False


def drip(count: int) -> Callable[[anyio.abc.SocketStream], Awaitable[bool]]:
    """Send all but the last ``count`` bytes, then those one every ``DRIP`` seconds."""

    async def play(stream: anyio.abc.SocketStream) -> bool:
        await stream.send(HEAD + BODY[:-count])
        for byte in BODY[-count:]:
            await anyio.sleep(DRIP)
            await stream.send(bytes([byte]))
        return True

    return play


Script = Callable[[anyio.abc.SocketStream], Awaitable[bool]]


class ScriptedServer:
    """Plays ``scripts[n]`` for the n-th request; counts requests and hang-ups."""

    def __init__(self, scripts: list[Script]) -> None:
        self.scripts = scripts
        self.requests = self.hangups = 0
        self.url = ""
        self._changed = anyio.Event()

    async def until(self, condition: Callable[[], bool]) -> None:
        with anyio.fail_after(WAIT):
            while not condition():
                await self._changed.wait()

    async def until_requests(self, count: int) -> None:
        await self.until(lambda: self.requests == count)

    def _change(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    async def handle(self, stream: anyio.abc.SocketStream) -> None:
        async with stream:
            try:
                while True:
                    await _read_request(stream)
                    script = self.scripts[self.requests]
                    self.requests += 1
                    self._change()
                    if not await script(stream):
                        return
            except (anyio.EndOfStream, anyio.BrokenResourceError):
                self.hangups += 1
                self._change()


async def _read_request(stream: anyio.abc.SocketStream) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        data += await stream.receive()
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").lower().split("\r\n")
    sizes = [int(x.split(":")[1]) for x in lines if x.startswith("content-length:")]
    while len(rest) < sum(sizes):
        rest += await stream.receive()


@asynccontextmanager
async def serving(scripts: list[Script]) -> AsyncIterator[ScriptedServer]:
    server = ScriptedServer(scripts)
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)  # noqa: S610
    server.url = f"http://127.0.0.1:{port}"
    async with listener, anyio.create_task_group() as group:
        group.start_soon(listener.serve, server.handle)
        yield server
        group.cancel_scope.cancel()


def make_client(url: str, **settings: Any) -> aiompsls.Client:
    settings.setdefault("retry", aiompsls.RetryPolicy(max_attempts=1))
    config = aiompsls.ClientConfig(endpoint=url, **settings)
    return aiompsls.Client(CREDS, config=config)


async def outcome(client: aiompsls.Client) -> str:
    """``"ok"``, or the limit that ended the call as its message names it."""
    try:
        await client.list_space()
    except aiompsls.TransportTimeoutError as exc:
        limit = "total" if "total time limit" in str(exc) else "read"
        return limit if exc.is_request_sent else f"{limit}, unsent"
    return "ok"


# -- the tick ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "read", "tick"),
    [
        (60.0, 30.0, MAX_TICK),  # the defaults: a check a second
        (0.2, 30.0, 0.05),
        (None, 0.4, 0.1),
        (8.0, 2.0, 0.5),
    ],
)
def test_the_tick_is_a_quarter_of_the_shortest_limit_up_to_a_second(total, read, tick):
    assert tick_for(total, read) == pytest.approx(tick)


# -- read and total ------------------------------------------------------------------


LIMITS = {
    # bytes keep coming, each well within read, for twice as long as read
    "read only": (aiompsls.TimeoutConfig(read=0.15, total=None), 30, "ok"),
    # the same drip for longer than total: progress does not extend total
    "read and total": (aiompsls.TimeoutConfig(read=0.15, total=0.25), 60, "total"),
}


@pytest.mark.parametrize(
    ("timeouts", "size", "expected"), LIMITS.values(), ids=LIMITS.keys()
)
async def test_a_dripping_body_resets_read_but_not_total(timeouts, size, expected):
    async with (
        serving([drip(size)]) as server,
        make_client(server.url, timeouts=timeouts) as client,
    ):
        with anyio.fail_after(WAIT):
            assert await outcome(client) == expected
    assert server.requests == 1


async def test_a_body_that_stalls_longer_than_read_times_out_reading():
    timeouts = aiompsls.TimeoutConfig(read=0.1, total=None)
    async with serving([stall]) as server:
        async with make_client(server.url, timeouts=timeouts) as client:
            with anyio.fail_after(WAIT):
                with pytest.raises(aiompsls.TransportTimeoutError) as info:
                    await client.list_space()
        await server.until(lambda: server.hangups == 1)
    assert str(info.value) == f"timed out reading from {server.url}"
    assert info.value.is_request_sent is True


async def test_the_read_limit_does_not_count_the_wait_for_a_pooled_connection():
    """The second call waits longer than ``read`` for the only connection."""
    pool = aiompsls.PoolConfig(limit=1)
    timeouts = aiompsls.TimeoutConfig(read=0.1, total=None)
    async with (
        serving([drip(25), fast]) as server,
        make_client(server.url, pool=pool, timeouts=timeouts) as client,
    ):
        with anyio.fail_after(WAIT):
            async with anyio.create_task_group() as group:
                group.start_soon(client.list_space)
                await server.until(lambda: server.requests == 1)
                await client.list_space()  # queued for the pool about 0.25 s
    assert server.requests == 2


async def test_concurrent_attempts_each_keep_their_own_deadlines():
    """A second wave starts when the first wave's first attempt ran out of time.

    Each wave has two attempts of each kind; every attempt must end by its own
    limit, measured from its own start: a deadline shared across attempts would end
    the second wave's drips early.
    """
    timeouts = aiompsls.TimeoutConfig(read=0.1, total=0.25)
    wave = [fast, stall, drip(60)] * 2
    ended: list[tuple[int, str, float]] = []
    first_ended = anyio.Event()

    async def call(client: aiompsls.Client, number: int) -> None:
        start = anyio.current_time()
        result = await outcome(client)
        ended.append((number, result, anyio.current_time() - start))
        if result != "ok":
            first_ended.set()

    async with (
        serving(wave * 2) as server,
        make_client(server.url, timeouts=timeouts) as client,
    ):
        with anyio.fail_after(WAIT):
            async with anyio.create_task_group() as group:
                for number in (1, 2):
                    for _ in wave:
                        group.start_soon(call, client, number)
                    await server.until_requests(number * len(wave))
                    await first_ended.wait()
    for number in (1, 2):
        results = sorted(result for n, result, _ in ended if n == number)
        assert results == ["ok", "ok", "read", "read", "total", "total"]
    limits = {"ok": 0.0, "read": 0.1, "total": 0.25}
    assert [(r, t) for _, r, t in ended if t < limits[r]] == []


# -- no timer left behind ------------------------------------------------------------


def pending_timers() -> set[asyncio.TimerHandle]:
    """The loop's timers still due to run.

    asyncio has no public way to list them: this reads ``loop._scheduled``.
    """
    loop = asyncio.get_running_loop()
    scheduled: list[asyncio.TimerHandle] = loop._scheduled  # type: ignore[attr-defined]
    return {handle for handle in scheduled if not handle.cancelled()}


async def test_no_timer_is_left_scheduled_after_the_client_closes():
    timeouts = aiompsls.TimeoutConfig(read=0.1, total=0.2)
    before = pending_timers()
    async with serving([fast, stall, fast]) as server:
        async with make_client(server.url, timeouts=timeouts) as client:
            with anyio.fail_after(WAIT):
                assert [await outcome(client) for _ in range(3)] == ["ok", "read", "ok"]
            assert pending_timers() - before  # the watchdog ticks until its next check
        assert pending_timers() - before == set()
        await server.until(lambda: server.hangups == 2)  # stalled, then closed
