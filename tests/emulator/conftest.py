"""Fixtures that drive emulator handlers directly: fresh state and context per test."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import anyio
import pytest

import aiompsls.emulator.handlers  # noqa: F401  (registers every handler)
from aiompsls import models as m
from aiompsls.emulator._registry import HANDLERS, Context, EmulatedError
from aiompsls.emulator.state import EmulatorState

HANDLER_NOW = datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)
HANDLER_BASE_URL = "http://127.0.0.1:8765"

Call = Callable[[Any], Any]
AsyncCall = Callable[[Any], Awaitable[Any]]
Fails = Callable[[Any, str, int], EmulatedError]


@pytest.fixture
def ctx() -> Iterator[Context]:
    """A context over a fresh EmulatorState at a fixed time (and its own runtime)."""
    context = Context(
        state=EmulatorState(),
        request_id="0F2B5A1C-1111-4222-8333-944455556666",
        now=HANDLER_NOW,
        base_url=HANDLER_BASE_URL,
        access_key_id="test-access-key",
    )
    yield context
    context.runtime.close()


@pytest.fixture
def state(ctx: Context) -> EmulatorState:
    """The fresh state behind ``ctx``."""
    assert isinstance(ctx.state, EmulatorState)
    return ctx.state


async def _settled(answer: Any) -> Any:
    return await answer


@pytest.fixture
def call(ctx: Context) -> Call:
    """Run a request through the registry's handler of its action.

    An ``async`` handler's answer is awaited in an event loop of its own, so use this
    from synchronous tests only; ``acall`` is the one for ``async`` tests.
    """

    def run(request: Any) -> Any:
        response: Any = HANDLERS[request.ACTION](ctx, request)
        if inspect.isawaitable(response):
            response = anyio.run(_settled, response)
        assert response.request_id == ctx.request_id
        return response

    return run


@pytest.fixture
def acall(ctx: Context) -> AsyncCall:
    """Run a request through its handler from an ``async`` test, awaiting it."""

    async def run(request: Any) -> Any:
        response: Any = HANDLERS[request.ACTION](ctx, request)
        if inspect.isawaitable(response):
            response = await response
        assert response.request_id == ctx.request_id
        return response

    return run


@pytest.fixture
def fails(call: Call) -> Fails:
    """Run a request that must fail; return the EmulatedError after checking it."""

    def run(request: Any, code: str, status: int) -> EmulatedError:
        with pytest.raises(EmulatedError) as info:
            call(request)
        assert (info.value.code, info.value.status) == (code, status)
        return info.value

    return run


@pytest.fixture
def space_id(call: Call) -> str:
    """The id of a freshly created space."""
    space: str = call(m.CreateSpaceRequest(name="demo", desc="test space")).space_id
    return space
