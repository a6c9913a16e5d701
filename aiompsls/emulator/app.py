"""The emulator's aiohttp application: the RPC endpoint at ``/`` and its dispatch.

A request is read (query and form body merged), verified (:mod:`.auth`), checked for
``Version`` and ``Action``, decoded with the spec's parameter rules and handed to the
action's registered handler; the answer is rendered as the service renders it
(:mod:`.render`); a handler may answer with an awaitable (RunFunction does), which is
awaited. Every answer carries ``x-acs-request-id`` and a ``Date`` from the emulator's
clock; an unexpected exception becomes a logged 500 ``InternalError``.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl

import attrs
from aiohttp import web

import aiompsls.emulator.handlers  # noqa: F401  (registers every action's handler)
from aiompsls._core.operations import OPERATIONS
from aiompsls._core.params import ParamError, decode_params
from aiompsls._core.schema import Operation
from aiompsls._core.wire import make_converter
from aiompsls.emulator._registry import (
    HANDLERS,
    Context,
    EmulatedError,
    Handler,
    TaskAdvance,
)
from aiompsls.emulator.auth import NonceStore, verify
from aiompsls.emulator.calls import KeyPair, SignedCall, Verified
from aiompsls.emulator.gateway import API_VERSION, gateway_error
from aiompsls.emulator.oss_routes import add_oss_routes
from aiompsls.emulator.render import (
    Format,
    Rendered,
    render_error,
    render_success,
    requested_format,
)
from aiompsls.emulator.runtime import FunctionRuntime
from aiompsls.emulator.state import EmulatorState

__all__ = [
    "GATEWAY",
    "MAX_BODY_BYTES",
    "Clock",
    "Gateway",
    "answer",
    "create_app",
    "new_request_id",
    "read_call",
    "rpc_endpoint",
    "utc_now",
]

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
#: The largest request body the endpoint reads (RunFunction and RunDBCommand bodies).
MAX_BODY_BYTES = 16 * 1024 * 1024
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
_CONVERTER = make_converter(strict=True)


def utc_now() -> datetime:
    """The wall clock as an aware UTC datetime (the emulator's default clock)."""
    return datetime.now(UTC)


@attrs.define(kw_only=True)
class Gateway:
    """What the RPC endpoint works with.

    Attributes:
        keys: The accepted AccessKeys by id.
        state: The emulator state handlers act on.
        clock: Returns the current time, aware UTC.
        nonces: The memory of used signature nonces.
        runtime: Runs deployed functions (closed when the application cleans up).
        saver: Writes the state through (to a state folder) after calls that may
            have changed it; None keeps the state in memory only.
        task_advance: How database tasks move through their statuses.
    """

    keys: Mapping[str, KeyPair]
    state: EmulatorState
    clock: Clock = utc_now
    nonces: NonceStore = attrs.Factory(NonceStore)
    runtime: FunctionRuntime = attrs.Factory(FunctionRuntime)
    saver: Callable[[EmulatorState], None] | None = None
    task_advance: TaskAdvance = attrs.Factory(TaskAdvance)

    def persist(self) -> None:
        """Write the state through to the saver, if there is one."""
        if self.saver is not None:
            self.saver(self.state)

    def now(self) -> datetime:
        """The clock's current time in UTC; a naive datetime is taken as UTC."""
        moment = self.clock()
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


#: Where the application keeps its :class:`Gateway`.
GATEWAY: web.AppKey[Gateway] = web.AppKey("aiompsls.gateway", Gateway)


def create_app(gateway: Gateway) -> web.Application:
    """Build the aiohttp application: the RPC API at ``/``, the OSS side at ``/_oss/``.

    Args:
        gateway: Keys, state, clock and nonce memory the endpoint uses.

    Returns:
        The application (not yet started).
    """
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[GATEWAY] = gateway
    app.router.add_route("*", "/", rpc_endpoint)
    add_oss_routes(app, gateway)
    app.on_response_prepare.append(_stamp)
    app.on_cleanup.append(_close_runtime)
    return app


async def _close_runtime(app: web.Application) -> None:
    """Remove the function runtime's unpacked packages."""
    app[GATEWAY].runtime.close()


def new_request_id() -> str:
    """A fresh RequestId, upper-case UUID like the service's."""
    return str(uuid.uuid4()).upper()


async def _stamp(request: web.Request, response: web.StreamResponse) -> None:
    """Give every answer (aiohttp's own 404s too) a request id and the clock's Date."""
    response.headers.setdefault("x-acs-request-id", new_request_id())
    moment = request.app[GATEWAY].now()
    response.headers["Date"] = format_datetime(moment, usegmt=True)


async def rpc_endpoint(request: web.Request) -> web.Response:
    """Answer one RPC call; never raises for a bad or failing call."""
    gateway = request.app[GATEWAY]
    request_id = new_request_id()
    fmt: Format = "JSON"
    try:
        now = gateway.now()
        call = await read_call(request)
        fmt = requested_format(call.params) or "JSON"
        base_url = _base_url(request)
        rendered = await answer(
            gateway, call, now=now, request_id=request_id, base_url=base_url
        )
    except EmulatedError as exc:
        rendered = render_error(
            exc, request_id=request_id, host_id=request.host, fmt=fmt
        )
    except web.HTTPException:
        raise
    except Exception:
        logger.exception("unexpected error answering request %s", request_id)
        error = gateway_error("InternalError")
        rendered = render_error(
            error, request_id=request_id, host_id=request.host, fmt=fmt
        )
    return web.Response(
        status=rendered.status,
        body=rendered.body,
        headers={"Content-Type": rendered.content_type, "x-acs-request-id": request_id},
    )


def _base_url(request: web.Request) -> str:
    """The emulator's address as the caller named it, else as the socket says.

    The official SDK sends ``Host: http://127.0.0.1:PORT`` when its endpoint has a
    scheme, which is no URL authority; the bound address stands in then.
    """
    try:
        return str(request.url.origin())
    except ValueError:
        transport = request.transport
        sockname = transport.get_extra_info("sockname") if transport else None
        if not sockname:
            return f"{request.scheme}://localhost"
        host, port = sockname[:2]
        host = f"[{host}]" if ":" in host else host
        return f"{request.scheme}://{host}:{port}"


async def read_call(request: web.Request) -> SignedCall:
    """Read a request into a :class:`SignedCall`; the form body only if form-encoded.

    Raises:
        EmulatedError: ``InvalidParameter`` when the query or body is not valid
            percent-encoded UTF-8.
    """
    body = await request.read()
    query = _pairs(request.rel_url.raw_query_string)
    form: dict[str, str] = {}
    if body and request.content_type == FORM_CONTENT_TYPE:
        form = _pairs(body)
    return SignedCall(
        method=request.method,
        path=request.rel_url.raw_path,
        query=query,
        form=form,
        headers=request.headers,
        body=body,
    )


def _pairs(encoded: str | bytes) -> dict[str, str]:
    try:
        text = encoded.decode() if isinstance(encoded, bytes) else encoded
        return dict(parse_qsl(text, keep_blank_values=True, errors="strict"))
    except UnicodeDecodeError:
        raise EmulatedError(
            "InvalidParameter",
            "The request parameters are not valid percent-encoded UTF-8.",
            status=400,
        ) from None


async def answer(
    gateway: Gateway, call: SignedCall, *, now: datetime, request_id: str, base_url: str
) -> Rendered:
    """Verify and dispatch ``call``; return the rendered success.

    Raises:
        EmulatedError: The gateway's or the handler's error answer.
    """
    if call.method not in ("GET", "POST"):
        raise gateway_error("UnsupportedHTTPMethod")
    verified = verify(call, keys=gateway.keys, nonces=gateway.nonces, now=now)
    fmt = requested_format(verified.params)
    if fmt is None:
        raise gateway_error("InvalidParameter.Format")
    operation, handler = _route(verified)
    context = Context(
        state=gateway.state,
        request_id=request_id,
        now=now,
        base_url=base_url,
        access_key_id=verified.access_key_id,
        runtime=gateway.runtime,
        task_advance=gateway.task_advance,
    )
    serial = gateway.state.serial
    params = _action_params(verified.params, fmt)
    fields = await _invoke(operation, handler, context, params)
    if _may_have_changed(operation, gateway.state.serial != serial):
        gateway.persist()
    return render_success(operation.name, fields, request_id=request_id, fmt=fmt)


def _may_have_changed(operation: Operation, minted: bool) -> bool:
    """Whether a successful call may have changed the state (then it is saved).

    Calls that are not read-only do; so do status queries (tasks and services
    advance when polled) and any call that minted an id.
    """
    name = operation.name
    polled = name.startswith("Query") or name.endswith("Status")
    return not operation.readonly or minted or polled


def _route(verified: Verified) -> tuple[Operation, Handler]:
    if verified.version != API_VERSION:
        raise gateway_error("InvalidVersion")
    operation = OPERATIONS.get(verified.action)
    if operation is None:
        raise gateway_error("InvalidAction.NotFound")
    handler = HANDLERS.get(verified.action)
    if handler is None:
        raise EmulatedError(
            "NotImplemented",
            f"The emulator does not implement {verified.action} yet.",
            status=501,
        )
    return operation, handler


def _action_params(params: Mapping[str, str], fmt: str) -> Mapping[str, str]:
    """The parameters the action sees: ``Format`` in its canonical spelling.

    Format is the common parameter, matched case-insensitively (the official SDK
    sends ``json``); an action that documents it too (DescribeResourceUsage) gets
    ``JSON``, as its enumeration says.
    """
    return {**params, "Format": fmt} if "Format" in params else params


async def _invoke(
    operation: Operation, handler: Handler, context: Context, params: Mapping[str, str]
) -> dict[str, Any]:
    try:
        request = decode_params(operation, params)
    except ParamError as exc:
        raise EmulatedError(exc.code, exc.message, status=400) from None
    response = handler(context, request)
    if inspect.isawaitable(response):
        response = await response
    if not isinstance(response, operation.response):
        raise TypeError(
            f"the {operation.name} handler returned {type(response).__name__}, "
            f"not {operation.response.__name__}"
        )
    fields: dict[str, Any] = _CONVERTER.unstructure(response)
    return fields
