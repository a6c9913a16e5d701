"""Client configuration: endpoint normalisation, value checks and from_env."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import attrs
import pytest

from aiompsls._core.retry import RetryPolicy
from aiompsls.config import (
    DEFAULT_ENDPOINT,
    ClientConfig,
    PoolConfig,
    TimeoutConfig,
    _host,
)
from aiompsls.errors import ConfigError, MpslsError


def test_defaults_point_at_the_public_endpoint() -> None:
    config = ClientConfig()
    assert DEFAULT_ENDPOINT == "https://mpserverless.aliyuncs.com"
    assert config.endpoint == DEFAULT_ENDPOINT
    assert config.base_url == "https://mpserverless.aliyuncs.com/"
    assert config.host_header == "mpserverless.aliyuncs.com"
    assert config.scheme == "https"
    assert (config.signature, config.http_method) == ("v1", "POST")
    assert config.timeouts == TimeoutConfig()
    assert config.pool == PoolConfig()
    assert isinstance(config.retry, RetryPolicy)
    assert config.ca_bundle is None
    assert (config.verify_ssl, config.trust_env, config.user_agent) == (
        True,
        True,
        None,
    )


def test_timeout_and_pool_defaults() -> None:
    assert attrs.asdict(TimeoutConfig()) == {
        "connect": 5.0,
        "read": 30.0,
        "total": 60.0,
        "pool_acquire": 10.0,
    }
    assert attrs.asdict(PoolConfig()) == {
        "limit": 100,
        "limit_per_host": 64,
        "keepalive_timeout": 30.0,
        "dns_cache_ttl": 300,
    }


@pytest.mark.parametrize(
    ("given", "endpoint", "host_header", "scheme"),
    [
        (
            "mpserverless.aliyuncs.com",
            DEFAULT_ENDPOINT,
            "mpserverless.aliyuncs.com",
            "https",
        ),
        (
            "https://MPServerless.Aliyuncs.COM/",
            DEFAULT_ENDPOINT,
            "mpserverless.aliyuncs.com",
            "https",
        ),
        (
            "HTTPS://api.example.com:443",
            "https://api.example.com",
            "api.example.com",
            "https",
        ),
        (
            "https://api.example.com:8443",
            "https://api.example.com:8443",
            "api.example.com:8443",
            "https",
        ),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080", "127.0.0.1:8080", "http"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080", "127.0.0.1:8080", "http"),
        ("http://localhost:80", "http://localhost", "localhost", "http"),
        ("http://localhost", "http://localhost", "localhost", "http"),
        ("localhost:9000", "https://localhost:9000", "localhost:9000", "https"),
        ("http://[::1]:8080", "http://[::1]:8080", "[::1]:8080", "http"),
        ("https://[2001:DB8::1]", "https://[2001:db8::1]", "[2001:db8::1]", "https"),
        (
            "  https://api.example.com  ",
            "https://api.example.com",
            "api.example.com",
            "https",
        ),
        (
            "https://emulator_1.local:1",
            "https://emulator_1.local:1",
            "emulator_1.local:1",
            "https",
        ),
    ],
)
def test_endpoint_is_normalised(
    given: str, endpoint: str, host_header: str, scheme: str
) -> None:
    config = ClientConfig(endpoint=given)
    assert config.endpoint == endpoint
    assert config.host_header == host_header
    assert config.scheme == scheme
    assert config.base_url == f"{endpoint}/"


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ("ftp://api.example.com", "the scheme must be https or http"),
        ("ws://api.example.com", "the scheme must be https or http"),
        ("https://api.example.com/path", "no path, query or fragment"),
        ("https://api.example.com//", "no path, query or fragment"),
        ("api.example.com/v1", "no path, query or fragment"),
        ("https://api.example.com?Action=X", "no path, query or fragment"),
        ("https://api.example.com/?", "no path, query or fragment"),
        ("https://api.example.com#top", "no path, query or fragment"),
        ("https://", "has no host"),
        ("https://:443", "has no host"),
        ("https://api.example.com:http", "is not a valid URL"),
        ("https://api.example.com:70000", "is not a valid URL"),
        ("https://api.example.com:0", "port 0 is not a valid port"),
        ("https://api example.com", "invalid host name"),
        ("https://-api.example.com", "invalid host name"),
        ("https://api.example.com.", "invalid host name"),
        ("https://[zz::1]", "is not a valid URL"),
        ("https://api.exa\tmple.com", "contains control characters"),
        ("https://api.\nexample.com", "contains control characters"),
    ],
)
def test_invalid_endpoint_raises_naming_the_value(given: str, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        ClientConfig(endpoint=given)
    assert repr(given) in str(info.value)
    assert problem in str(info.value)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", "endpoint is empty"),
        ("   ", "endpoint is empty"),
        (42, "endpoint must be a string, not int"),
        (None, "endpoint must be a string, not NoneType"),
    ],
)
def test_empty_or_non_text_endpoint_is_rejected(given: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=f"^{message}$"):
        ClientConfig(endpoint=given)


@pytest.mark.parametrize(
    "given", ["https://admin:hunter2@api.example.com", "admin:hunter2@localhost:80"]
)
def test_endpoint_with_user_information_is_rejected_without_echoing_it(
    given: str,
) -> None:
    with pytest.raises(ConfigError) as info:
        ClientConfig(endpoint=given)
    assert "user information" in str(info.value)
    assert "hunter2" not in str(info.value)


def test_invalid_ipv6_host_is_rejected_even_where_urlsplit_lets_it_through() -> None:
    # urlsplit checks bracketed hosts only since Python 3.11.4; the own check stays.
    with pytest.raises(ConfigError, match="invalid IPv6 host"):
        _host("zz::1", "https://[zz::1]")


def test_config_errors_belong_to_the_library_root() -> None:
    with pytest.raises(MpslsError):
        ClientConfig(endpoint="ftp://x")


def test_evolve_revalidates_and_renormalises() -> None:
    config = attrs.evolve(ClientConfig(), endpoint="http://localhost:8080/")
    assert config.endpoint == "http://localhost:8080"
    with pytest.raises(ConfigError):
        attrs.evolve(config, endpoint="https://x/y")


# --- timeouts and pool --------------------------------------------------------------

BAD_SECONDS = [0, -1, -0.5, math.nan, math.inf, True, "5", None]


@pytest.mark.parametrize("field", ["connect", "read", "total", "pool_acquire"])
@pytest.mark.parametrize("value", BAD_SECONDS, ids=repr)
def test_timeouts_must_be_positive_finite_seconds(field: str, value: Any) -> None:
    if field == "total" and value is None:
        assert TimeoutConfig(total=None).total is None
        return
    with pytest.raises(ConfigError) as info:
        TimeoutConfig(**{field: value})
    assert f"TimeoutConfig.{field} must be a positive number of seconds" in str(
        info.value
    )
    assert repr(value) in str(info.value)


def test_timeouts_accept_ints_and_small_floats() -> None:
    config = TimeoutConfig(connect=1, read=0.25, total=None, pool_acquire=3)
    assert (config.connect, config.read, config.total, config.pool_acquire) == (
        1,
        0.25,
        None,
        3,
    )


@pytest.mark.parametrize("field", ["limit", "limit_per_host", "dns_cache_ttl"])
@pytest.mark.parametrize("value", [-1, 1.5, True, "10", None], ids=repr)
def test_pool_counts_must_be_non_negative_integers(field: str, value: Any) -> None:
    with pytest.raises(ConfigError) as info:
        PoolConfig(**{field: value})
    assert f"PoolConfig.{field} must be an integer >= 0" in str(info.value)


def test_pool_zero_means_unlimited_and_is_accepted() -> None:
    config = PoolConfig(limit=0, limit_per_host=0, dns_cache_ttl=0)
    assert (config.limit, config.limit_per_host, config.dns_cache_ttl) == (0, 0, 0)


@pytest.mark.parametrize("value", [0, -1.0, math.nan, "30"], ids=repr)
def test_pool_keepalive_must_be_positive(value: object) -> None:
    with pytest.raises(ConfigError, match=r"PoolConfig\.keepalive_timeout"):
        PoolConfig(keepalive_timeout=value)  # type: ignore[arg-type]


# --- the other client settings ------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "signature",
            "v2",
            "ClientConfig.signature must be one of 'v1', 'acs3', not 'v2'",
        ),
        ("signature", "V1", "ClientConfig.signature must be one of 'v1', 'acs3'"),
        (
            "http_method",
            "post",
            "ClientConfig.http_method must be one of 'POST', 'GET'",
        ),
        ("http_method", "PUT", "not 'PUT'"),
        ("timeouts", 5.0, "ClientConfig.timeouts must be a TimeoutConfig, not float"),
        ("pool", {"limit": 1}, "ClientConfig.pool must be a PoolConfig, not dict"),
        ("retry", 3, "ClientConfig.retry must be a RetryPolicy, not int"),
        ("verify_ssl", "false", "ClientConfig.verify_ssl must be True or False"),
        ("trust_env", 1, "ClientConfig.trust_env must be True or False"),
        ("user_agent", "", "ClientConfig.user_agent must be a non-empty string"),
        ("user_agent", "app/1\r\nX-Evil: 1", "without control characters"),
        ("user_agent", 3, "ClientConfig.user_agent must be a non-empty string"),
    ],
)
def test_invalid_settings_raise_naming_the_setting(
    field: str, value: Any, message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        ClientConfig(**{field: value})
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("signature", "acs3"),
        ("http_method", "GET"),
        ("timeouts", TimeoutConfig(total=None)),
        ("pool", PoolConfig(limit=5)),
        ("retry", RetryPolicy()),
        ("verify_ssl", False),
        ("trust_env", False),
        ("user_agent", "deploy-bot/2.1"),
    ],
)
def test_valid_settings_are_kept(field: str, value: Any) -> None:
    assert getattr(ClientConfig(**{field: value}), field) == value


@pytest.mark.parametrize("given", ["ca.pem", Path("ca.pem")], ids=["str", "Path"])
def test_ca_bundle_is_stored_as_a_path(given: str | Path) -> None:
    assert ClientConfig(ca_bundle=given).ca_bundle == Path("ca.pem")


def test_ca_bundle_without_verification_is_a_contradiction() -> None:
    with pytest.raises(ConfigError, match="ca_bundle is set but verify_ssl is False"):
        ClientConfig(ca_bundle=Path("ca.pem"), verify_ssl=False)


# --- from_env -----------------------------------------------------------------------


@pytest.mark.parametrize("environ", [{}, {"AIOMPSLS_ENDPOINT": ""}, {"OTHER": "x"}])
def test_from_env_without_endpoint_gives_the_defaults(environ: dict[str, str]) -> None:
    assert ClientConfig.from_env(environ) == ClientConfig()


def test_from_env_reads_and_normalises_the_endpoint() -> None:
    config = ClientConfig.from_env({"AIOMPSLS_ENDPOINT": " http://127.0.0.1:8765/ "})
    assert config.endpoint == "http://127.0.0.1:8765"
    assert config.host_header == "127.0.0.1:8765"


def test_from_env_invalid_endpoint_names_the_variable() -> None:
    with pytest.raises(ConfigError) as info:
        ClientConfig.from_env({"AIOMPSLS_ENDPOINT": "ftp://x"})
    assert str(info.value).startswith("AIOMPSLS_ENDPOINT: endpoint 'ftp://x'")


def test_from_env_overrides_win_over_the_environment() -> None:
    environ = {"AIOMPSLS_ENDPOINT": "not a valid endpoint/at all"}
    config = ClientConfig.from_env(
        environ, endpoint="localhost:1234", signature="acs3", verify_ssl=False
    )
    assert config.endpoint == "https://localhost:1234"
    assert (config.signature, config.verify_ssl) == ("acs3", False)


def test_from_env_overrides_are_validated() -> None:
    with pytest.raises(ConfigError, match=r"ClientConfig\.http_method"):
        ClientConfig.from_env({}, http_method="DELETE")  # type: ignore[arg-type]


def test_from_env_defaults_to_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIOMPSLS_ENDPOINT", "http://localhost:9999")
    assert ClientConfig.from_env().endpoint == "http://localhost:9999"
    monkeypatch.delenv("AIOMPSLS_ENDPOINT")
    assert ClientConfig.from_env().endpoint == DEFAULT_ENDPOINT
