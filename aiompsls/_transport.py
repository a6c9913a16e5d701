"""The client's only contact with aiohttp: send an :class:`HttpRequest`, get a response.

One ``aiohttp.ClientSession`` per transport, opened lazily on the first request and
closed by :meth:`AiohttpTransport.aclose`. aiohttp and OSError exceptions become
:class:`~aiompsls.errors.TransportError`, chained to the cause unless its text shows
the request (query or headers may hold a security token). Whether the request may have
reached the server follows from whether aiohttp ever handed it a connection, not from
the exception type alone. Cancellation propagates untouched.
"""

from __future__ import annotations

import ssl
from contextvars import ContextVar
from pathlib import Path
from typing import Protocol

import aiohttp
import yarl
from aiohttp.connector import Connection
from aiohttp.helpers import get_env_proxy_for_url
from aiohttp.tracing import Trace

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


# Set when aiohttp hands the current request a connection: until then no byte of it
# can have reached the server. A context variable, because the connector runs inside
# the sending task; cheaper than aiohttp's per-request trace signals.
_CONNECTED: ContextVar[bool] = ContextVar("aiompsls_connected", default=False)


class _Connector(aiohttp.TCPConnector):
    """A TCPConnector that records, for the sending task, that it got a connection."""

    async def connect(
        self,
        req: aiohttp.ClientRequest,
        traces: list[Trace],
        timeout: aiohttp.ClientTimeout,  # noqa: ASYNC109 - aiohttp's own signature
    ) -> Connection:
        connection = await super().connect(req, traces, timeout)
        _CONNECTED.set(True)
        return connection


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
        self._proxies: dict[str, tuple[yarl.URL | None, aiohttp.BasicAuth | None]] = {}

    @property
    def ssl_context(self) -> ssl.SSLContext | bool:
        """The TLS setting of every connection: one context, or True/False."""
        return self._ssl

    def _open(self) -> aiohttp.ClientSession:
        if self._closed:
            raise TransportError("the transport is closed", is_request_sent=False)
        if self._session is None:
            connector = _Connector(
                limit=self._pool.limit,
                limit_per_host=self._pool.limit_per_host,
                keepalive_timeout=self._pool.keepalive_timeout,
                ttl_dns_cache=self._pool.dns_cache_ttl,
                ssl=self._ssl,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=self._client_timeout(),
                # The environment is read once per host in _proxy_for: aiohttp's own
                # trust_env does two thread-pool hops (.netrc, proxies) per request.
                trust_env=False,
                auto_decompress=True,
                skip_auto_headers=("User-Agent", "Content-Type"),
            )
        return self._session

    def _client_timeout(self) -> aiohttp.ClientTimeout:
        t = self._timeouts
        # aiohttp's ``connect`` limits getting a connection: the wait for a free
        # pooled one plus establishing a new one; ``sock_connect`` the latter alone.
        return aiohttp.ClientTimeout(
            total=t.total,
            connect=t.pool_acquire,
            sock_connect=t.connect,
            sock_read=t.read,
        )

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request``; raise TransportError when no response could be read."""
        session = self._open()
        url = yarl.URL(request.url, encoded=True)
        _CONNECTED.set(False)
        try:
            return await _exchange(session, url, request, self._proxy_for(url))
        except (aiohttp.ClientError, OSError) as exc:
            raise _translate(exc, request, sent=_CONNECTED.get()) from _cause(exc)

    def _proxy_for(
        self, url: yarl.URL
    ) -> tuple[yarl.URL | None, aiohttp.BasicAuth | None]:
        """The proxy (and its credentials) for ``url`` from the environment, if any.

        ``HTTP(S)_PROXY``/``NO_PROXY`` as aiohttp reads them, looked up once per host.
        """
        if not self._trust_env:
            return None, None
        key = f"{url.scheme}://{url.host}:{url.port}"
        if key not in self._proxies:
            try:
                self._proxies[key] = get_env_proxy_for_url(url)
            except LookupError:
                self._proxies[key] = (None, None)
        return self._proxies[key]

    async def aclose(self) -> None:
        """Close the session and its connections; later sends raise TransportError."""
        self._closed = True
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


async def _exchange(
    session: aiohttp.ClientSession,
    url: yarl.URL,
    request: HttpRequest,
    proxy: tuple[yarl.URL | None, aiohttp.BasicAuth | None],
) -> HttpResponse:
    async with session.request(
        request.method,
        url,
        headers=request.headers,
        data=request.body or None,
        allow_redirects=False,
        proxy=proxy[0],
        proxy_auth=proxy[1],
    ) as response:
        body = await response.read()
        return HttpResponse(status=response.status, headers=response.headers, body=body)


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
            f"timed out getting a connection to {where} (waiting for a free pooled"
            " connection or connecting)",
            is_request_sent=False,
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
