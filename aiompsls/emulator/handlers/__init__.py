"""Every action's handler: importing this package registers them all in ``HANDLERS``.

One module per API group (function, DB and web hosting are split in two or three).
:func:`dispatch` runs the handler of a decoded request.
"""

from __future__ import annotations

from typing import Any

from aiompsls.emulator._registry import HANDLERS, Answer, Context, EmulatedError
from aiompsls.emulator.handlers import (
    cors,
    db,
    db_tasks,
    extension,
    file,
    function,
    function_runtime,
    httptrigger,
    openplatform,
    policy,
    space,
    usage,
    webhosting,
    webhosting_domains,
    webhosting_files,
)
from aiompsls.models._base import Request

__all__ = [
    "GROUP_MODULES",
    "dispatch",
]

GROUP_MODULES = (
    space,
    function,
    function_runtime,
    db,
    db_tasks,
    file,
    policy,
    extension,
    openplatform,
    cors,
    httptrigger,
    webhosting,
    webhosting_domains,
    webhosting_files,
    usage,
)


def dispatch(ctx: Context, request: Request[Any]) -> Answer:
    """Run the handler registered for ``request``'s action.

    Returns:
        The response, or an awaitable of it when the handler is ``async``.
    """
    handler = HANDLERS.get(request.ACTION)
    if handler is None:
        raise EmulatedError(
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
            status=404,
        )
    return handler(ctx, request)
