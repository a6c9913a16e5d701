"""HTTP value objects exchanged between the pure core and the transport.

The core builds :class:`HttpRequest` values and reads :class:`HttpResponse` values; only
``aiompsls._transport`` (client side) and ``aiompsls.emulator`` (server side) turn them
into sockets. Imports: stdlib and attrs only.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs


def _headers(value: Mapping[str, str]) -> Mapping[str, str]:
    return {k.lower(): v for k, v in value.items()}


@attrs.frozen(kw_only=True)
class HttpRequest:
    """A fully signed request, ready to be sent as is.

    Header names are stored lower-cased; ``url`` carries the query string.
    """

    method: str
    url: str
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=_headers)
    body: bytes = b""


@attrs.frozen(kw_only=True)
class HttpResponse:
    """A received response: status, lower-cased headers and the whole body."""

    status: int
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=_headers)
    body: bytes = b""
