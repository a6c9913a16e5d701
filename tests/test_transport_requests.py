"""What the aiohttp transport puts on the wire: the URL as given, the headers as given.

The transport builds each URL from the parsed endpoint and the request's own query,
and names the headers aiohttp must not add only when a request lacks them; these tests
hold both to what parsing the whole URL and always naming the headers gave. The
server is an aiohttp server on 127.0.0.1 that records what it receives.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import yarl
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st

from aiompsls import _transport
from aiompsls._core.http import HttpRequest
from aiompsls._transport import AiohttpTransport

BASES = [
    "http://127.0.0.1:8080/",
    "https://mpserverless.aliyuncs.com/",
    "http://[::1]:9000/",
    "https://user:pw@h.example:8443/p/x",
    "HTTP://Upper.Example/",
]
QUERY_CHARS = st.sampled_from("AZaz09-._~%=&+/:@!$'()*,;?")


@given(st.sampled_from(BASES), st.none() | st.text(QUERY_CHARS, max_size=40))
def test_a_url_is_built_equal_to_parsing_it_whole(base: str, query: str | None):
    url = base if query is None else f"{base}?{query}"
    transport = AiohttpTransport(trust_env=False)
    for _ in range(2):  # the first parses the endpoint, the second reuses it
        built, proxy = transport._route(url)
        expected = yarl.URL(url, encoded=True)
        assert (built, str(built), proxy) == (expected, str(expected), (None, None))


def test_a_url_with_a_fragment_is_parsed_whole():
    url = "http://127.0.0.1:8080/#part?a=b"
    built, _ = AiohttpTransport(trust_env=False)._route(url)
    assert str(built) == str(yarl.URL(url, encoded=True))


def test_the_environment_is_read_once_per_endpoint(monkeypatch: pytest.MonkeyPatch):
    looked_up: list[str] = []

    def lookup(url: yarl.URL) -> Any:
        looked_up.append(str(url))
        raise LookupError  # no proxy for this URL

    monkeypatch.setattr(_transport, "get_env_proxy_for_url", lookup)
    transport = AiohttpTransport(trust_env=True)
    for query in ("a=1", "a=2", "b=3"):
        assert transport._route(f"http://127.0.0.1:8080/?{query}")[1] == (None, None)
    transport._route("http://127.0.0.1:8081/?a=1")
    assert looked_up == ["http://127.0.0.1:8080/", "http://127.0.0.1:8081/"]


class Recorder:
    """An aiohttp server that records each request's method, target and headers."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        self.url = ""

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        await request.read()
        self.seen.append((request.method, request.path_qs, dict(request.headers)))
        return web.Response(body=b"{}", content_type="application/json")


@asynccontextmanager
async def recording() -> AsyncIterator[Recorder]:
    recorder = Recorder()
    runner = web.ServerRunner(web.Server(recorder.handle))
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        recorder.url = f"http://127.0.0.1:{runner.addresses[0][1]}/"
        yield recorder
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(
    ("method", "headers", "body"),
    [
        ("POST", {"user-agent": "ua/1", "content-type": "text/x-form"}, b"a=1"),
        ("POST", {"content-type": "text/x-form"}, b"a=1"),
        ("POST", {"user-agent": "ua/1"}, b"a=1"),
        ("POST", {}, b""),
        ("GET", {"user-agent": "ua/1"}, b""),
        ("GET", {}, b""),
    ],
    ids=["both", "no-agent", "no-type", "neither", "get", "get-bare"],
)
async def test_aiohttp_adds_no_user_agent_or_content_type_of_its_own(
    method: str, headers: dict[str, str], body: bytes
):
    query = "?Action=Test&Signature=ab%2Bc%3D"
    async with recording() as server:
        transport = AiohttpTransport(trust_env=False)
        try:
            url = server.url + query
            request = HttpRequest(method=method, url=url, headers=headers, body=body)
            response = await transport.send(request)
        finally:
            await transport.aclose()
    [(seen_method, target, seen)] = server.seen
    assert (response.status, seen_method, target) == (200, method, "/" + query)
    for name in ("User-Agent", "Content-Type"):
        assert seen.get(name) == headers.get(name.lower())
