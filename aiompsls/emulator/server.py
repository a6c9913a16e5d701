"""The :class:`Emulator`: one set of credentials, state and clock, served over HTTP.

``Emulator.running()`` binds a real socket (loopback by default) and serves the
application from :mod:`.app`, with fault injection (:mod:`.fault_middleware`) and the
admin endpoints (:mod:`.admin`), until the ``async with`` block ends; ``Emulator.app``
is the same application for in-process use (``aiohttp.test_utils.TestServer``).
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from aiohttp import web

from aiompsls.emulator._registry import TaskAdvance
from aiompsls.emulator.admin import add_admin_routes
from aiompsls.emulator.app import Clock, Gateway, create_app, utc_now
from aiompsls.emulator.auth import NonceStore
from aiompsls.emulator.calls import KeyPair
from aiompsls.emulator.fault_middleware import install_faults
from aiompsls.emulator.fault_spec import parse_faults
from aiompsls.emulator.faults import FaultInjector, FaultPlan
from aiompsls.emulator.persist import StateFolder
from aiompsls.emulator.site import add_site_routes
from aiompsls.emulator.state import EmulatorState

__all__ = ["Emulator"]


def _http_endpoint(host: str, port: int, scheme: str = "http") -> str:
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


class Emulator:
    """A local MPServerless control-plane service.

    Args:
        access_key_id: The AccessKey id requests must be signed with.
        access_key_secret: Its secret.
        security_token: When set, the key is an STS key: every request must carry
            this token (``SecurityToken`` / ``x-acs-security-token``).
        state: The state to serve; a fresh in-memory :class:`EmulatorState` if None.
        clock: Returns the current time (aware UTC); drives timestamp checks, the
            ``Date`` header and every time handlers record.
        faults: The fault plan RPC calls meet, or its spec in the ``--faults``
            grammar (:mod:`.fault_spec`); none if None. Change it later through
            :attr:`faults` or ``PUT /_admin/faults``.
        state_folder: An open state folder: the state is loaded from it (unless
            ``state`` is given) and written through to it after every call that
            may have changed it. The caller closes the folder.
        task_advance: ``"poll"``: database tasks move one step per status query;
            ``"time"``: one step every ``task_step_seconds`` of ``clock``.
        task_step_seconds: The time per step in ``"time"`` mode.
        ssl_context: Serve HTTPS with this server context when set.

    Raises:
        FaultSpecError: ``faults`` is a spec that cannot be read.

    Example::

        emulator = Emulator(access_key_id="id", access_key_secret="secret")
        async with emulator.running() as emu:
            client_endpoint = emu.endpoint  # "http://127.0.0.1:PORT"
    """

    def __init__(
        self,
        *,
        access_key_id: str,
        access_key_secret: str,
        security_token: str | None = None,
        state: EmulatorState | None = None,
        clock: Clock = utc_now,
        faults: FaultPlan | str | None = None,
        state_folder: StateFolder | None = None,
        task_advance: Literal["poll", "time"] = "poll",
        task_step_seconds: float = 1.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if state is None:
            state = state_folder.load() if state_folder else EmulatorState()
        key = KeyPair(
            access_key_id=access_key_id,
            access_key_secret=access_key_secret,
            security_token=security_token,
        )
        self._gateway = Gateway(
            keys={access_key_id: key},
            state=state,
            clock=clock,
            nonces=NonceStore(),
            saver=state_folder.save if state_folder else None,
            task_advance=TaskAdvance(mode=task_advance, step_seconds=task_step_seconds),
        )
        self._ssl = ssl_context
        self._app = create_app(self._gateway)
        add_site_routes(self._app, self._gateway)
        if isinstance(faults, str):
            faults = parse_faults(faults)
        self._faults = install_faults(self._app, faults)
        add_admin_routes(self._app, self._gateway)
        self._endpoint: str | None = None

    def __repr__(self) -> str:
        return f"<Emulator endpoint={self._endpoint!r}>"

    @property
    def access_key_id(self) -> str:
        """The AccessKey id the emulator accepts."""
        return next(iter(self._gateway.keys))

    @property
    def access_key_secret(self) -> str:
        """The secret of :attr:`access_key_id`."""
        return self._gateway.keys[self.access_key_id].access_key_secret

    @property
    def state(self) -> EmulatorState:
        """The state handlers act on (inspect or seed it from tests)."""
        return self._gateway.state

    @property
    def nonces(self) -> NonceStore:
        """The memory of used signature nonces."""
        return self._gateway.nonces

    @property
    def faults(self) -> FaultInjector:
        """The fault injection of RPC calls: the plan in force and injected counts."""
        return self._faults

    @property
    def app(self) -> web.Application:
        """The aiohttp application (serve it yourself, e.g. with ``TestServer``)."""
        return self._app

    @property
    def endpoint(self) -> str:
        """``http(s)://HOST:PORT`` while :meth:`running`; RuntimeError otherwise."""
        if self._endpoint is None:
            raise RuntimeError("the emulator is not running")
        return self._endpoint

    @asynccontextmanager
    async def running(
        self, *, host: str = "127.0.0.1", port: int = 0
    ) -> AsyncIterator[Emulator]:
        """Serve on ``host:port`` (0 picks a free port) for the ``async with`` block.

        Args:
            host: The address to bind.
            port: The port to bind; 0 lets the system choose.

        Yields:
            This emulator, with :attr:`endpoint` set.

        Raises:
            RuntimeError: The emulator is already running.
        """
        if self._endpoint is not None:
            raise RuntimeError("the emulator is already running")
        runner = web.AppRunner(self._app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port, ssl_context=self._ssl).start()
            bound_host, bound_port = runner.addresses[0][:2]
            scheme = "https" if self._ssl else "http"
            self._endpoint = _http_endpoint(bound_host, bound_port, scheme)
            yield self
        finally:
            self._endpoint = None
            await runner.cleanup()
