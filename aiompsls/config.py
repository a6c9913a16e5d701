"""Client configuration: endpoint, signature style, timeouts, pool, retries and TLS.

Every value is checked when the object is built, so a bad setting fails with a
``ConfigError`` before any I/O. Imports: stdlib, attrs, ``aiompsls._core`` and
``aiompsls.errors``.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import urllib.parse
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final, Literal, TypedDict, Unpack

import attrs

from aiompsls._core.retry import RetryPolicy
from aiompsls.errors import ConfigError

__all__ = ["DEFAULT_ENDPOINT", "ClientConfig", "PoolConfig", "TimeoutConfig"]

DEFAULT_ENDPOINT: Final = "https://mpserverless.aliyuncs.com"
"""The public MPServerless API endpoint."""

_ENV_ENDPOINT: Final = "AIOMPSLS_ENDPOINT"
_DEFAULT_PORTS: Final = {"https": 443, "http": 80}
_HOST_NAME: Final = re.compile(r"[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?")

_Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def _where(instance: object, attribute: attrs.Attribute[Any]) -> str:
    return f"{type(instance).__name__}.{attribute.name}"


def _seconds(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A positive, finite number of seconds."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ConfigError(
            f"{_where(instance, attribute)} must be a positive number of seconds,"
            f" not {value!r}"
        )


def _optional_seconds(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if value is not None:
        _seconds(instance, attribute, value)


def _count(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A whole number, zero or more."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(
            f"{_where(instance, attribute)} must be an integer >= 0, not {value!r}"
        )


def _flag(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise ConfigError(f"{_where(instance, attribute)} must be True or False")


def _one_of(*choices: str) -> _Validator:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value not in choices:
            raise ConfigError(
                f"{_where(instance, attribute)} must be one of"
                f" {', '.join(map(repr, choices))}, not {value!r}"
            )

    return check


def _instance_of(kind: type) -> _Validator:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            raise ConfigError(
                f"{_where(instance, attribute)} must be a {kind.__name__},"
                f" not {type(value).__name__}"
            )

    return check


@attrs.frozen(kw_only=True)
class TimeoutConfig:
    """Time limits for one HTTP attempt, in seconds.

    ``total`` and ``read`` are checked every quarter of the shorter of the two, at
    most every second: they never end an attempt early, and end it at most one such
    tick late (``read`` at most two).

    Attributes:
        connect: Establishing the connection, TLS handshake included.
        read: Waiting for data on an open connection, between two reads.
        total: One whole attempt, pool wait through last body byte; None for no cap.
        pool_acquire: Waiting for a free connection from the pool.

    Raises:
        ConfigError: A value is not a positive, finite number.
    """

    connect: float = attrs.field(default=5.0, validator=_seconds)
    read: float = attrs.field(default=30.0, validator=_seconds)
    total: float | None = attrs.field(default=60.0, validator=_optional_seconds)
    pool_acquire: float = attrs.field(default=10.0, validator=_seconds)


@attrs.frozen(kw_only=True)
class PoolConfig:
    """Connection pool settings of the client's HTTP session.

    Attributes:
        limit: Open connections in total; 0 means no limit.
        limit_per_host: Open connections to one host; 0 means no limit.
        keepalive_timeout: Seconds an idle connection is kept for reuse.
        dns_cache_ttl: Seconds a DNS answer is reused; 0 resolves every new
            connection.

    Raises:
        ConfigError: A count is negative or not an integer, or the keep-alive time
            is not a positive number.
    """

    limit: int = attrs.field(default=100, validator=_count)
    limit_per_host: int = attrs.field(default=64, validator=_count)
    keepalive_timeout: float = attrs.field(default=30.0, validator=_seconds)
    dns_cache_ttl: int = attrs.field(default=300, validator=_count)


def _normalise_endpoint(value: object) -> str:
    """Return ``scheme://host[:port]`` (lower-case, default port dropped) or raise."""
    if not isinstance(value, str):
        raise ConfigError(f"endpoint must be a string, not {type(value).__name__}")
    text = value.strip()
    if not text:
        raise ConfigError("endpoint is empty")
    if "@" in text:
        # Never echo the value: user information may hold a password.
        raise ConfigError("endpoint must not contain user information (user@host)")
    if not text.isprintable():
        raise ConfigError(f"endpoint {value!r} contains control characters")
    parts = _split(text if "://" in text else f"https://{text}", value)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ConfigError(f"endpoint {value!r}: the scheme must be https or http")
    if parts.path not in ("", "/") or "?" in text or "#" in text:
        raise ConfigError(
            f"endpoint {value!r} must be scheme://host[:port] with no path,"
            " query or fragment"
        )
    host = _host(parts.hostname, value)
    port = parts.port
    if port == 0:
        raise ConfigError(f"endpoint {value!r}: port 0 is not a valid port")
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def _split(text: str, value: str) -> urllib.parse.SplitResult:
    try:
        parts = urllib.parse.urlsplit(text)
        parts.port  # noqa: B018 (urlsplit checks the port lazily, on access)
    except ValueError as exc:
        raise ConfigError(f"endpoint {value!r} is not a valid URL: {exc}") from exc
    return parts


def _host(hostname: str | None, value: str) -> str:
    """The host as it appears in a URL and a Host header (IPv6 in brackets)."""
    if not hostname:
        raise ConfigError(f"endpoint {value!r} has no host")
    if ":" in hostname:
        try:
            ipaddress.IPv6Address(hostname)
        except ValueError:
            raise ConfigError(f"endpoint {value!r} has an invalid IPv6 host") from None
        return f"[{hostname}]"
    if not _HOST_NAME.fullmatch(hostname):
        raise ConfigError(f"endpoint {value!r} has an invalid host name")
    return hostname


def _to_path(value: str | os.PathLike[str] | None) -> Path | None:
    return None if value is None else Path(value)


def _user_agent(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not value.strip() or not value.isprintable():
        raise ConfigError(
            "ClientConfig.user_agent must be a non-empty string without control"
            " characters"
        )


class _Overrides(TypedDict, total=False):
    endpoint: str
    signature: Literal["v1", "acs3"]
    http_method: Literal["POST", "GET"]
    timeouts: TimeoutConfig
    pool: PoolConfig
    retry: RetryPolicy
    ca_bundle: str | os.PathLike[str] | None
    verify_ssl: bool
    trust_env: bool
    user_agent: str | None


@attrs.frozen(kw_only=True)
class ClientConfig:
    """Everything about how a client talks to the API, apart from the credentials.

    Attributes:
        endpoint: ``https://host[:port]``, ``http://host[:port]`` (the local emulator)
            or a bare ``host[:port]`` (HTTPS). Stored normalised: lower-case scheme and
            host, no default port, no trailing slash.
        signature: ``"v1"`` (HMAC-SHA1 ``Signature`` parameter) or ``"acs3"``
            (``ACS3-HMAC-SHA256`` ``Authorization`` header).
        http_method: ``"POST"`` (form-encoded body, the default) or ``"GET"``.
        timeouts: Per-attempt time limits.
        pool: Connection pool settings.
        retry: The retry policy for retry-safe failures.
        ca_bundle: A PEM file of CA certificates to trust instead of the defaults.
        verify_ssl: Whether to verify the server certificate. Turning it off is for
            tests only, and cannot be combined with ``ca_bundle``.
        trust_env: Whether to take proxies and ``.netrc`` from the environment.
        user_agent: Text added to the ``User-Agent`` header, or None.

    Raises:
        ConfigError: A value is invalid; the message names the setting and the value.
    """

    endpoint: str = attrs.field(default=DEFAULT_ENDPOINT, converter=_normalise_endpoint)
    signature: Literal["v1", "acs3"] = attrs.field(
        default="v1", validator=_one_of("v1", "acs3")
    )
    http_method: Literal["POST", "GET"] = attrs.field(
        default="POST", validator=_one_of("POST", "GET")
    )
    timeouts: TimeoutConfig = attrs.field(
        factory=TimeoutConfig, validator=_instance_of(TimeoutConfig)
    )
    pool: PoolConfig = attrs.field(
        factory=PoolConfig, validator=_instance_of(PoolConfig)
    )
    retry: RetryPolicy = attrs.field(
        factory=RetryPolicy, validator=_instance_of(RetryPolicy)
    )
    ca_bundle: Path | None = attrs.field(default=None, converter=_to_path)
    verify_ssl: bool = attrs.field(default=True, validator=_flag)
    trust_env: bool = attrs.field(default=True, validator=_flag)
    user_agent: str | None = attrs.field(default=None, validator=_user_agent)

    def __attrs_post_init__(self) -> None:
        if self.ca_bundle is not None and not self.verify_ssl:
            raise ConfigError(
                "ClientConfig.ca_bundle is set but verify_ssl is False;"
                " a CA bundle only matters when certificates are verified"
            )

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        **overrides: Unpack[_Overrides],
    ) -> ClientConfig:
        """Build a configuration from the environment, then apply ``overrides``.

        Reads ``AIOMPSLS_ENDPOINT`` (an empty value counts as unset). Keyword
        arguments win over the environment.

        Args:
            environ: The environment to read; defaults to ``os.environ``.
            **overrides: Any ``ClientConfig`` field.

        Returns:
            The configuration.

        Raises:
            ConfigError: A value from the environment or an override is invalid.
        """
        env = os.environ if environ is None else environ
        params: _Overrides = {}
        endpoint = env.get(_ENV_ENDPOINT, "").strip()
        if endpoint and "endpoint" not in overrides:
            try:
                params["endpoint"] = _normalise_endpoint(endpoint)
            except ConfigError as exc:
                raise ConfigError(f"{_ENV_ENDPOINT}: {exc}") from None
        params.update(overrides)
        return cls(**params)

    @property
    def scheme(self) -> Literal["https", "http"]:
        """``"https"`` or ``"http"``."""
        return "http" if self.endpoint.startswith("http://") else "https"

    @property
    def host_header(self) -> str:
        """``host[:port]`` as sent in the ``Host`` header (default port omitted)."""
        return self.endpoint.partition("://")[2]

    @property
    def base_url(self) -> str:
        """``scheme://host[:port]/``: the URL every RPC request is sent to."""
        return f"{self.endpoint}/"
