"""Answer bodies: JSON (the default) or XML (``Format=XML``), for successes and errors.

Shapes from research/errors_and_oss.md §A.1: a success is the response fields with
``RequestId``; an error is ``{"RequestId","HostId","Code","Message","Recommend"}``
(XML: ``<Error>`` with RequestId, HostId, Code and Message). Pure functions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final, Literal

import attrs

from aiompsls.emulator._registry import EmulatedError

Format = Literal["JSON", "XML"]
JSON_CONTENT_TYPE: Final = "application/json;charset=utf-8"
#: The content type the official SDK recognises as XML.
XML_CONTENT_TYPE: Final = "text/xml;charset=utf-8"
RECOMMEND_URL: Final = "https://api.aliyun.com/troubleshoot?q="
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


@attrs.frozen(kw_only=True)
class Rendered:
    """A rendered answer: HTTP status, content type and body bytes."""

    status: int
    content_type: str
    body: bytes


def requested_format(params: Mapping[str, str]) -> Format | None:
    """The answer format a request asks for: ``JSON`` by default, ``None`` if invalid.

    ``Format`` is matched case-insensitively (the official SDK sends ``json``).
    """
    value = params.get("Format", "JSON").upper()
    if value == "JSON":
        return "JSON"
    if value == "XML":
        return "XML"
    return None


def render_success(
    action: str, fields: Mapping[str, Any], *, request_id: str, fmt: Format
) -> Rendered:
    """Render a successful answer of ``action``; ``RequestId`` comes first.

    Args:
        action: The action name (the XML root is ``<ActionResponse>``).
        fields: The unstructured response model.
        request_id: The answer's RequestId (overrides one in ``fields``).
        fmt: JSON or XML.

    Returns:
        A 200 answer.
    """
    body = {
        "RequestId": request_id,
        **{k: v for k, v in fields.items() if k != "RequestId"},
    }
    return _render(200, f"{action}Response", body, fmt)


def error_body(
    error: EmulatedError, *, request_id: str, host_id: str
) -> dict[str, str]:
    """The JSON error envelope of ``error``.

    Args:
        error: The error to answer with.
        request_id: The answer's RequestId.
        host_id: The host the request was addressed to.

    Returns:
        ``RequestId``, ``HostId``, ``Code``, ``Message`` and ``Recommend``.
    """
    return {
        "RequestId": request_id,
        "HostId": host_id,
        "Code": error.code,
        "Message": error.message,
        "Recommend": RECOMMEND_URL + error.code,
    }


def render_error(
    error: EmulatedError, *, request_id: str, host_id: str, fmt: Format
) -> Rendered:
    """Render ``error`` with its own HTTP status.

    Args:
        error: The error to answer with.
        request_id: The answer's RequestId.
        host_id: The host the request was addressed to.
        fmt: JSON or XML (XML leaves ``Recommend`` out, as the gateway does).

    Returns:
        The error answer.
    """
    body = error_body(error, request_id=request_id, host_id=host_id)
    if fmt == "XML":
        del body["Recommend"]
    return _render(error.status, "Error", body, fmt)


def _render(status: int, root: str, body: Mapping[str, Any], fmt: Format) -> Rendered:
    if fmt == "XML":
        text = _XML_DECLARATION + to_xml(root, body)
        return Rendered(
            status=status, content_type=XML_CONTENT_TYPE, body=text.encode()
        )
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return Rendered(status=status, content_type=JSON_CONTENT_TYPE, body=data)


def to_xml(name: str, value: Any) -> str:
    """Serialise a JSON-shaped value as XML elements named ``name``.

    Objects nest, each list item repeats the element, booleans are ``true``/
    ``false``, ``None`` is left out, text is escaped.

    Args:
        name: The element name.
        value: A JSON-shaped value.

    Returns:
        The XML text (no declaration).
    """
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "".join(to_xml(name, item) for item in value)
    if isinstance(value, Mapping):
        inner = "".join(to_xml(str(key), item) for key, item in value.items())
    elif isinstance(value, bool):
        inner = "true" if value else "false"
    else:
        inner = _escape(str(value))
    return f"<{name}>{inner}</{name}>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
