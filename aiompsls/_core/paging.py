"""The pagination state machine: which request fetches the next page, if any.

Imports: stdlib, attrs and the schema. Two styles exist in this API: page numbers
(``PageNum``/``PageNumber`` with ``PageSize``; ListSpace counts from 0, the others from
1) and markers (ListWebHostingFiles: ``Marker`` in, ``Data.NextMarker`` out).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import attrs

from aiompsls._core.schema import PaginatorSpec

RequestT = TypeVar("RequestT")


def get_path(value: object, path: Sequence[str]) -> object:
    """Follow attribute names from ``value``; None as soon as a step is missing."""
    for name in path:
        if value is None:
            return None
        value = getattr(value, name, None)
    return value


def first_request(spec: PaginatorSpec, request: RequestT) -> RequestT:
    """The request of the first page: the caller's, with the page number filled in."""
    if spec.page_param is not None and getattr(request, spec.page_param) is None:
        return _evolve(request, spec.page_param, spec.first_page)
    return request


def page_items(spec: PaginatorSpec, response: object) -> tuple[Any, ...]:
    """The items of one page (empty when the page has none)."""
    items = get_path(response, spec.items)
    return tuple(items) if isinstance(items, tuple | list) else ()


def next_request(
    spec: PaginatorSpec, request: RequestT, response: object, *, seen: int
) -> RequestT | None:
    """The request of the page after ``response``, or None when it was the last.

    ``seen`` counts the items of every page so far, this one included.
    """
    if spec.style == "marker":
        return _next_marker(spec, request, response)
    items = page_items(spec, response)
    total = get_path(response, spec.total or ())
    size = getattr(request, spec.size_param or "", None)
    if not items or (isinstance(total, int) and seen >= total):
        return None
    if isinstance(size, int) and len(items) < size:
        return None
    page = getattr(request, spec.page_param or "")
    return _evolve(request, spec.page_param or "", int(page) + 1)


def _next_marker(
    spec: PaginatorSpec, request: RequestT, response: object
) -> RequestT | None:
    marker = get_path(response, spec.next_marker or ())
    current = getattr(request, spec.marker_param or "")
    # An empty or repeated marker ends the walk: a service bug must not loop forever.
    if not isinstance(marker, str) or not marker or marker == current:
        return None
    return _evolve(request, spec.marker_param or "", marker)


def _evolve(request: RequestT, name: str, value: object) -> RequestT:
    return attrs.evolve(request, **{name: value})  # type: ignore[misc]
