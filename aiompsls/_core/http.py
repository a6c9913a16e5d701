"""HTTP value objects exchanged between the pure core and the transport.

The core builds :class:`HttpRequest` values and reads :class:`HttpResponse` values; only
``aiompsls._transport`` (client side) and ``aiompsls.emulator`` (server side) turn them
into sockets. Imports: stdlib and attrs only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs


def _headers(value: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in value.items()}


class _LowerCased(Mapping[str, str]):
    """Headers that never change, their names lower-cased on first use.

    Most answers are decoded without a look at their headers, so the copy is made
    only if someone reads them. A copy pickles as a plain dict.
    """

    __slots__ = ("_given", "_lowered")

    def __init__(self, given: Mapping[str, str]) -> None:
        self._given = given
        self._lowered: dict[str, str] | None = None

    def _lower(self) -> dict[str, str]:
        if self._lowered is None:
            self._lowered = _headers(self._given)
        return self._lowered

    def __getitem__(self, name: str) -> str:
        return self._lower()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._lower())

    def __len__(self) -> int:
        return len(self._lower())

    def __repr__(self) -> str:
        return repr(self._lower())

    def __reduce__(self) -> tuple[Any, ...]:
        return dict, (self._lower(),)


def _response_headers(value: Mapping[str, str]) -> Mapping[str, str]:
    return value if type(value) is _LowerCased else _headers(value)


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
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=_response_headers)
    body: bytes = b""

    @classmethod
    def received(
        cls, *, status: int, headers: Mapping[str, str], body: bytes
    ) -> HttpResponse:
        """A response over headers that never change, such as aiohttp's.

        The headers are not copied: their names are lower-cased when first read.
        The constructor copies them at once, as a mapping may change later.
        """
        return cls(status=status, headers=_LowerCased(headers), body=body)
