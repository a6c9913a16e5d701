"""The three ListSpace callers under benchmark, behind one small :class:`Driver` face.

* aiompsls: ``Client.list_space()`` with its default configuration.
* official: the vendor SDK's ``list_space_async`` (imported lazily, so the benchmark
  runs without it). Over HTTPS, ``certifi.where()`` is patched in this process only to
  return certifi's roots plus the throwaway CA, so the SDK's own per-call TLS code
  runs unchanged.
* bare-aiohttp: one ``ClientSession`` sending requests pre-signed by
  ``aiompsls._core.protocol.build_request``. The emulator rejects a replayed nonce, so
  :meth:`Driver.prepare` signs one distinct request per call, outside the timed region.
"""

from __future__ import annotations

import logging
import ssl
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import aiohttp
import yarl
from _report import AIOMPSLS, BARE, OFFICIAL
from _servers import Server

import aiompsls
from aiompsls._core.params import encode_params
from aiompsls._core.protocol import SigningKey, Target, build_request
from aiompsls.client import USER_AGENT
from aiompsls.models import ListSpaceRequest


class Driver(Protocol):
    """One client making ListSpace calls."""

    name: str

    def prepare(self, calls: int) -> None:
        """Get ready for ``calls`` more calls (runs outside the timed region)."""
        ...

    async def call(self) -> None:
        """Make one ListSpace call; raise on any failure."""
        ...


def _aiompsls_client(server: Server) -> aiompsls.Client:
    credentials = aiompsls.Credentials(
        access_key_id=server.access_key_id, access_key_secret=server.access_key_secret
    )
    config = aiompsls.ClientConfig(endpoint=server.endpoint, ca_bundle=server.ca_path)
    return aiompsls.Client(credentials, config=config)


class AiompslsDriver:
    """``await client.list_space()``."""

    name = AIOMPSLS

    def __init__(self, client: aiompsls.Client) -> None:
        self._client = client

    def prepare(self, calls: int) -> None:
        """Nothing to prepare: the client signs each call itself."""

    async def call(self) -> None:
        """One ListSpace call."""
        await self._client.list_space()


class OfficialDriver:
    """``await client.list_space_async(ListSpaceRequest())`` of the vendor SDK."""

    name = OFFICIAL

    def __init__(self, client: Any, request_type: type[Any]) -> None:
        self._client = client
        self._request_type = request_type

    def prepare(self, calls: int) -> None:
        """Nothing to prepare: the SDK signs each call itself."""

    async def call(self) -> None:
        """One ListSpace call."""
        await self._client.list_space_async(self._request_type())


class BareStatusError(Exception):
    """The emulator answered a pre-signed request with a non-2xx status."""


_Prepared = tuple[str, yarl.URL, dict[str, str], bytes | None]


class BareDriver:
    """One aiohttp session sending pre-signed requests: the floor of the cost."""

    name = BARE

    def __init__(self, session: aiohttp.ClientSession, server: Server) -> None:
        self._session = session
        self._key = SigningKey(
            access_key_id=server.access_key_id,
            access_key_secret=server.access_key_secret,
        )
        self._target = Target(base_url=f"{server.endpoint}/", host=server.host_port)
        self._params = encode_params(ListSpaceRequest())
        self._config = aiompsls.ClientConfig(endpoint=server.endpoint)
        self._pending: list[_Prepared] = []

    def prepare(self, calls: int) -> None:
        """Sign ``calls`` distinct requests (fresh nonces) ahead of time."""
        now = datetime.now(UTC)
        self._pending = [self._sign(now) for _ in range(calls)]

    def _sign(self, now: datetime) -> _Prepared:
        request = build_request(
            action=ListSpaceRequest.ACTION,
            params=self._params,
            key=self._key,
            target=self._target,
            style=self._config.signature,
            method=self._config.http_method,
            timestamp=now,
            nonce=uuid.uuid4().hex,
            user_agent=USER_AGENT,
        )
        url = yarl.URL(request.url, encoded=True)
        return request.method, url, dict(request.headers), request.body or None

    async def call(self) -> None:
        """Send the next pre-signed request and read the whole answer."""
        method, url, headers, body = self._pending.pop()
        async with self._session.request(
            method, url, headers=headers, data=body
        ) as response:
            await response.read()
            if not 200 <= response.status < 300:
                raise BareStatusError(f"HTTP {response.status}")


def official_sdk_problem() -> str | None:
    """Why the official SDK cannot be imported, or None when it can."""
    try:
        import alibabacloud_mpserverless20190615.client  # noqa: F401
        import alibabacloud_tea_openapi.models  # noqa: F401
    except ImportError as exc:
        return f"{type(exc).__name__}: {exc}"
    _silence_darabonba()
    return None


def _silence_darabonba() -> None:
    """darabonba-core sets its logger to DEBUG with a stream handler on import."""
    logger = logging.getLogger("darabonba-core")
    logger.handlers.clear()
    logger.setLevel(logging.CRITICAL)
    logger.propagate = False


@contextmanager
def _certifi_returns(bundle: Path | None) -> Iterator[None]:
    """Make ``certifi.where()`` return ``bundle`` in this process while inside."""
    if bundle is None:
        yield
        return
    import certifi

    original = certifi.where
    certifi.where = lambda: str(bundle)
    try:
        yield
    finally:
        certifi.where = original


def _official_driver(server: Server) -> OfficialDriver:
    from alibabacloud_mpserverless20190615 import models
    from alibabacloud_mpserverless20190615.client import Client
    from alibabacloud_tea_openapi import models as open_api_models

    _silence_darabonba()
    config = open_api_models.Config(
        access_key_id=server.access_key_id,
        access_key_secret=server.access_key_secret,
        endpoint=server.host_port,
        protocol=server.scheme,
    )
    return OfficialDriver(Client(config), models.ListSpaceRequest)


def _bare_session(server: Server) -> aiohttp.ClientSession:
    tls: ssl.SSLContext | bool = True
    if server.ca_path is not None:
        tls = ssl.create_default_context(cafile=str(server.ca_path))
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=tls))


@asynccontextmanager
async def open_driver(client: str, server: Server) -> AsyncIterator[Driver]:
    """The driver named ``client`` (see ``_report.CLIENTS``) against ``server``."""
    if client == AIOMPSLS:
        async with _aiompsls_client(server) as ours:
            yield AiompslsDriver(ours)
    elif client == OFFICIAL:
        with _certifi_returns(server.bundle_path):
            yield _official_driver(server)
    elif client == BARE:
        async with _bare_session(server) as session:
            yield BareDriver(session, server)
    else:
        raise ValueError(f"unknown client {client!r}")


async def seed_spaces(server: Server, count: int) -> None:
    """Create ``count`` spaces, so that ListSpace answers carry something to decode."""
    async with _aiompsls_client(server) as client:
        for i in range(count):
            await client.create_space(name=f"bench{i}", desc=f"benchmark space {i}")
