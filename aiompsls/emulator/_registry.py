"""The handler registry of the emulator: one function per action.

A handler takes the call's :class:`Context` and the decoded request model and returns
the response model (or an awaitable of it: ``async def`` handlers, such as
RunFunction's, are awaited by the application), or raises :class:`EmulatedError`.
Handlers register with ``@handles(<Action>Request)``; ``aiompsls.emulator.handlers``
imports every group.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Literal, TypeVar

import attrs

from aiompsls.emulator.runtime import FunctionRuntime
from aiompsls.models._base import Request, Response

RequestT = TypeVar("RequestT", bound=Request[Any])
Answer = Response | Awaitable[Response]
Handler = Callable[["Context", Any], Answer]
HANDLERS: dict[str, Handler] = {}


class EmulatedError(Exception):
    """A service-style error answer: ``code``, ``message`` and the HTTP status."""

    def __init__(self, code: str, message: str, *, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@attrs.frozen(kw_only=True)
class TaskAdvance:
    """How database tasks move through their statuses.

    Attributes:
        mode: ``"poll"``: one step per status query (the default); ``"time"``: one
            step every ``step_seconds`` of the emulator clock since the first query.
        step_seconds: The time per step in ``"time"`` mode.
    """

    mode: Literal["poll", "time"] = "poll"
    step_seconds: float = 1.0


@attrs.define(kw_only=True)
class Context:
    """What a handler knows about the call besides its parameters.

    Attributes:
        state: The emulator's state (an ``EmulatorState``).
        request_id: The RequestId this answer carries.
        now: The emulator clock's current time (UTC, aware).
        base_url: The emulator's own base URL, for URLs it hands out.
        access_key_id: The caller's access key id.
        runtime: Runs deployed functions (the gateway's, shared by every call).
        task_advance: How database tasks move through their statuses.
    """

    state: Any
    request_id: str
    now: datetime
    base_url: str
    access_key_id: str
    runtime: FunctionRuntime = attrs.Factory(FunctionRuntime)
    task_advance: TaskAdvance = attrs.Factory(TaskAdvance)


def handles(
    request_type: type[RequestT],
) -> Callable[[Callable[[Context, RequestT], Answer]], Handler]:
    """Register the decorated function as the handler of ``request_type``'s action."""

    def register(func: Callable[[Context, RequestT], Answer]) -> Handler:
        if request_type.ACTION in HANDLERS:
            raise RuntimeError(f"two handlers for {request_type.ACTION}")
        HANDLERS[request_type.ACTION] = func
        return func

    return register
