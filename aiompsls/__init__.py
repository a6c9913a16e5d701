"""aiompsls: the asyncio SDK for the Alibaba Cloud MPServerless control-plane API.

Start with :class:`Client`; paged List actions have iterators in
:mod:`aiompsls.paginators`, long-running work has ``wait_*`` functions in
:mod:`aiompsls.waiters`, and :mod:`aiompsls.emulator` is a local stand-in for the
service.
"""

from __future__ import annotations

from aiompsls._core.retry import RetryPolicy
from aiompsls._core.waiting import WaitPolicy
from aiompsls._version import __version__
from aiompsls.client import Client
from aiompsls.config import DEFAULT_ENDPOINT, ClientConfig, PoolConfig, TimeoutConfig
from aiompsls.credentials import Credentials, resolve_credentials
from aiompsls.errors import (
    ApiError,
    AuthenticationError,
    ConfigError,
    ConflictError,
    CredentialsError,
    InvalidRequestError,
    MpslsError,
    NotFoundError,
    PermissionDeniedError,
    ResponseError,
    ServiceError,
    ThrottlingError,
    TransportError,
    TransportTimeoutError,
    WaiterError,
    WorkflowError,
)

__all__ = [
    "DEFAULT_ENDPOINT",
    "ApiError",
    "AuthenticationError",
    "Client",
    "ClientConfig",
    "ConfigError",
    "ConflictError",
    "Credentials",
    "CredentialsError",
    "InvalidRequestError",
    "MpslsError",
    "NotFoundError",
    "PermissionDeniedError",
    "PoolConfig",
    "ResponseError",
    "RetryPolicy",
    "ServiceError",
    "ThrottlingError",
    "TimeoutConfig",
    "TransportError",
    "TransportTimeoutError",
    "WaitPolicy",
    "WaiterError",
    "WorkflowError",
    "__version__",
    "resolve_credentials",
]
