"""The client's only contact with aiohttp: send an :class:`HttpRequest`, get a response.

One ``aiohttp.ClientSession`` per transport, opened lazily on the first request and
closed by :meth:`AiohttpTransport.aclose`. aiohttp and OSError exceptions become
:class:`~aiompsls.errors.TransportError`, chained to the cause unless its text shows
the request (query or headers may hold a security token). Whether the request may have
reached the server follows from whether aiohttp ever handed it a connection (trace
signals), not from the exception type. Cancellation propagates untouched.
"""

from __future__ import annotations

import math
import ssl
from pathlib import Path
from types import SimpleNamespace
from typing import Protocol

import aiohttp
import anyio
import yarl

from aiompsls._core.http import HttpRequest, HttpResponse
from aiompsls.config import PoolConfig, TimeoutConfig
from aiompsls.errors import ConfigError, TransportError, TransportTimeoutError

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
    """One verifying TLS context, built once per client (never per request).

    Raises:
        ConfigError: ``ca_bundle`` cannot be read or holds no certificate.
    """
    try:
        return ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle else None)
    except OSError as exc:  # ssl.SSLError included
        raise ConfigError(
            f"ClientConfig.ca_bundle {str(ca_bundle)!r} cannot be used:"
            f" {exc.strerror or exc}"
        ) from exc


class _Progress:
    """How far one request got; aiohttp's connection trace signals move it along.

    ``connected`` turns True once aiohttp hands the request a connection: until then
    no byte of it can have reached the server. ``scope`` ends a wait for a free pooled
    connection after ``pool_acquire`` seconds (aiohttp's own ``connect`` timeout
    covers that wait and the connecting together).
    """

    __slots__ = ("connected", "pool_acquire", "queued_at", "scope")

    def __init__(self, pool_acquire: float) -> None:
        self.connected = False
        self.pool_acquire = pool_acquire
        self.queued_at: float | None = None
        self.scope = anyio.CancelScope()


async def _on_queued(
    _session: aiohttp.ClientSession, context: SimpleNamespace, _params: object
) -> None:
    progress = context.trace_request_ctx
    if isinstance(progress, _Progress):
        if progress.queued_at is None:
            progress.queued_at = anyio.current_time()
        progress.scope.deadline = progress.queued_at + progress.pool_acquire


async def _on_dequeued(
    _session: aiohttp.ClientSession, context: SimpleNamespace, _params: object
) -> None:
    progress = context.trace_request_ctx
    if isinstance(progress, _Progress):
        progress.scope.deadline = math.inf


async def _on_connected(
    _session: aiohttp.ClientSession, context: SimpleNamespace, _params: object
) -> None:
    progress = context.trace_request_ctx
    if isinstance(progress, _Progress):
        progress.connected = True


def _tracing() -> aiohttp.TraceConfig:
    config = aiohttp.TraceConfig()
    config.on_connection_queued_start.append(_on_queued)
    config.on_connection_queued_end.append(_on_dequeued)
    config.on_connection_create_end.append(_on_connected)
    config.on_connection_reuseconn.append(_on_connected)
    return config


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

    @property
    def ssl_context(self) -> ssl.SSLContext | bool:
        """The TLS setting of every connection: one context, or True/False."""
        return self._ssl

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
                trace_configs=[_tracing()],
            )
        return self._session

    def _client_timeout(self) -> aiohttp.ClientTimeout:
        t = self._timeouts
        # aiohttp's ``connect`` covers the pool wait and the connecting together; it
        # is only a backstop here: _Progress ends the pool wait at ``pool_acquire``
        # and ``sock_connect`` the connecting (TLS handshake included) at ``connect``.
        return aiohttp.ClientTimeout(
            total=t.total,
            connect=t.pool_acquire + t.connect,
            sock_connect=t.connect,
            sock_read=t.read,
        )

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request``; raise TransportError when no response could be read."""
        session = self._open()
        progress = _Progress(self._timeouts.pool_acquire)
        with progress.scope:
            try:
                return await _exchange(session, request, progress)
            except (aiohttp.ClientError, OSError) as exc:
                raise _translate(exc, request, sent=progress.connected) from _cause(exc)
        raise TransportTimeoutError(
            f"timed out after {self._timeouts.pool_acquire}s waiting for a free"
            f" connection to {_where(request)}",
            is_request_sent=progress.connected,
        )

    async def aclose(self) -> None:
        """Close the session and its connections; later sends raise TransportError."""
        self._closed = True
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


async def _exchange(
    session: aiohttp.ClientSession, request: HttpRequest, progress: _Progress
) -> HttpResponse:
    async with session.request(
        request.method,
        yarl.URL(request.url, encoded=True),
        headers=dict(request.headers),
        data=request.body or None,
        allow_redirects=False,
        trace_request_ctx=progress,
    ) as response:
        body = await response.read()
        headers = {k.lower(): v for k, v in response.headers.items()}
        return HttpResponse(status=response.status, headers=headers, body=body)


# Exceptions whose text holds the request URL (with its query) or its headers, where
# a security token may travel: never chained, never shown.
_SHOWS_REQUEST = (
    aiohttp.ClientResponseError,
    aiohttp.ConnectionTimeoutError,
    aiohttp.InvalidURL,
)


def _translate(exc: Exception, request: HttpRequest, *, sent: bool) -> TransportError:
    """The TransportError for an aiohttp or OSError failure of ``request``."""
    url = yarl.URL(request.url, encoded=True)
    where = f"{url.scheme}://{url.host}:{url.port}"
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return TransportTimeoutError(
            f"timed out connecting to {where}", is_request_sent=sent
        )
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return TransportTimeoutError(
            f"timed out reading from {where}", is_request_sent=sent
        )
    if isinstance(exc, TimeoutError):
        return TransportTimeoutError(
            f"timed out waiting for {where} (total time limit)", is_request_sent=sent
        )
    reason = exc.__cause__ or exc  # aiohttp chains the OSError or ssl error
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return TransportError(
            f"TLS certificate verification failed for {where}: {reason}"
            " (ClientConfig.ca_bundle names a CA file to trust)",
            is_request_sent=sent,
        )
    if isinstance(exc, aiohttp.ClientConnectorError):
        return TransportError(
            f"cannot connect to {where}: {reason}", is_request_sent=sent
        )
    return TransportError(
        f"connection to {where} failed: {_describe(exc, url)}", is_request_sent=sent
    )


def _describe(exc: Exception, url: yarl.URL) -> str:
    """``Type: reason``, without the request's query string or headers."""
    text = exc.message if isinstance(exc, aiohttp.ClientResponseError) else str(exc)
    if url.raw_query_string:
        text = text.replace(url.raw_query_string, "...")
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _cause(exc: Exception) -> BaseException | None:
    """The cause to chain: ``exc``, or its own cause if ``exc`` shows the request."""
    return exc.__cause__ if isinstance(exc, _SHOWS_REQUEST) else exc


def _where(request: HttpRequest) -> str:
    url = yarl.URL(request.url, encoded=True)
    return f"{url.scheme}://{url.host}:{url.port}"
