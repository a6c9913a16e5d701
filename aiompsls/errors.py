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


class MpslsError(Exception):
    """The root of every aiompsls exception."""

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self._fields = fields
        for name, value in fields.items():
            setattr(self, name, value)

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only state does not survive the default exception pickling.
        return (_rebuild, (type(self), self.message, self._fields))

    @property
    def is_retry_safe(self) -> bool:
        """Whether repeating the same call may succeed and cannot do harm twice."""
        return False

    @property
    def is_unexecuted(self) -> bool:
        """True only when the call provably did not take effect on the server."""
        return False


def _rebuild(cls: type[MpslsError], message: str, fields: dict[str, Any]) -> MpslsError:
    error = cls.__new__(cls)
    MpslsError.__init__(error, message, **fields)
    return error


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
        super().__init__(message, is_request_sent=is_request_sent)

    @property
    def is_retry_safe(self) -> bool:
        """Transport failures are transient by nature."""
        return True

    @property
    def is_unexecuted(self) -> bool:
        """A request that never left cannot have taken effect."""
        return not self.is_request_sent


class TransportTimeoutError(TransportError):
    """A connect, read or total timeout of the client configuration expired."""


class ResponseError(MpslsError):
    """A response that cannot be interpreted: not JSON, or not the documented shape.

    Attributes:
        http_status: The HTTP status of the answer.
        body: The raw body (shown truncated in the message).
        problems: What did not match, one line each.
        action: The action called.
    """

    http_status: int
    body: bytes
    problems: tuple[str, ...]
    action: str

    def __init__(
        self,
        message: str,
        *,
        http_status: int,
        body: bytes = b"",
        problems: tuple[str, ...] = (),
        action: str = "",
    ) -> None:
        super().__init__(
            message,
            http_status=http_status,
            body=body,
            problems=problems,
            action=action,
        )

    def __str__(self) -> str:
        text = f"{self.message} (HTTP {self.http_status})"
        if self.problems:
            text += ": " + "; ".join(self.problems[:5])
        elif self.body:
            text += f": {self.body[:200]!r}"
        return text

    @property
    def is_retry_safe(self) -> bool:
        """An unreadable 5xx or 429 (a proxy's HTML page) is worth another try."""
        return self.http_status >= 500 or self.http_status == 429


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
    ) -> None:
        super().__init__(
            message,
            code=code,
            request_id=request_id,
            http_status=http_status,
            action=action,
            host_id=host_id,
            recommend=recommend,
            retry_after=retry_after,
            server_string_to_sign=server_string_to_sign,
            headers=dict(headers or {}),
        )

    def __str__(self) -> str:
        text = f"{self.code}: {self.message}"
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
        super().__init__(
            f"wait_{waiter}: {reason}",
            waiter=waiter,
            reason=reason,
            last_response=last_response,
        )


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
        super().__init__(message, step=step, failures=failures)


CATEGORY_CLASSES: Mapping[str, type[ApiError]] = {
    "invalid_request": InvalidRequestError,
    "authentication": AuthenticationError,
    "permission": PermissionDeniedError,
    "not_found": NotFoundError,
    "conflict": ConflictError,
    "throttling": ThrottlingError,
    "service": ServiceError,
}
