"""Every exception aiompsls raises derives from :class:`MpslsError`.

A leaf module: it imports nothing from aiompsls, so every layer can raise these. The API
category classes (``NotFoundError``, ``ThrottlingError``, ...) keep the vendor's code
string in ``.code``, so callers can match on codes without one class per code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "CATEGORY_CLASSES",
    "ApiError",
    "AuthenticationError",
    "ConfigError",
    "ConflictError",
    "CredentialsError",
    "InvalidRequestError",
    "MpslsError",
    "NotFoundError",
    "PermissionDeniedError",
    "ResponseError",
    "ServiceError",
    "ThrottlingError",
    "TransportError",
    "TransportTimeoutError",
    "WaiterError",
    "WorkflowError",
]

_BODY_SHOWN = 200  # bytes of an unreadable body shown by str()
_PROBLEMS_SHOWN = 5


class MpslsError(Exception):
    """The root of every aiompsls exception.

    Attributes:
        message: What went wrong, in one line.
    """

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:
        # The default, cls(*args), cannot call keyword-only __init__s: rebuild the
        # instance without __init__ and restore its attributes from the state.
        return (_rebuild, (type(self), self.message), dict(vars(self)))

    @property
    def is_retry_safe(self) -> bool:
        """Whether repeating the same call may succeed and cannot do harm twice."""
        return False

    @property
    def is_unexecuted(self) -> bool:
        """True only when the call provably did not take effect on the server."""
        return False


def _rebuild(cls: type[MpslsError], message: str) -> MpslsError:
    return cls.__new__(cls, message)


class ConfigError(MpslsError):
    """Bad or missing configuration, found before any request is sent."""


class CredentialsError(ConfigError):
    """No usable credentials; the message says where they were looked for."""


class TransportError(MpslsError):
    """No usable HTTP response: connection, TLS, timeout or protocol failure.

    Attributes:
        is_request_sent: False only when the request provably never reached the
            server (DNS failure, connection refused, connect or pool timeout).
    """

    is_request_sent: bool

    def __init__(self, message: str, *, is_request_sent: bool) -> None:
        super().__init__(message)
        self.is_request_sent = is_request_sent

    @property
    def is_retry_safe(self) -> bool:
        """Transport failures are transient by nature."""
        return True

    @property
    def is_unexecuted(self) -> bool:
        """A request that never left cannot have taken effect."""
        return not self.is_request_sent


class TransportTimeoutError(TransportError):
    """A connect, read, total or pool timeout of the client configuration expired."""


class ResponseError(MpslsError):
    """An answer that cannot be interpreted: no envelope, or not the documented shape.

    Attributes:
        http_status: The HTTP status of the answer.
        body: The raw body (shown truncated by ``str()``).
        problems: What did not match, one line each.
        action: The action called.
        request_id: The ``x-acs-request-id`` header, when the answer had one.
        retry_after: Seconds the answer asked to wait (``Retry-After``), when it said.
    """

    http_status: int
    body: bytes
    problems: tuple[str, ...]
    action: str
    request_id: str
    retry_after: float | None

    def __init__(
        self,
        message: str,
        *,
        http_status: int,
        body: bytes = b"",
        problems: tuple[str, ...] = (),
        action: str = "",
        request_id: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.body = body
        self.problems = tuple(problems)
        self.action = action
        self.request_id = request_id
        self.retry_after = retry_after

    def __str__(self) -> str:
        head = f"HTTP {self.http_status}"
        if self.request_id:
            head += f", request id {self.request_id}"
        details = list(self.problems[:_PROBLEMS_SHOWN])
        if len(self.problems) > _PROBLEMS_SHOWN:
            details.append(f"and {len(self.problems) - _PROBLEMS_SHOWN} more")
        if self.body:
            details.append(f"body {_preview(self.body)}")
        text = f"{self.message} ({head})"
        return f"{text}: {'; '.join(details)}" if details else text

    @property
    def is_retry_safe(self) -> bool:
        """An unreadable 5xx or 429 (a proxy's HTML page) is worth another try."""
        return 500 <= self.http_status <= 599 or self.http_status == 429

    @property
    def is_unexecuted(self) -> bool:
        """A 429 refuses the call before it is carried out."""
        return self.http_status == 429


def _preview(body: bytes) -> str:
    shown = repr(body[:_BODY_SHOWN])
    return shown + f"... ({len(body)} bytes)" if len(body) > _BODY_SHOWN else shown


class ApiError(MpslsError):
    """The service answered with an error envelope.

    Attributes:
        code: The vendor's error code, always kept as sent.
        request_id: The RequestId of the failed call ("" when absent).
        http_status: The HTTP status.
        action: The action called.
        host_id: The gateway host that answered.
        recommend: The troubleshooting link the gateway sent.
        retry_after: Seconds the server asked to wait, when it said.
        server_string_to_sign: For signature errors, the server's string-to-sign.
        headers: The response headers (lower-case names).
        access_denied_detail: For a RAM permission denial, the gateway's
            AccessDeniedDetail (``AuthAction``, ``PolicyType``, ``NoPermissionType``,
            ``AuthPrincipalType``...); empty otherwise.
    """

    code: str
    request_id: str
    http_status: int
    action: str
    host_id: str
    recommend: str
    retry_after: float | None
    server_string_to_sign: str | None
    headers: Mapping[str, str]
    access_denied_detail: Mapping[str, str]

    def __init__(
        self,
        message: str,
        *,
        code: str,
        request_id: str = "",
        http_status: int = 0,
        action: str = "",
        host_id: str = "",
        recommend: str = "",
        retry_after: float | None = None,
        server_string_to_sign: str | None = None,
        headers: Mapping[str, str] | None = None,
        access_denied_detail: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.request_id = request_id
        self.http_status = http_status
        self.action = action
        self.host_id = host_id
        self.recommend = recommend
        self.retry_after = retry_after
        self.server_string_to_sign = server_string_to_sign
        self.headers = dict(headers or {})
        self.access_denied_detail = dict(access_denied_detail or {})

    def __str__(self) -> str:
        text = f"{self.code}: {self.message}" if self.message else self.code
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text


class InvalidRequestError(ApiError):
    """The request's parameters were rejected (400, InvalidParameter, Missing*)."""


class AuthenticationError(ApiError):
    """The signature, access key, token or timestamp was not accepted."""


class PermissionDeniedError(ApiError):
    """The caller may not do this (403, AccessDenied, Forbidden.*)."""


class NotFoundError(ApiError):
    """The space, function, task or other resource does not exist (404, *.NotFound)."""


class ConflictError(ApiError):
    """The resource already exists or is in the wrong state (409, *.AlreadyExists)."""


class ThrottlingError(ApiError):
    """The call was throttled (Throttling*, 429); safe to retry after a pause."""

    @property
    def is_retry_safe(self) -> bool:
        """Throttled calls are worth another try after a pause."""
        return True

    @property
    def is_unexecuted(self) -> bool:
        """The gateway refuses a throttled call before it reaches the service."""
        return True


class ServiceError(ApiError):
    """The service failed (5xx, InternalError, ServiceUnavailable)."""

    @property
    def is_retry_safe(self) -> bool:
        """A transient server failure; whether the call took effect is unknown."""
        return True


class WaiterError(MpslsError):
    """A waiter reached a failure state or ran out of polls.

    Attributes:
        waiter: The waiter's name.
        reason: What happened.
        last_response: The last response polled.
    """

    waiter: str
    reason: str
    last_response: object

    def __init__(self, *, waiter: str, reason: str, last_response: object) -> None:
        super().__init__(f"wait_{waiter}: {reason}")
        self.waiter = waiter
        self.reason = reason
        self.last_response = last_response


class WorkflowError(MpslsError):
    """A workflow step failed.

    Attributes:
        step: The step that failed.
        failures: The errors of the parallel tasks that failed.
    """

    step: str
    failures: tuple[BaseException, ...]

    def __init__(
        self, message: str, *, step: str, failures: tuple[BaseException, ...] = ()
    ) -> None:
        super().__init__(message)
        self.step = step
        self.failures = tuple(failures)

    def __str__(self) -> str:
        count = len(self.failures)
        if count == 0:
            return self.message
        return f"{self.message} ({count} failure{'s' if count > 1 else ''})"


CATEGORY_CLASSES: Mapping[str, type[ApiError]] = {
    "invalid_request": InvalidRequestError,
    "authentication": AuthenticationError,
    "permission": PermissionDeniedError,
    "not_found": NotFoundError,
    "conflict": ConflictError,
    "throttling": ThrottlingError,
    "service": ServiceError,
}
"""The exception class of each error category of ``_core.error_codes``."""
