"""Range downloads of the OSS side: which bytes a GetObject ``Range`` header asks for.

As OSS documents it (help.aliyun.com, "HTTP Range requests" and "HTTP status code
416"): one range ``bytes=first-last``, ``bytes=first-`` or ``bytes=-suffix`` within
the object gets 206 with ``Content-Range``. By default OSS ignores a range it cannot
serve (malformed, or reaching past the end) and sends the whole object with 200. With
the header ``x-oss-range-behavior: standard`` a range whose end passes the object's
end is cut to it, and one that starts past the end is ``416 InvalidRange``. More than
one range is ``416 InvalidRange`` either way. A suffix longer than the object counts
as reaching past its end.
"""

from __future__ import annotations

import re
from typing import Final

from aiompsls._core.oss import Denial

__all__ = ["invalid_range", "requested_span"]

_SINGLE: Final = re.compile(r"bytes=(\d*)-(\d*)")


def invalid_range(size: int) -> Denial:
    """416 ``InvalidRange``."""
    return Denial(
        status=416,
        code="InvalidRange",
        message="The requested range cannot be satisfied",
        details=(("ActualObjectSize", str(size)),),
    )


def requested_span(
    header: str | None, size: int, *, standard: bool
) -> tuple[int, int] | None:
    """The first and last byte ``header`` asks for; None for the whole object.

    Raises:
        ValueError: The range cannot be satisfied (answer :func:`invalid_range`).
    """
    if not header:
        return None
    spec = header.strip().replace(" ", "")
    if "," in spec:
        raise ValueError("OSS serves one range per request")
    match = _SINGLE.fullmatch(spec)
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.group(1), match.group(2)
    if first == "":  # the last ``last`` bytes
        suffix = int(last)
        if suffix == 0 or size == 0 or (suffix > size and not standard):
            return None
        return max(size - suffix, 0), size - 1
    start = int(first)
    if start >= size:
        if standard:
            raise ValueError("the range starts past the end of the object")
        return None
    end = size - 1 if last == "" else int(last)
    if start > end:
        return None
    if end >= size and not standard:
        return None
    return start, min(end, size - 1)
