"""The async drivers behind the generated paginators and waiters.

They loop over the pure state machines of ``aiompsls._core.paging`` and
``aiompsls._core.waiting``; all timing goes through ``anyio.sleep``, so polling never
blocks the event loop and callers bound it with ``anyio.fail_after``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, TypeVar

import anyio

from aiompsls._core.operations import PAGINATORS
from aiompsls._core.paging import first_request, next_request, page_items
from aiompsls._core.schema import PaginatorSpec, WaiterSpec
from aiompsls._core.waiting import (
    WaitPolicy,
    default_policy,
    delays,
    describe,
    evaluate,
)
from aiompsls.client import Client
from aiompsls.errors import WaiterError
from aiompsls.models._base import Request, ResponseT

ItemT = TypeVar("ItemT")

__all__ = ["items", "pages", "wait"]


async def pages(
    client: Client, request: Request[ResponseT], /
) -> AsyncIterator[ResponseT]:
    """Yield every page of a paged List action, starting from ``request``.

    Raises:
        KeyError: the request's action has no paginator.
    """
    spec = PAGINATORS[request.ACTION]
    current: Request[ResponseT] | None = first_request(spec, request)
    seen = 0
    while current is not None:
        response = await client.invoke(current)
        seen += len(page_items(spec, response))
        yield response
        current = next_request(spec, current, response, seen=seen)


async def items(
    client: Client,
    request: Request[Any],
    spec: PaginatorSpec,
    item_type: type[ItemT],
) -> AsyncIterator[ItemT]:
    """Yield the items of every page, one request per page, as iteration goes on."""
    del item_type  # only there to type the result
    async for response in pages(client, first_request(spec, request)):
        for item in page_items(spec, response):
            yield item


async def wait(
    client: Client,
    spec: WaiterSpec,
    request: Request[ResponseT],
    *,
    key: str | None = None,
    policy: WaitPolicy | None = None,
) -> ResponseT:
    """Poll until an acceptor of ``spec`` matches; see the generated ``wait_*``."""
    policy = policy or default_policy(spec)
    pauses = delays(policy)
    while True:
        response = await client.invoke(request)
        state = evaluate(spec, response, key=key)
        if state == "success":
            return response
        if state == "failure":
            reason = f"failure state reached: {describe(spec, response, key=key)}"
            raise WaiterError(waiter=spec.name, reason=reason, last_response=response)
        pause = next(pauses, None)
        if pause is None:
            reason = (
                f"gave up after {policy.max_attempts} polls; last: "
                f"{describe(spec, response, key=key)}"
            )
            raise WaiterError(waiter=spec.name, reason=reason, last_response=response)
        await anyio.sleep(pause)
