"""The aiohttp transport over real loopback sockets: pooling, timeouts, failures, close.

Every server is started by the test on 127.0.0.1, port 0: a small aiohttp server that
answers ListSpace (or never answers), or a raw socket server that answers with broken
HTTP. Waits are bounded by ``anyio.fail_after`` and driven by what the server saw; the
short timeouts are the client's own timers under test. The credentials carry an STS
token, which no error may show.
"""

from __future__ import annotations

import socket
import traceback
import urllib.parse
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import anyio
import anyio.abc
import pytest
from aiohttp import web
from aiohttp.http import HttpProcessingError

import aiompsls
from aiompsls._core.http import HttpRequest
from aiompsls._transport import AiohttpTransport

TOKEN = "CAIS+token/with==padding&more"  # STS: sent in the query (v1) or a header
CREDS = aiompsls.Credentials(
    access_key_id="STS.testid", access_key_secret="testsecret", security_token=TOKEN
)
LIST_SPACE = b'{"RequestId": "req-1", "Count": 0, "Spaces": []}'
WAIT = 10.0  # the bound of every wait here; never reached when the code is right


class Probe:
    """Something a test can wait on until a condition over its counters holds."""

    def __init__(self) -> None:
        self._changed = anyio.Event()

    def changed(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    async def until(self, condition: Callable[[], bool]) -> None:
        with anyio.fail_after(WAIT):
            while not condition():
                await self._changed.wait()


class Loopback(Probe):
    """An aiohttp server that records each request and answers ListSpace.

    Args:
        hang: How many of the first requests never get an answer.
        gate: Hold every request until this many are in flight at once.
    """

    def __init__(self, *, hang: int = 0, gate: int = 0) -> None:
        super().__init__()
        self.hang, self.gate = hang, gate
        self.ports: list[int] = []
        self.in_flight = self.max_in_flight = self.cancelled = 0
        self._gate_open = anyio.Event()
        self.url = ""

    @property
    def connections(self) -> int:
        return len(set(self.ports))

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        assert request.transport is not None
        self.ports.append(request.transport.get_extra_info("peername")[1])
        await request.read()
        hang = len(self.ports) <= self.hang
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        if self.in_flight == self.gate:
            self._gate_open.set()
        self.changed()
        try:
            if hang:
                await anyio.Event().wait()  # never set: only cancellation ends it
            if self.gate:
                await self._gate_open.wait()
        except anyio.get_cancelled_exc_class():
            self.cancelled += 1
            raise
        finally:
            self.in_flight -= 1
            self.changed()
        return web.Response(body=LIST_SPACE, content_type="application/json")


@asynccontextmanager
async def serving(server: Loopback) -> AsyncIterator[Loopback]:
    """Serve ``server`` on 127.0.0.1; a handler is cancelled when its client leaves."""
    low_level = web.Server(server.handle, handler_cancellation=True)
    runner = web.ServerRunner(low_level, shutdown_timeout=1.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        server.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        yield server
    finally:
        await runner.cleanup()


class RawServer(Probe):
    """A socket server: reads each request, sends ``reply`` (if any), maybe closes."""

    def __init__(self, reply: bytes | None, *, keep_alive: bool = False) -> None:
        super().__init__()
        self.reply, self.keep_alive = reply, keep_alive
        self.requests = self.hangups = 0
        self.url = ""

    async def handle(self, stream: anyio.abc.SocketStream) -> None:
        async with stream:
            try:
                while True:
                    await _read_request(stream)
                    self.requests += 1
                    self.changed()
                    if self.reply is not None:
                        await stream.send(self.reply)
                    if not self.keep_alive:
                        return
            except (anyio.EndOfStream, anyio.BrokenResourceError):
                self.hangups += 1
                self.changed()


async def _read_request(stream: anyio.abc.SocketStream) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        data += await stream.receive()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").lower().split("\r\n")
    sizes = [int(x.split(":")[1]) for x in lines if x.startswith("content-length:")]
    while len(body) < sum(sizes):
        body += await stream.receive()


@asynccontextmanager
async def raw_serving(server: RawServer) -> AsyncIterator[RawServer]:
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)  # noqa: S610
    server.url = f"http://127.0.0.1:{port}"
    async with listener, anyio.create_task_group() as group:
        group.start_soon(listener.serve, server.handle)
        yield server
        group.cancel_scope.cancel()


def answer(body: bytes = LIST_SPACE) -> bytes:
    head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    return f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body


def make_client(url: str, **settings: Any) -> aiompsls.Client:
    settings.setdefault("retry", aiompsls.RetryPolicy(max_attempts=1))
    config = aiompsls.ClientConfig(endpoint=url, **settings)
    return aiompsls.Client(CREDS, config=config)


def assert_no_token(error: BaseException) -> None:
    """Neither the error nor anything chained to it shows the security token."""
    text = "\n".join([repr(error), *traceback.format_exception(error)])
    once = urllib.parse.quote(TOKEN, safe="")
    forms = {
        TOKEN,
        once,
        urllib.parse.quote(once, safe=""),
        urllib.parse.quote_plus(TOKEN),
    }
    assert [form for form in forms if form in text] == []


def free_port() -> int:
    """A port nothing listens on (bound, noted, closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class CountingTransport(AiohttpTransport):
    """The real transport, counting the requests handed to it."""

    sends = 0

    async def send(self, request: HttpRequest) -> Any:
        self.sends += 1
        return await super().send(request)


def counting_client(
    url: str, attempts: int
) -> tuple[aiompsls.Client, CountingTransport]:
    transport = CountingTransport()
    policy = aiompsls.RetryPolicy(
        max_attempts=attempts, base_delay=0.001, max_delay=0.002
    )
    config = aiompsls.ClientConfig(endpoint=url, retry=policy)
    return aiompsls.Client(CREDS, config=config, transport=transport), transport


# -- pooling -------------------------------------------------------------------------


async def test_sequential_calls_reuse_one_keep_alive_connection():
    async with serving(Loopback()) as server, make_client(server.url) as client:
        with anyio.fail_after(WAIT):
            for _ in range(50):
                await client.list_space()
    assert len(server.ports) == 50
    assert server.connections == 1


async def test_concurrent_calls_never_open_more_connections_than_the_host_limit():
    pool = aiompsls.PoolConfig(limit_per_host=4)
    async with (
        serving(Loopback(gate=4)) as server,
        make_client(server.url, pool=pool) as client,
    ):
        with anyio.fail_after(WAIT):
            async with anyio.create_task_group() as group:
                for _ in range(20):
                    group.start_soon(client.list_space)
    assert len(server.ports) == 20
    assert server.max_in_flight == 4
    assert server.connections == 4


# -- failures before and after sending ------------------------------------------------


@pytest.mark.parametrize("attempts", [1, 3])
async def test_a_refused_connection_never_left_so_even_create_space_is_retried(
    attempts,
):
    client, transport = counting_client(f"http://127.0.0.1:{free_port()}", attempts)
    async with client:
        with anyio.fail_after(WAIT), pytest.raises(aiompsls.TransportError) as info:
            await client.create_space(name="demo")
    assert transport.sends == attempts
    assert type(info.value) is aiompsls.TransportError
    assert info.value.is_request_sent is False
    assert info.value.is_unexecuted
    assert "cannot connect" in str(info.value)
    assert isinstance(info.value.__cause__, aiohttp.ClientConnectorError)
    assert_no_token(info.value)


BROKEN = {
    "no answer": None,
    "garbage": b"THIS IS NOT HTTP\r\n\r\n",
    "truncated body": answer()[:-10],
    "bad length": answer().replace(b"Content-Length: ", b"Content-Length: x"),
}


@pytest.mark.parametrize("signature", ["v1", "acs3"])
@pytest.mark.parametrize("reply", BROKEN.values(), ids=BROKEN.keys())
async def test_a_broken_answer_is_a_transport_error_after_sending(reply, signature):
    async with (
        raw_serving(RawServer(reply)) as server,
        make_client(server.url, signature=signature) as client,
    ):
        with anyio.fail_after(WAIT), pytest.raises(aiompsls.TransportError) as info:
            await client.list_space()
    assert type(info.value) is aiompsls.TransportError
    assert info.value.is_request_sent is True
    assert str(info.value).startswith(f"connection to {server.url} failed: ")
    assert isinstance(info.value.__cause__, aiohttp.ClientError | HttpProcessingError)
    assert server.requests == 1
    assert_no_token(info.value)


CALLS = {
    "create_space": lambda client: client.create_space(name="demo"),
    "list_space": lambda client: client.list_space(),
}


@pytest.mark.parametrize(("action", "sends"), [("create_space", 1), ("list_space", 3)])
async def test_a_lost_answer_is_retried_only_for_idempotent_actions(action, sends):
    async with raw_serving(RawServer(None)) as server:
        client, transport = counting_client(server.url, attempts=3)
        async with client:
            with anyio.fail_after(WAIT), pytest.raises(aiompsls.TransportError):
                await CALLS[action](client)
    assert (transport.sends, server.requests) == (sends, sends)


# -- timeouts ------------------------------------------------------------------------


AFTER_SENDING = {
    "read": aiompsls.TimeoutConfig(read=0.05),
    "total": aiompsls.TimeoutConfig(total=0.05),
}


@pytest.mark.parametrize("timeouts", AFTER_SENDING.values(), ids=AFTER_SENDING.keys())
async def test_a_silent_server_times_out_after_the_request_was_sent(timeouts):
    async with serving(Loopback(hang=1)) as server:
        async with make_client(server.url, timeouts=timeouts) as client:
            with anyio.fail_after(WAIT):
                with pytest.raises(aiompsls.TransportTimeoutError) as info:
                    await client.list_space()
        await server.until(lambda: server.cancelled == 1)
    assert info.value.is_request_sent is True
    assert not info.value.is_unexecuted
    assert server.in_flight == 0


BEFORE_SENDING = {
    "connect": aiompsls.TimeoutConfig(connect=0.05),
    "total": aiompsls.TimeoutConfig(total=0.05, connect=60),
}


@pytest.mark.parametrize("timeouts", BEFORE_SENDING.values(), ids=BEFORE_SENDING.keys())
async def test_a_stalled_tls_handshake_times_out_before_sending(timeouts):
    """The server accepts the TCP connection but never answers the ClientHello."""
    async with raw_serving(RawServer(None)) as server:
        url = server.url.replace("http://", "https://")
        async with make_client(url, timeouts=timeouts) as client:
            with anyio.fail_after(WAIT):
                with pytest.raises(aiompsls.TransportTimeoutError) as info:
                    await client.list_space()
        await server.until(lambda: server.hangups == 1)
    assert info.value.is_request_sent is False
    assert info.value.is_unexecuted
    assert server.requests == 0
    assert_no_token(info.value)


async def test_waiting_for_a_pooled_connection_stops_at_pool_acquire():
    """One connection allowed and held; the next call gives up unsent.

    ``connect`` is far longer than the test's bound: the pool wait must be limited
    by ``pool_acquire`` alone.
    """
    pool = aiompsls.PoolConfig(limit=1)
    timeouts = aiompsls.TimeoutConfig(pool_acquire=0.05, connect=60)
    async with serving(Loopback(hang=1)) as server:
        async with make_client(server.url, pool=pool, timeouts=timeouts) as client:
            with anyio.fail_after(WAIT):
                async with anyio.create_task_group() as group:
                    group.start_soon(client.list_space)
                    await server.until(lambda: len(server.ports) == 1)
                    with pytest.raises(aiompsls.TransportTimeoutError) as info:
                        await client.list_space()
                    group.cancel_scope.cancel()
        await server.until(lambda: server.cancelled == 1)
    assert info.value.is_request_sent is False
    assert "free pooled connection" in str(info.value)
    assert len(server.ports) == 1


# -- cancellation --------------------------------------------------------------------


async def test_cancelling_a_call_propagates_and_frees_its_connection():
    pool = aiompsls.PoolConfig(limit=1)
    timeouts = aiompsls.TimeoutConfig(pool_acquire=1.0)
    outcome: list[BaseException] = []

    async def call(client: aiompsls.Client) -> None:
        try:
            await client.list_space()
        except BaseException as exc:
            outcome.append(exc)
            raise

    async with (
        serving(Loopback(hang=1)) as server,
        make_client(server.url, pool=pool, timeouts=timeouts) as client,
    ):
        with anyio.fail_after(WAIT):
            async with anyio.create_task_group() as group:
                group.start_soon(call, client)
                await server.until(lambda: len(server.ports) == 1)
                group.cancel_scope.cancel()
            # the pool's only slot is free again: this call does not wait for it
            await client.list_space()
            await server.until(lambda: server.cancelled == 1)
    assert [type(e) for e in outcome] == [anyio.get_cancelled_exc_class()]
    assert server.connections == 2  # the interrupted connection was not reused


# -- closing -------------------------------------------------------------------------


async def test_closing_the_client_closes_its_connections_and_stops_it_sending():
    async with raw_serving(RawServer(answer(), keep_alive=True)) as server:
        async with make_client(server.url) as client:
            with anyio.fail_after(WAIT):
                await client.list_space()
                await client.list_space()
            assert server.hangups == 0
        await server.until(lambda: server.hangups == 1)
        await client.aclose()  # closing twice is fine
        with pytest.raises(aiompsls.TransportError) as info:
            await client.list_space()
    assert info.value.is_request_sent is False
    assert "closed" in str(info.value)
    assert server.requests == 2


async def test_closing_the_client_fails_a_call_in_flight_with_a_transport_error():
    outcome: list[BaseException] = []

    async def call(client: aiompsls.Client) -> None:
        try:
            await client.list_space()
        except aiompsls.TransportError as exc:
            outcome.append(exc)

    async with serving(Loopback(hang=1)) as server:
        client = make_client(server.url)
        with anyio.fail_after(WAIT):
            async with anyio.create_task_group() as group:
                group.start_soon(call, client)
                await server.until(lambda: len(server.ports) == 1)
                await client.aclose()
            await server.until(lambda: server.cancelled == 1)
    [error] = outcome
    assert isinstance(error, aiompsls.TransportError)
    assert error.is_request_sent is True
