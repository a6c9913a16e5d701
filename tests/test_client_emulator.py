"""The client against the emulator on real loopback sockets: HTTP, HTTPS and proxies.

HTTPS uses a throwaway CA from ``trustme``; the emulator's application is served with
a TLS context by the test. The proxy is a small aiohttp server that records the
absolute-form request line a client sends to an HTTP proxy.
"""

from __future__ import annotations

import gc
import ssl
import warnings
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
import trustme
from aiohttp import web

import aiompsls
from aiompsls._transport import AiohttpTransport
from aiompsls.emulator import Emulator

KEY_ID, SECRET = "LTAItransport", "transport-secret"
CREDS = aiompsls.Credentials(access_key_id=KEY_ID, access_key_secret=SECRET)
WAIT = 10.0  # the bound of every wait here; never reached when the code is right
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def make_client(endpoint: str, **settings: Any) -> aiompsls.Client:
    settings.setdefault("retry", aiompsls.RetryPolicy(max_attempts=1))
    config = aiompsls.ClientConfig(endpoint=endpoint, **settings)
    return aiompsls.Client(CREDS, config=config)


async def create_and_list(client: aiompsls.Client) -> None:
    """A write and a read that only a real emulator answers consistently."""
    with anyio.fail_after(WAIT):
        created = await client.create_space(name="demo", desc="over a socket")
        listed = await client.list_space()
    assert [s.space_id for s in listed.spaces] == [created.space_id]


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    emu = Emulator(access_key_id=KEY_ID, access_key_secret=SECRET)
    async with emu.running(host="127.0.0.1", port=0):
        yield emu


async def test_a_call_through_the_client_reaches_the_emulator(emulator):
    async with make_client(emulator.endpoint) as client:
        await create_and_list(client)


# -- HTTPS ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_bundle(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.mark.parametrize(
    "content", [None, b"not a certificate"], ids=["missing", "not a certificate"]
)
def test_an_unusable_ca_bundle_is_a_config_error(tmp_path, content):
    path = tmp_path / "ca.pem"
    if content is not None:
        path.write_bytes(content)
    config = aiompsls.ClientConfig(ca_bundle=path)
    with pytest.raises(aiompsls.ConfigError) as info:
        aiompsls.Client(CREDS, config=config)
    assert f"ClientConfig.ca_bundle {str(path)!r} cannot be used: " in str(info.value)


async def _force_close(_request: web.Request, response: web.StreamResponse) -> None:
    response.force_close()


@asynccontextmanager
async def tls_emulator(
    ca: trustme.CA, *, one_call_per_connection: bool = False
) -> AsyncIterator[str]:
    """Serve a fresh emulator over HTTPS; yield its ``https://127.0.0.1:PORT``."""
    emu = Emulator(access_key_id=KEY_ID, access_key_secret=SECRET)
    if one_call_per_connection:
        emu.app.on_response_prepare.append(_force_close)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    runner = web.AppRunner(emu.app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context).start()
        yield f"https://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def test_https_with_the_ca_bundle_succeeds(ca, ca_bundle):
    async with (
        tls_emulator(ca) as endpoint,
        make_client(endpoint, ca_bundle=ca_bundle) as client,
    ):
        await create_and_list(client)


async def test_https_with_an_unknown_ca_fails_verification_before_sending(ca):
    async with tls_emulator(ca) as endpoint, make_client(endpoint) as client:
        with anyio.fail_after(WAIT), pytest.raises(aiompsls.TransportError) as info:
            await client.list_space()
    assert info.value.is_request_sent is False
    assert "certificate verification failed" in str(info.value)
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value)


async def test_https_without_verification_succeeds(ca):
    async with (
        tls_emulator(ca) as endpoint,
        make_client(endpoint, verify_ssl=False) as client,
    ):
        await create_and_list(client)


async def test_one_tls_context_serves_every_connection_of_a_client(ca, ca_bundle):
    """Each answer closes its connection, so each call makes a new TLS handshake."""
    async with (
        tls_emulator(ca, one_call_per_connection=True) as endpoint,
        make_client(endpoint, ca_bundle=ca_bundle) as client,
    ):
        transport = client._transport
        assert isinstance(transport, AiohttpTransport)
        context = transport.ssl_context
        assert isinstance(context, ssl.SSLContext)
        with anyio.fail_after(WAIT):
            for _ in range(3):
                await client.list_space()
        assert transport.ssl_context is context
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.session_stats()["connect"] == 3


# -- nothing left behind -------------------------------------------------------------


def resource_warnings(drop: Callable[[], None]) -> list[str]:
    """Run ``drop`` and a full collection; return the ResourceWarnings raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        drop()
        gc.collect()
    return [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]


async def test_a_used_and_closed_client_leaves_nothing_to_collect(emulator, caplog):
    box = [make_client(emulator.endpoint)]
    await create_and_list(box[0])
    await box[0].aclose()
    assert resource_warnings(box.clear) == []
    assert "Unclosed" not in caplog.text


async def test_a_used_and_closed_https_client_leaves_nothing_to_collect(
    ca, ca_bundle, caplog
):
    async with tls_emulator(ca) as endpoint:
        box = [make_client(endpoint, ca_bundle=ca_bundle)]
        await create_and_list(box[0])
        await box[0].aclose()
        assert resource_warnings(box.clear) == []
    assert "Unclosed" not in caplog.text


async def test_an_unused_client_opens_no_session(emulator, caplog):
    """Dropping a client never used, without closing it, leaves no open session."""
    box = [make_client(emulator.endpoint)]
    assert resource_warnings(box.clear) == []
    unused = make_client(emulator.endpoint)
    await unused.aclose()  # nothing to close
    with pytest.raises(aiompsls.TransportError):
        await unused.list_space()
    assert "Unclosed" not in caplog.text
    assert len(emulator.nonces) == 0


# -- proxies from the environment ----------------------------------------------------


class Proxy:
    """An HTTP proxy stand-in: records each request target, answers ListSpace."""

    def __init__(self) -> None:
        self.targets: list[str] = []

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        self.targets.append(f"{request.method} {request.raw_path}")
        await request.read()
        body = b'{"RequestId": "req-proxy", "Count": 0, "Spaces": []}'
        return web.Response(body=body, content_type="application/json")


@pytest.fixture
async def proxy(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Proxy]:
    """A proxy on loopback, named by HTTP_PROXY (every other proxy variable unset)."""
    proxy = Proxy()
    runner = web.ServerRunner(web.Server(proxy.handle))
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        for name in (*PROXY_VARIABLES, "REQUEST_METHOD"):
            monkeypatch.delenv(name, raising=False)
            monkeypatch.delenv(name.upper(), raising=False)
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{runner.addresses[0][1]}")
        yield proxy
    finally:
        await runner.cleanup()


async def test_trust_env_sends_requests_through_the_proxy(emulator, proxy):
    async with make_client(emulator.endpoint, trust_env=True) as client:
        with anyio.fail_after(WAIT):
            response = await client.list_space()
    assert response.request_id == "req-proxy"
    assert len(emulator.nonces) == 0  # the emulator itself never saw it
    [target] = proxy.targets
    assert target.startswith(f"POST {emulator.endpoint}/?Action=ListSpace&")


async def test_without_trust_env_the_proxy_variables_are_ignored(emulator, proxy):
    async with make_client(emulator.endpoint, trust_env=False) as client:
        await create_and_list(client)
    assert proxy.targets == []
