"""The client: one pooled session, signing, retries, and a typed method per action.

``Client.invoke`` is the single pipeline every generated method goes through: encode
the parameters, sign a fresh attempt (new nonce and timestamp), send, decode, and retry
retry-safe failures with full-jitter backoff on ``anyio.sleep``. Imports: ``_core``,
``_transport``, ``config``, ``credentials``, ``models``, ``errors``, anyio.
"""

from __future__ import annotations

import logging
import os
import platform
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self

import anyio

from aiompsls._actions import Actions
from aiompsls._core.clock import skew_from_date
from aiompsls._core.http import HttpRequest, HttpResponse
from aiompsls._core.operations import OPERATIONS
from aiompsls._core.params import encode_params
from aiompsls._core.protocol import SigningKey, Target, build_request, decode_response
from aiompsls._core.retry import RetryBudget, backoff_delay, should_retry
from aiompsls._core.wire import make_converter
from aiompsls._transport import AiohttpTransport, Transport, make_ssl_context
from aiompsls._version import __version__
from aiompsls.config import ClientConfig
from aiompsls.credentials import Credentials, resolve_credentials
from aiompsls.errors import ApiError, ConfigError, MpslsError
from aiompsls.models._base import Request, ResponseT

__all__ = ["Client"]

log = logging.getLogger(__name__)
USER_AGENT = f"aiompsls/{__version__} Python/{platform.python_version()}"


class Client(Actions):
    """An asyncio client for the MPServerless control-plane API.

    Use it as an async context manager (or call :meth:`aclose`), so that its pooled
    connections are released::

        async with Client.from_env() as client:
            spaces = await client.list_space()

    Args:
        credentials: The access key to sign with.
        config: Endpoint, signature style, timeouts, pool and retry settings.
        transport: Replaces the aiohttp transport (tests script their own).
        clock: Returns the current UTC time; for tests.
        rng: The random source of backoff jitter; for tests.
    """

    __slots__ = (
        "_budget",
        "_clock",
        "_config",
        "_converter",
        "_key",
        "_rng",
        "_secrets",
        "_skew",
        "_target",
        "_transport",
        "_user_agent",
    )

    def __init__(
        self,
        credentials: Credentials,
        *,
        config: ClientConfig | None = None,
        transport: Transport | None = None,
        clock: Callable[[], datetime] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if not isinstance(credentials, Credentials):
            raise ConfigError("credentials must be an aiompsls.Credentials")
        self._config = config or ClientConfig()
        self._key = SigningKey(
            access_key_id=credentials.access_key_id,
            access_key_secret=credentials.access_key_secret,
            security_token=credentials.security_token,
        )
        self._secrets = tuple(
            s for s in (credentials.access_key_secret, credentials.security_token) if s
        )
        self._target = Target(
            base_url=self._config.base_url, host=self._config.host_header
        )
        self._transport = transport or _default_transport(self._config)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrets
        self._converter = make_converter(detailed=False)
        self._budget = RetryBudget(self._config.retry)
        self._skew = timedelta(0)
        extra = self._config.user_agent
        self._user_agent = f"{USER_AGENT} {extra}" if extra else USER_AGENT

    @classmethod
    def from_env(
        cls, *, profile: str | None = None, config: ClientConfig | None = None
    ) -> Client:
        """A client with credentials and endpoint found the Alibaba Cloud way.

        Credentials come from ``ALIBABA_CLOUD_ACCESS_KEY_ID`` /
        ``ALIBABA_CLOUD_ACCESS_KEY_SECRET`` (/ ``ALIBABA_CLOUD_SECURITY_TOKEN``), the
        aliyun CLI profile file or ``~/.alibabacloud/credentials.ini``; the endpoint
        from ``AIOMPSLS_ENDPOINT``.

        Raises:
            ConfigError: no usable credentials or a bad endpoint.
        """
        credentials = resolve_credentials(profile=profile)
        return cls(credentials, config=config or ClientConfig.from_env())

    @property
    def config(self) -> ClientConfig:
        """The configuration this client was built with."""
        return self._config

    def __repr__(self) -> str:
        return f"Client(endpoint={self._config.endpoint!r}, key={self._key!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool; the client cannot send afterwards."""
        await self._transport.aclose()

    async def invoke(self, request: Request[ResponseT]) -> ResponseT:
        """Send ``request`` (with retries) and return its typed response.

        Raises:
            ApiError: the service answered with an error (a subclass by category).
            TransportError: no response could be read.
            ResponseError: the response could not be interpreted.
        """
        operation = OPERATIONS[request.ACTION]
        params = encode_params(request)
        attempt, resynced = 0, False
        while True:
            attempt += 1
            try:
                # One attempt: sign afresh, send, decode (no coroutine of its own).
                response = await self._transport.send(self._sign(request, params))
                return self._decode(request, response, attempt)
            except MpslsError as exc:
                if not resynced and self._resync_clock(exc):
                    resynced = True
                    continue
                if not self._may_retry(exc, attempt, operation.idempotent):
                    raise
                delay = backoff_delay(
                    attempt,
                    policy=self._config.retry,
                    rand=self._rng.random(),
                    retry_after=getattr(exc, "retry_after", None),
                )
                log.info("%s failed (%s); retry in %.3fs", request.ACTION, exc, delay)
                await anyio.sleep(delay)

    def _sign(self, request: Request[Any], params: dict[str, str]) -> HttpRequest:
        """The signed HTTP request of one attempt: a new timestamp and nonce."""
        return build_request(
            action=request.ACTION,
            params=params,
            key=self._key,
            target=self._target,
            style=self._config.signature,
            method=self._config.http_method,
            timestamp=self._clock() + self._skew,
            nonce=os.urandom(16).hex(),  # secrets.token_hex(16), one call instead of 3
            user_agent=self._user_agent,
        )

    def _decode(
        self, request: Request[ResponseT], response: HttpResponse, attempt: int
    ) -> ResponseT:
        """The typed response of one attempt's answer, or its error."""
        log.debug("%s attempt %d: HTTP %d", request.ACTION, attempt, response.status)
        result = decode_response(
            response,
            action=request.ACTION,
            response_type=_response_type(request),
            converter=self._converter,
            now=self._now,
            secrets=self._secrets,
        )
        self._budget.on_success()
        return result

    def _now(self) -> float:
        """The current time in epoch seconds, by the client's clock."""
        return self._clock().timestamp()

    def _resync_clock(self, exc: MpslsError) -> bool:
        """Adopt the server's clock after InvalidTimeStamp.Expired; True to re-sign."""
        if not isinstance(exc, ApiError) or exc.code != "InvalidTimeStamp.Expired":
            return False
        local = self._clock()
        skew = skew_from_date(exc.headers.get("date"), local_now=local)
        if skew is None or abs(skew - self._skew) < timedelta(seconds=1):
            return False
        log.warning("local clock is off by %s; using the server's", skew)
        self._skew = skew
        return True

    def _may_retry(self, exc: MpslsError, attempt: int, idempotent: bool) -> bool:
        policy = self._config.retry
        if not should_retry(exc, attempt=attempt, idempotent=idempotent, policy=policy):
            return False
        return self._budget.try_acquire()


def _response_type(request: Request[ResponseT]) -> type[ResponseT]:
    return request.RESPONSE  # type: ignore[return-value]


def _default_transport(config: ClientConfig) -> Transport:
    ssl_context: Any = True
    if config.scheme == "https":
        ssl_context = make_ssl_context(config.ca_bundle) if config.verify_ssl else False
    return AiohttpTransport(
        timeouts=config.timeouts,
        pool=config.pool,
        ssl_context=ssl_context,
        trust_env=config.trust_env,
    )
