"""Applies the fault plan to the RPC endpoint: an aiohttp middleware and its installer.

Order, for a request to the RPC endpoint while a plan is in force:

1. The call is read and verified as the endpoint will verify it (against a scratch
   nonce memory, so the endpoint's own check still sees the nonce first). A call
   the gateway would reject (bad signature, stale timestamp, unknown key, version or
   action, bad ``Format``) passes through untouched and gets its real error: faults
   only meet well-formed, authenticated calls, as a real gateway's throttling does.
2. The injector draws the decision (:class:`~.faults.FaultInjector`), and the added
   latency is awaited (``anyio.sleep``).
3. An error fault answers ``Throttling.User`` (400), ``ServiceUnavailable`` (503)
   or ``InternalError`` (500) in the gateway's envelope, and the action does not
   run; ``reset_before`` resets the connection without running the action;
   ``reset_after`` runs the action, then resets the connection instead of answering.

Other routes (``/_admin/``, OSS, hosting) never meet faults.
"""

from __future__ import annotations

import contextlib
import socket
import struct
from typing import Final

import anyio
import attrs
from aiohttp import web
from aiohttp.typedefs import Handler

from aiompsls._core.operations import OPERATIONS
from aiompsls.emulator._registry import EmulatedError
from aiompsls.emulator.app import GATEWAY, new_request_id, read_call, rpc_endpoint
from aiompsls.emulator.auth import NonceStore, verify
from aiompsls.emulator.faults import FaultDecision, FaultInjector, FaultKind, FaultPlan
from aiompsls.emulator.gateway import API_VERSION, GATEWAY_ERRORS
from aiompsls.emulator.render import Format, render_error, requested_format

__all__ = ["FAULTS", "FAULT_ERRORS", "fault_middleware", "install_faults"]

#: Where the application keeps its :class:`FaultInjector`.
FAULTS: web.AppKey[FaultInjector] = web.AppKey("aiompsls.faults", FaultInjector)

#: The error answer of each error fault: code, HTTP status and the gateway's message.
FAULT_ERRORS: Final[dict[FaultKind, tuple[str, int, str]]] = {
    "throttle": (
        "Throttling.User",
        400,
        "Request was denied due to user flow control.",
    ),
    "unavailable": (
        "ServiceUnavailable",
        503,
        "The request has failed due to a temporary failure of the server.",
    ),
    "internal": ("InternalError", *GATEWAY_ERRORS["InternalError"]),
}

_LINGER_RESET = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends a RST


@attrs.frozen(kw_only=True)
class _Target:
    action: str
    fmt: Format


def install_faults(
    app: web.Application, plan: FaultPlan | None = None
) -> FaultInjector:
    """Put a :class:`FaultInjector` for ``plan`` on ``app`` and its middleware in.

    Call it before the application starts. The plan can be replaced later through
    the returned injector (or ``PUT /_admin/faults``).

    Args:
        app: An application from :func:`~aiompsls.emulator.app.create_app`.
        plan: The plan to start with; no faults if None.

    Returns:
        The injector, also kept as ``app[FAULTS]``.
    """
    injector = FaultInjector(plan)
    app[FAULTS] = injector
    app.middlewares.append(fault_middleware)
    return injector


@web.middleware
async def fault_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Inject the plan's faults into authenticated RPC calls (see the module doc)."""
    injector = request.app[FAULTS]
    if injector.plan.is_empty or request.match_info.handler is not rpc_endpoint:
        return await handler(request)
    target = await _target(request)
    if target is None:
        return await handler(request)
    decision = injector.decide(target.action)
    if decision.delay > 0:
        await anyio.sleep(decision.delay)
    return await _apply(decision, target, request, handler)


async def _target(request: web.Request) -> _Target | None:
    """The action and answer format of a call the gateway would accept, else None."""
    gateway = request.app[GATEWAY]
    try:
        call = await read_call(request)
        if call.method not in ("GET", "POST"):
            return None
        verified = verify(
            call, keys=gateway.keys, nonces=NonceStore(), now=gateway.now()
        )
    except EmulatedError:
        return None
    fmt = requested_format(verified.params)
    if fmt is None or verified.version != API_VERSION:
        return None
    if verified.action not in OPERATIONS:
        return None
    return _Target(action=verified.action, fmt=fmt)


async def _apply(
    decision: FaultDecision,
    target: _Target,
    request: web.Request,
    handler: Handler,
) -> web.StreamResponse:
    fault = decision.fault
    if fault is None:
        return await handler(request)
    if fault == "reset_before":
        return _reset(request)
    if fault == "reset_after":
        await handler(request)
        return _reset(request)
    return _error_answer(fault, target, request)


def _error_answer(
    fault: FaultKind, target: _Target, request: web.Request
) -> web.Response:
    code, status, message = FAULT_ERRORS[fault]
    request_id = new_request_id()
    rendered = render_error(
        EmulatedError(code, message, status=status),
        request_id=request_id,
        host_id=request.host,
        fmt=target.fmt,
    )
    return web.Response(
        status=rendered.status,
        body=rendered.body,
        headers={"Content-Type": rendered.content_type, "x-acs-request-id": request_id},
    )


def _reset(request: web.Request) -> web.Response:
    """Reset the connection (RST where the socket allows it), leaving no answer.

    The returned response is never sent: aiohttp finds the transport closed.
    """
    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
        transport.abort()
    return web.Response(status=500)
