"""The client's only contact with aiohttp: send an :class:`HttpRequest`, get a response.

One ``aiohttp.ClientSession`` per transport, opened lazily on the first request and
closed by :meth:`AiohttpTransport.aclose`. aiohttp and OSError exceptions become
:class:`~aiompsls.errors.TransportError` (``raise ... from exc``), telling whether the
request may have reached the server; cancellation always propagates untouched.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Protocol

import aiohttp
import yarl

from aiompsls._core.http import HttpRequest, HttpResponse
from aiompsls.config import PoolConfig, TimeoutConfig
from aiompsls.errors import TransportError, TransportTimeoutError

__all__ = ["AiohttpTransport", "Transport", "make_ssl_context"]


class Transport(Protocol):
    """What the client needs from a transport; tests may script their own."""

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send one request and return the whole response."""
        ...

    async def aclose(self) -> None:
        """Release every connection."""
        ...


def make_ssl_context(ca_bundle: Path | None = None) -> ssl.SSLContext:
    """One verifying TLS context, built once per client (never per request)."""
    return ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle else None)


class AiohttpTransport:
    """A pooled aiohttp transport: keep-alive, DNS cache, timeouts, proxies from env."""

    def __init__(
        self,
        *,
        timeouts: TimeoutConfig | None = None,
        pool: PoolConfig | None = None,
        ssl_context: ssl.SSLContext | bool = True,
        trust_env: bool = True,
    ) -> None:
        self._timeouts = timeouts or TimeoutConfig()
        self._pool = pool or PoolConfig()
        self._ssl = ssl_context
        self._trust_env = trust_env
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    def _open(self) -> aiohttp.ClientSession:
        if self._closed:
            raise TransportError("the transport is closed", is_request_sent=False)
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._pool.limit,
                limit_per_host=self._pool.limit_per_host,
                keepalive_timeout=self._pool.keepalive_timeout,
                ttl_dns_cache=self._pool.dns_cache_ttl,
                ssl=self._ssl,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=self._client_timeout(),
                trust_env=self._trust_env,
                auto_decompress=True,
                skip_auto_headers=("User-Agent", "Content-Type"),
            )
        return self._session

    def _client_timeout(self) -> aiohttp.ClientTimeout:
        t = self._timeouts
        # ``connect`` covers waiting for a pooled connection plus connecting.
        return aiohttp.ClientTimeout(
            total=t.total,
            connect=t.pool_acquire + t.connect,
            sock_connect=t.connect,
            sock_read=t.read,
        )

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request``; raise TransportError when no response could be read."""
        session = self._open()
        try:
            async with session.request(
                request.method,
                yarl.URL(request.url, encoded=True),
                headers=dict(request.headers),
                data=request.body or None,
                allow_redirects=False,
            ) as response:
                body = await response.read()
                headers = {k.lower(): v for k, v in response.headers.items()}
                return HttpResponse(status=response.status, headers=headers, body=body)
        except aiohttp.ConnectionTimeoutError as exc:
            raise TransportTimeoutError(
                f"timed out connecting to {_where(request)}", is_request_sent=False
            ) from exc
        except TimeoutError as exc:
            raise TransportTimeoutError(
                f"timed out waiting for {_where(request)}", is_request_sent=True
            ) from exc
        except aiohttp.ClientConnectorError as exc:
            raise TransportError(
                f"cannot connect to {_where(request)}: {exc.os_error}",
                is_request_sent=False,
            ) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise TransportError(
                f"connection to {_where(request)} failed: {exc!r}",
                is_request_sent=True,
            ) from exc

    async def aclose(self) -> None:
        """Close the session and its connections; later sends raise TransportError."""
        self._closed = True
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


def _where(request: HttpRequest) -> str:
    url = yarl.URL(request.url, encoded=True)
    return f"{url.scheme}://{url.host}:{url.port}"
