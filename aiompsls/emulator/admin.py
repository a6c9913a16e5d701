"""Reserved admin endpoints under ``/_admin/``, for tests and local tooling only.

They are not signed and answer loopback clients only (403 otherwise); keep the
emulator bound to loopback (the default) when you use them. All answer JSON:

- ``GET /_admin/health``: ``{"status": "ok"}``.
- ``POST /_admin/reset``: the state starts afresh; answers the (empty) summary.
- ``GET /_admin/state``: counts of what the state holds, and of injected faults.
- ``GET /_admin/faults``: the fault plan in force, in the JSON form of
  :mod:`.fault_spec`.
- ``PUT /_admin/faults``: replace it with a JSON plan, or a JSON string in the
  ``--faults`` grammar; the decision sequence restarts from the plan's seed.
- ``POST /_admin/backup[?space_id=ID]``: a database backup of every space (or of
  one) now, as the daily schedule takes them.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable
from typing import Any, Final

import attrs
from aiohttp import web

from aiompsls.emulator.app import Gateway
from aiompsls.emulator.fault_middleware import FAULTS, install_faults
from aiompsls.emulator.fault_spec import parse_faults, plan_from_json, plan_to_json
from aiompsls.emulator.faults import FaultInjector, FaultPlan, FaultSpecError
from aiompsls.emulator.handlers.db_tasks import take_backup
from aiompsls.emulator.handlers.webhosting_files import hosting_files
from aiompsls.emulator.state import EmulatorState

__all__ = ["ADMIN_PREFIX", "add_admin_routes", "is_loopback", "state_summary"]

#: The path prefix reserved for admin endpoints.
ADMIN_PREFIX: Final = "/_admin"

_AdminHandler = Callable[[web.Request], Awaitable[web.Response]]


def add_admin_routes(app: web.Application, gateway: Gateway) -> None:
    """Serve the admin endpoints on ``app`` (installs fault injection if missing).

    Args:
        app: An application from :func:`~aiompsls.emulator.app.create_app`.
        gateway: The gateway behind ``app`` (its state and clock).
    """
    faults = app[FAULTS] if FAULTS in app else install_faults(app)
    admin = _Admin(gateway=gateway, faults=faults)
    routes: tuple[tuple[str, str, _AdminHandler], ...] = (
        ("GET", "health", admin.health),
        ("POST", "reset", admin.reset),
        ("GET", "state", admin.state),
        ("GET", "faults", admin.get_faults),
        ("PUT", "faults", admin.put_faults),
        ("POST", "backup", admin.backup),
    )
    for method, name, handler in routes:
        app.router.add_route(method, f"{ADMIN_PREFIX}/{name}", _loopback_only(handler))


def is_loopback(address: str | None) -> bool:
    """Whether a peer address is a loopback one (IPv4-mapped IPv6 included)."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return (mapped or ip).is_loopback


def state_summary(state: EmulatorState) -> dict[str, int]:
    """How many of each thing ``state`` holds, over all spaces."""
    spaces = list(state.spaces.values())
    return {
        "spaces": len(spaces),
        "functions": sum(len(s.functions.functions) for s in spaces),
        "deployments": sum(len(s.functions.deployments) for s in spaces),
        "function_logs": sum(len(s.functions.logs) for s in spaces),
        "collections": sum(len(s.db.collections) for s in spaces),
        "db_tasks": sum(len(s.db.tasks) for s in spaces),
        "db_backups": sum(len(s.db.backups) for s in spaces),
        "files": sum(len(s.files.files) for s in spaces),
        "hosting_files": sum(
            len(hosting_files(state.objects, s.space_id)) for s in spaces
        ),
        "custom_domains": sum(len(s.web_hosting.domains) for s in spaces),
        "policies": sum(len(s.policies.policies) for s in spaces),
    }


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _loopback_only(handler: _AdminHandler) -> _AdminHandler:
    async def guarded(request: web.Request) -> web.Response:
        if not is_loopback(request.remote):
            return _error(403, "the admin endpoints answer loopback clients only")
        return await handler(request)

    return guarded


def _plan_from_body(body: bytes) -> FaultPlan:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise FaultSpecError(f"the body is not JSON: {exc}") from None
    if isinstance(data, str):
        return parse_faults(data)
    return plan_from_json(data)


@attrs.frozen(kw_only=True)
class _Admin:
    """The admin handlers, bound to one gateway and its fault injector."""

    gateway: Gateway
    faults: FaultInjector

    def _summary(self) -> dict[str, Any]:
        summary: dict[str, Any] = state_summary(self.gateway.state)
        summary["faults_injected"] = self.faults.injected
        return summary

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def reset(self, request: web.Request) -> web.Response:
        self.gateway.state.reset()
        self.gateway.persist()
        return web.json_response(self._summary())

    async def state(self, request: web.Request) -> web.Response:
        return web.json_response(self._summary())

    async def get_faults(self, request: web.Request) -> web.Response:
        return web.json_response(plan_to_json(self.faults.plan))

    async def put_faults(self, request: web.Request) -> web.Response:
        try:
            plan = _plan_from_body(await request.read())
        except FaultSpecError as exc:
            return _error(400, str(exc))
        self.faults.replace(plan)
        return web.json_response(plan_to_json(plan))

    async def backup(self, request: web.Request) -> web.Response:
        state = self.gateway.state
        space_id = request.query.get("space_id")
        if space_id is not None and space_id not in state.spaces:
            return _error(404, f"there is no space {space_id!r}")
        chosen = [state.spaces[space_id]] if space_id else [*state.spaces.values()]
        dump_ms = int(self.gateway.now().timestamp() * 1000)
        taken = [(space, take_backup(space, dump_ms)) for space in chosen]
        self.gateway.persist()
        backups = [
            {"space_id": s.space_id, "backup_id": b.backup_id, "dump_time": b.dump_ms}
            for s, b in taken
        ]
        return web.json_response({"backups": backups})
