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
from urllib.parse import quote_plus
from xml.etree import ElementTree

import attrs

from aiompsls._core.error_codes import ERROR_CATEGORIES
from aiompsls._core.http import HttpResponse
from aiompsls._core.signing import percent_encode
from aiompsls.errors import CATEGORY_CLASSES, ApiError, ResponseError

__all__ = ["category_of", "error_from_response", "redact", "retry_after_seconds"]

_FIELDS = ("RequestId", "HostId", "Code", "Message", "Recommend")
_STS_MARK = "server string to sign is:"
_REQUEST_ID = "x-acs-request-id"
_STATUS_CATEGORIES = {
    400: "invalid_request",
    401: "authentication",
    403: "permission",
    404: "not_found",
    409: "conflict",
    429: "throttling",
}
# First match wins; exact codes from ERROR_CATEGORIES come before all of these.
_SHAPE_RULES = (
    (re.compile(r"Signature|AccessKey|SecurityToken"), "authentication"),
    (re.compile(r"\.NotFound$|NotExist"), "not_found"),
    (re.compile(r"^Throttling"), "throttling"),
    (re.compile(r"AlreadyExist|\.Duplicate|Conflict"), "conflict"),
    (re.compile(r"^(?:Forbidden|AccessDenied)"), "permission"),
)
# Invalid<Param>/Missing<Param> only names the parameter at fault; a mapped status
# says more (uniCloud's InvalidSpace.Deleted is a 404), so this rule comes last.
_PARAMETER_RULE = re.compile(r"^(?:Invalid|Missing)")
# ASCII digits only (str.isdigit() accepts "²"), and few enough to stay finite.
_SECONDS = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,9})?")
_MILLIS = re.compile(r"[0-9]{1,15}")


def category_of(code: str, status: int) -> str | None:
    """The error category of a vendor code, or of the status when the code is new.

    The order: the exact code (``_core.error_codes``), then the code's shape
    (``*Signature*``/``*AccessKey*``/``*SecurityToken*``, ``*.NotFound``/``*NotExist*``,
    ``Throttling*``, ``*AlreadyExist*``/``*.Duplicate*``/``*Conflict*``,
    ``Forbidden*``/``AccessDenied*``), then the status (5xx, 400, 401, 403, 404, 409,
    429), and last ``Invalid*``/``Missing*``.

    Args:
        code: The vendor's error code.
        status: The HTTP status of the answer.

    Returns:
        One of the keys of ``aiompsls.errors.CATEGORY_CLASSES``, or None when
        neither the code nor the status says.
    """
    if code in ERROR_CATEGORIES:
        return ERROR_CATEGORIES[code]
    for pattern, category in _SHAPE_RULES:
        if pattern.search(code):
            return category
    if 500 <= status <= 599:
        return "service"
    if status in _STATUS_CATEGORIES:
        return _STATUS_CATEGORIES[status]
    return "invalid_request" if _PARAMETER_RULE.match(code) else None


def error_from_response(
    response: HttpResponse,
    *,
    action: str,
    now: float,
    secrets: tuple[str, ...] = (),
) -> ApiError | ResponseError:
    """The exception for a non-2xx answer.

    Args:
        response: The answer.
        action: The action that was called.
        now: The current time (epoch seconds), to read an HTTP-date ``Retry-After``.
        secrets: Strings masked as ``***`` wherever the answer echoes them.

    Returns:
        An ``ApiError`` subclass for an error envelope with a code; otherwise a
        ``ResponseError`` that says why the answer could not be read.
    """
    envelope = _read_envelope(response.body.decode("utf-8", "replace"))
    fields = {key: redact(value, secrets) for key, value in envelope.fields.items()}
    problem = envelope.problem
    request_id = fields.get("RequestId") or response.headers.get(_REQUEST_ID, "")
    retry_after = retry_after_seconds(response.headers, now=now)
    code = fields.get("Code", "")
    if not code:
        return ResponseError(
            f"the {action} error response cannot be read",
            http_status=response.status,
            body=_redact_bytes(response.body, secrets),
            problems=(problem or "the error envelope has no Code",),
            action=action,
            request_id=request_id,
            retry_after=retry_after,
        )
    message = fields.get("Message", "")
    cls = CATEGORY_CLASSES.get(category_of(code, response.status) or "", ApiError)
    return cls(
        message,
        code=code,
        request_id=request_id,
        http_status=response.status,
        action=action,
        host_id=fields.get("HostId", ""),
        recommend=fields.get("Recommend", ""),
        retry_after=retry_after,
        server_string_to_sign=_server_string_to_sign(message),
        headers=response.headers,
        access_denied_detail={
            key: redact(value, secrets) for key, value in envelope.detail.items()
        },
    )


@attrs.frozen
class _Envelope:
    """An error body read: its fields, its AccessDeniedDetail, or why it is none."""

    fields: dict[str, str] = attrs.Factory(dict)
    detail: dict[str, str] = attrs.Factory(dict)
    problem: str = ""


def _read_envelope(text: str) -> _Envelope:
    """The envelope in ``text``, or no fields and why ``text`` is no envelope."""
    body = text.lstrip("\ufeff").strip()
    if body.startswith("{"):
        return _json_envelope(body)
    if body.startswith("<"):
        return _xml_envelope(body)
    if not body:
        return _Envelope(problem="the body is empty")
    return _Envelope(problem="the body is neither a JSON object nor XML")


def _json_envelope(text: str) -> _Envelope:
    try:
        data: dict[str, object] = json.loads(text)
    except (ValueError, RecursionError):
        return _Envelope(problem="the body is not valid JSON")
    fields = {key: value for key in _FIELDS if (value := _json_text(data, key))}
    return _Envelope(fields=fields, detail=_json_detail(data))


def _json_text(data: Mapping[str, object], key: str) -> str:
    """The text of ``key`` (tea-openapi also reads it lower-camel-cased, §A.1)."""
    value = data.get(key, data.get(key[0].lower() + key[1:]))
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value).strip()


def _json_detail(data: Mapping[str, object]) -> dict[str, str]:
    """AccessDeniedDetail: an object, or an object as a JSON string; else nothing."""
    detail = data.get("AccessDeniedDetail", data.get("accessDeniedDetail"))
    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except (ValueError, RecursionError):
            return {}
    if not isinstance(detail, dict):
        return {}
    return {
        str(key): str(value)
        for key, value in detail.items()
        if isinstance(value, str | int | float) and not isinstance(value, bool)
    }


def _xml_envelope(text: str) -> _Envelope:
    # Entities can only be declared in a DOCTYPE: refusing it refuses expansion.
    if "<!DOCTYPE" in text.upper():
        return _Envelope(problem="XML with a DOCTYPE is refused")
    try:
        root = ElementTree.fromstring(text)  # noqa: S314 - no DOCTYPE, see above
    except ElementTree.ParseError:
        return _Envelope(problem="the body is not well-formed XML")
    if root.tag != "Error":
        return _Envelope(problem=f"the XML root is <{root.tag[:40]}>, not <Error>")
    present = (key for key in _FIELDS if root.find(key) is not None)
    fields = {key: (root.findtext(key) or "").strip() for key in present}
    detail = root.find("AccessDeniedDetail")
    items = [] if detail is None else list(detail)
    return _Envelope(
        fields=fields, detail={item.tag: (item.text or "").strip() for item in items}
    )


def _server_string_to_sign(message: str) -> str | None:
    _, mark, tail = message.partition(_STS_MARK)
    return tail if mark else None


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every secret, raw or percent-encoded (once or twice), as ``***``.

    A gateway's SignatureDoesNotMatch message echoes its string-to-sign, which holds
    the request's parameters, the STS ``SecurityToken`` among them. Empty strings in
    ``secrets`` are ignored.
    """
    for form in _secret_forms(secrets):
        text = text.replace(form, "***")
    return text


def _redact_bytes(body: bytes, secrets: tuple[str, ...]) -> bytes:
    for form in _secret_forms(secrets):
        body = body.replace(form.encode(), b"***")
    return body


def _secret_forms(secrets: tuple[str, ...]) -> list[str]:
    forms: set[str] = set()
    for secret in filter(None, secrets):
        once = percent_encode(secret)
        forms.update((secret, once, percent_encode(once), quote_plus(secret)))
    # Longest first, so no form is half-masked by a shorter one inside it.
    return sorted(forms, key=lambda form: (-len(form), form))


def retry_after_seconds(headers: Mapping[str, str], *, now: float) -> float | None:
    """The pause the server asked for, in seconds, or None when it did not say.

    ``x-acs-retry-after`` (milliseconds, as tea-openapi 0.4 reads it) wins over
    ``Retry-After`` (seconds or an HTTP-date, RFC 9110 §10.2.3). Malformed values
    are ignored, never fatal.

    Args:
        headers: Response headers with lower-case names.
        now: The current time (epoch seconds), to turn an HTTP-date into a pause.
    """
    millis = headers.get("x-acs-retry-after", "").strip()
    if _MILLIS.fullmatch(millis) and int(millis) > 0:
        return int(millis) / 1000
    value = headers.get("retry-after", "").strip()
    if _SECONDS.fullmatch(value):
        return float(value)
    return _seconds_until(value, now=now) if value else None


def _seconds_until(http_date: str, *, now: float) -> float | None:
    try:
        moment = parsedate_to_datetime(http_date)
        if moment.tzinfo is None:  # HTTP dates are GMT even when they do not say so
            moment = moment.replace(tzinfo=UTC)
        return max(moment.timestamp() - now, 0.0)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
