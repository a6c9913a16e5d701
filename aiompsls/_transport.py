"""The client's only contact with aiohttp: send an :class:`HttpRequest`, get a response.

One ``aiohttp.ClientSession`` per transport, opened lazily on the first request and
closed by :meth:`AiohttpTransport.aclose`. aiohttp and OSError exceptions become
:class:`~aiompsls.errors.TransportError`, chained to the cause unless its text shows
the request (query or headers may hold a security token). Whether the request may have
reached the server follows from whether aiohttp ever handed it a connection, not from
the exception type alone. Cancellation propagates untouched. The total and read time
limits are kept by one :class:`~aiompsls._deadlines.Watchdog` per transport, not by
aiohttp's timers per request.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Protocol

import aiohttp
import yarl
from aiohttp.connector import Connection
from aiohttp.helpers import get_env_proxy_for_url
from aiohttp.tracing import Trace

from aiompsls._core.http import HttpRequest, HttpResponse
from aiompsls._deadlines import Attempt, Watchdog
from aiompsls.config import PoolConfig, TimeoutConfig
from aiompsls.errors import ConfigError, TransportError, TransportTimeoutError

__all__ = ["AiohttpTransport", "Transport", "make_ssl_context"]

#: A proxy URL and its credentials; ``(None, None)`` to connect directly.
_Proxy = tuple[yarl.URL | None, aiohttp.BasicAuth | None]
#: A URL's scheme, authority and path (as sent), and the proxy to reach it through.
_Route = tuple[tuple[str, str, str], _Proxy]
#: How many endpoints' parsed URLs a transport keeps (a client talks to one).
_MAX_ROUTES = 64
#: The headers aiohttp would add on its own (see _skip_auto_headers).
_AUTO_HEADERS = ("User-Agent", "Content-Type")


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


# The sending task's attempt, told when aiohttp hands it a connection: until then no
# byte of the request can have reached the server, and the read limit does not count.
# A context variable, because the connector runs inside the sending task; cheaper than
# aiohttp's per-request trace signals.
_ATTEMPT: ContextVar[Attempt | None] = ContextVar("aiompsls_attempt", default=None)


class _Connector(aiohttp.TCPConnector):
    """A TCPConnector that tells the sending task's attempt that it got a connection."""

    async def connect(
        self,
        req: aiohttp.ClientRequest,
        traces: list[Trace],
        timeout: aiohttp.ClientTimeout,  # noqa: ASYNC109 - aiohttp's own signature
    ) -> Connection:
        connection = await super().connect(req, traces, timeout)
        attempt = _ATTEMPT.get()
        if attempt is not None:
            attempt.connected()
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
        self._watchdog = Watchdog(total=self._timeouts.total, read=self._timeouts.read)
        self._closed = False
        # By the text of a URL before its query: that part parsed, and its proxy.
        self._routes: dict[str, _Route] = {}

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
                # The environment is read once per endpoint in _route: aiohttp's own
                # trust_env does two thread-pool hops (.netrc, proxies) per request.
                trust_env=False,
                auto_decompress=True,
            )
        return self._session

    def _client_timeout(self) -> aiohttp.ClientTimeout:
        t = self._timeouts
        # aiohttp's ``connect`` limits getting a connection: the wait for a free
        # pooled one plus establishing a new one; ``sock_connect`` the latter alone.
        # Neither arms a timer for a pooled connection. ``total`` and ``read`` are
        # the watchdog's: aiohttp would arm two or three timers per request.
        return aiohttp.ClientTimeout(
            total=None,
            connect=t.pool_acquire,
            sock_connect=t.connect,
            sock_read=None,
        )

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request``; raise TransportError when no response could be read."""
        session = self._open()
        url, proxy = self._route(request.url)
        attempt = self._watchdog.attempt()
        token = _ATTEMPT.set(attempt)
        try:
            # The watchdog ends an overdue attempt: TimeoutError out of this block.
            with attempt:
                async with session.request(
                    request.method,
                    url,
                    headers=request.headers,
                    skip_auto_headers=_skip_auto_headers(request.headers),
                    data=request.body or None,
                    allow_redirects=False,
                    proxy=proxy[0],
                    proxy_auth=proxy[1],
                ) as response:
                    attempt.receiving(response.content)
                    body = await response.read()
        except (aiohttp.ClientError, OSError) as exc:  # TimeoutError included
            raise _translate(exc, request, attempt) from _cause(exc)
        finally:
            _ATTEMPT.reset(token)
        return HttpResponse.received(
            status=response.status, headers=response.headers, body=body
        )

    def _route(self, url: str) -> tuple[yarl.URL, _Proxy]:
        """``url`` parsed, and the proxy (with its credentials) to reach it through.

        Requests to one endpoint differ only in their query string, so the part
        before ``?`` is parsed, and its proxy looked up, once. Each URL is then
        built from those parts and its own query: ``URL.build`` with
        ``encoded=True`` gives a URL equal to parsing the whole text, at half the
        cost. A URL with a fragment is parsed whole.
        """
        if "#" in url:
            parsed = yarl.URL(url, encoded=True)
            return parsed, self._proxy_for(parsed)
        base, _, query = url.partition("?")
        route = self._routes.get(base)
        if route is None:
            route = self._new_route(base)
        (scheme, authority, path), proxy = route
        built = yarl.URL.build(
            scheme=scheme,
            authority=authority,
            path=path,
            query_string=query,
            encoded=True,
        )
        return built, proxy

    def _new_route(self, base: str) -> _Route:
        """Parse ``base``, a URL without a query, and find its proxy; keep both."""
        if len(self._routes) >= _MAX_ROUTES:
            self._routes.clear()
        origin = yarl.URL(base, encoded=True)
        parts = (origin.scheme, origin.raw_authority, origin.raw_path)
        route = self._routes[base] = (parts, self._proxy_for(origin))
        return route

    def _proxy_for(self, url: yarl.URL) -> _Proxy:
        """The proxy for ``url`` (``HTTP(S)_PROXY``, ``NO_PROXY``, as aiohttp)."""
        if not self._trust_env:
            return None, None
        try:
            return get_env_proxy_for_url(url)
        except LookupError:
            return None, None

    async def aclose(self) -> None:
        """Close the session and its connections; later sends raise TransportError."""
        self._closed = True
        self._watchdog.close()
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


def _skip_auto_headers(headers: Mapping[str, str]) -> tuple[str, ...] | None:
    """The headers aiohttp must not add to a request that has ``headers``.

    A signed request goes as built: aiohttp adds its own User-Agent to a request
    without one, and a Content-Type to a POST or a body without one. For a request
    that carries both (every POST from the core) naming them changes nothing, but
    aiohttp builds a header set for the names on every request that names them: so
    they are named only when one is missing, with the effect of naming them always.
    """
    if "user-agent" in headers and "content-type" in headers:
        return None
    return _AUTO_HEADERS


# Exceptions whose text holds the request URL (with its query) or its headers, where
# a security token may travel: never chained, never shown.
_SHOWS_REQUEST = (
    aiohttp.ClientResponseError,
    aiohttp.ConnectionTimeoutError,
    aiohttp.InvalidURL,
)


def _translate(
    exc: Exception, request: HttpRequest, attempt: Attempt
) -> TransportError:
    """The TransportError for an aiohttp or OSError failure of ``request``."""
    sent = attempt.sent
    url = yarl.URL(request.url, encoded=True)
    where = f"{url.scheme}://{url.host}:{url.port}"
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return TransportTimeoutError(
            f"timed out getting a connection to {where} (waiting for a free pooled"
            " connection or connecting)",
            is_request_sent=False,
        )
    if isinstance(exc, TimeoutError) and attempt.expired == "read":
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
