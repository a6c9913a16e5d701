"""Helpers every handler group shares: lookups, service-style errors, paging, times.

The error helpers produce the codes the emulator answers with:
``Invalid<Thing>.NotFound`` (404), ``<Thing>.AlreadyExists`` (409) and
``InvalidParameter`` (400) naming the parameter.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Generic, TypeVar

import attrs

from aiompsls.emulator._registry import Context, EmulatedError
from aiompsls.emulator.state import EmulatorState, Space

T = TypeVar("T")
P = TypeVar("P")

OK = "OK"
HTTP_OK = "200"
SUCCESS = "success"


def state_of(ctx: Context) -> EmulatorState:
    """The emulator state a handler works on."""
    state = ctx.state
    if not isinstance(state, EmulatorState):
        raise TypeError(f"the context carries no EmulatorState: {state!r}")
    return state


def space_of(ctx: Context, space_id: str) -> Space:
    """The space a request names; ``InvalidSpaceId.NotFound`` when it does not exist."""
    return state_of(ctx).space(space_id)


def not_found(thing: str, label: str, value: str) -> EmulatedError:
    """``Invalid<thing>.NotFound`` (404): ``label`` names the kind in the message."""
    return EmulatedError(
        f"Invalid{thing}.NotFound",
        f"The specified {label} '{value}' does not exist.",
        status=404,
    )


def already_exists(thing: str, label: str, value: str) -> EmulatedError:
    """``<thing>.AlreadyExists`` (409) for a duplicate."""
    return EmulatedError(
        f"{thing}.AlreadyExists",
        f"The {label} '{value}' already exists.",
        status=409,
    )


def invalid_param(name: str, why: str) -> EmulatedError:
    """``InvalidParameter`` (400) for a parameter that breaks a semantic rule."""
    return EmulatedError(
        "InvalidParameter", f"Specified parameter {name} is not valid: {why}."
    )


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a list: its items and the numbers of the Paginator structs."""

    items: tuple[T, ...]
    page_num: int
    page_size: int
    total: int
    page_count: int

    def paginator(self, shape: Callable[..., P]) -> P:
        """This page's numbers as one of the generated ``...Paginator`` shapes."""
        return shape(
            page_count=self.page_count,
            page_num=self.page_num,
            page_size=self.page_size,
            total=self.total,
        )


def paginate(items: Sequence[T], page: int, size: int, *, first: int = 1) -> Page[T]:
    """The ``page``-th slice of ``size`` items; pages count from ``first``."""
    start = (page - first) * size
    chosen = tuple(items[start : start + size]) if start >= 0 else ()
    count = math.ceil(len(items) / size)
    return Page(
        items=chosen, page_num=page, page_size=size, total=len(items), page_count=count
    )


def now_ms(ctx: Context) -> int:
    """The call's time as epoch milliseconds."""
    return int(ctx.now.timestamp() * 1000)


def to_datetime(ms: int) -> datetime:
    """Epoch milliseconds as an aware UTC datetime."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def iso_ms(ms: int) -> str:
    """``2021-11-18T08:02:33.954Z``: ISO 8601 UTC with milliseconds."""
    moment = to_datetime(ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def iso_s(ms: int) -> str:
    """``2020-01-17T03:04:46Z``: ISO 8601 UTC to the second."""
    return to_datetime(ms).strftime("%Y-%m-%dT%H:%M:%SZ")


def split_list(value: str) -> list[str]:
    """A comma-separated parameter as its trimmed, non-empty items."""
    return [item.strip() for item in value.split(",") if item.strip()]
