"""Read an error answer into the exception it stands for.

Imports: stdlib and ``aiompsls.errors``. The gateway answers errors with a JSON (or, for
``Format=XML``, an XML) envelope ``{"RequestId", "HostId", "Code", "Message",
"Recommend"}`` and a 4xx/5xx status (research/errors_and_oss.md §A). The code picks the
category; unknown codes fall back to rules on the code's shape, then to the status.
Anything that is not an envelope (a proxy's HTML 502, an empty body) is a
``ResponseError``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

from aiompsls._core.error_codes import ERROR_CATEGORIES
from aiompsls._core.http import HttpResponse
from aiompsls._core.signing import percent_encode
from aiompsls.errors import CATEGORY_CLASSES, ApiError, ResponseError

__all__ = ["category_of", "error_from_response", "redact", "retry_after_seconds"]

_STS_MARK = "server string to sign is:"
_ID = "x-acs-request-id"
_STATUS_CATEGORIES = {
    400: "invalid_request",
    401: "authentication",
    403: "permission",
    404: "not_found",
    409: "conflict",
    429: "throttling",
}
_SHAPE_RULES = (
    (re.compile(r"\.NotFound$|NotExist"), "not_found"),
    (re.compile(r"^Throttling"), "throttling"),
    (re.compile(r"AlreadyExist|\.Duplicate|Conflict"), "conflict"),
    (re.compile(r"^(Forbidden|AccessDenied)"), "permission"),
    (re.compile(r"^(Invalid|Missing)"), "invalid_request"),
)


def category_of(code: str, status: int) -> str | None:
    """The error category of a vendor code, or of the status when the code is new."""
    if code in ERROR_CATEGORIES:
        return ERROR_CATEGORIES[code]
    for pattern, category in _SHAPE_RULES:
        if pattern.search(code):
            return category
    if status >= 500:
        return "service"
    return _STATUS_CATEGORIES.get(status)


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every secret, raw or percent-encoded (once or twice), as ``***``.

    A gateway's SignatureDoesNotMatch message echoes its string-to-sign, which holds
    the request's parameters, the STS ``SecurityToken`` among them.
    """
    for secret in secrets:
        once = percent_encode(secret)
        for form in (secret, once, percent_encode(once)):
            text = text.replace(form, "***")
    return text


def error_from_response(
    response: HttpResponse,
    *,
    action: str,
    now: float,
    secrets: tuple[str, ...] = (),
) -> ApiError | ResponseError:
    """The exception for a non-2xx answer; ``now`` (epoch seconds) reads HTTP dates.

    Every string in ``secrets`` is masked wherever the answer echoes it.
    """
    envelope = _envelope(redact(response.body.decode("utf-8", "replace"), secrets))
    code = envelope.get("Code") if envelope else None
    if envelope is None or not code:
        return ResponseError(
            message=f"{action} failed with an unreadable answer",
            http_status=response.status,
            body=redact(response.body.decode("utf-8", "replace"), secrets).encode(),
            action=action,
        )
    category = category_of(code, response.status)
    cls = CATEGORY_CLASSES.get(category, ApiError) if category else ApiError
    message = envelope.get("Message", "")
    return cls(
        message,
        code=code,
        request_id=envelope.get("RequestId")
        or response.headers.get("x-acs-request-id", ""),
        http_status=response.status,
        action=action,
        host_id=envelope.get("HostId", ""),
        recommend=envelope.get("Recommend", ""),
        retry_after=retry_after_seconds(response.headers, now=now),
        server_string_to_sign=_server_string_to_sign(message),
        headers=response.headers,
    )


def _envelope(body: str) -> dict[str, str] | None:
    text = body.strip()
    if text.startswith("{"):
        return _json_envelope(text)
    if text.startswith("<"):
        return _xml_envelope(text)
    return None


def _json_envelope(text: str) -> dict[str, str] | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    # tea-openapi also reads lower-case keys (research/errors_and_oss.md §A.1).
    out: dict[str, str] = {}
    for key in ("RequestId", "HostId", "Code", "Message", "Recommend"):
        value = data.get(key, data.get(key[0].lower() + key[1:]))
        if isinstance(value, str | int | float):
            out[key] = str(value)
    return out


def _xml_envelope(text: str) -> dict[str, str] | None:
    # No entity expansion: a DOCTYPE is refused before parsing.
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        return None
    try:
        root = ElementTree.fromstring(text)  # noqa: S314 - DOCTYPE refused above
    except ElementTree.ParseError:
        return None
    if root.tag != "Error":
        return None
    keys = ("RequestId", "HostId", "Code", "Message", "Recommend")
    return {
        k: (root.findtext(k) or "").strip() for k in keys if root.find(k) is not None
    }


def _server_string_to_sign(message: str) -> str | None:
    head, mark, tail = message.partition(_STS_MARK)
    return tail if mark and head else None


def retry_after_seconds(headers: Mapping[str, str], *, now: float) -> float | None:
    """The pause the server asked for: ``x-acs-retry-after`` (ms) or ``Retry-After``."""
    acs = headers.get("x-acs-retry-after", "").strip()
    if acs.isdigit() and int(acs) > 0:
        return int(acs) / 1000
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.replace(".", "", 1).isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:  # HTTP dates are GMT even when they do not say so
        moment = moment.replace(tzinfo=UTC)
    return max(moment.timestamp() - now, 0.0)
