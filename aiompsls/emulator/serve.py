"""``aiompsls emulator serve``: run an emulator until SIGINT or SIGTERM.

The first line on stdout is one JSON object with the endpoint and the credentials to
sign with (given, else saved in the state folder, else generated), plus ``ca_file``
with ``--tls``, so a parent process can read it and connect; the process then serves
until it is told to stop and exits 0. State lives in a state folder
(:mod:`.persist`) unless ``--memory`` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import secrets
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, TextIO

import attrs

from aiompsls.emulator.fault_spec import parse_faults
from aiompsls.emulator.faults import ENV_VAR, FaultPlan, FaultSpecError
from aiompsls.emulator.objects import ObjectStore
from aiompsls.emulator.persist import (
    ENV_VAR as STATE_ENV_VAR,
)
from aiompsls.emulator.persist import (
    StateError,
    StateFolder,
    default_state_dir,
)
from aiompsls.emulator.server import Emulator
from aiompsls.emulator.state import EmulatorState
from aiompsls.emulator.tls import TlsUnavailableError, server_tls

__all__ = ["ServeOptions", "add_arguments", "generate_credentials", "main", "serve"]

logger = logging.getLogger(__name__)

_DESCRIPTION = (
    "Serve the MPServerless control-plane API locally. The first stdout line is a JSON "
    'object {"endpoint", "access_key_id", "access_key_secret"} (and "ca_file" with '
    "--tls); the server then runs until SIGINT or SIGTERM."
)


def generate_credentials() -> tuple[str, str]:
    """A fresh AccessKey id (``LTAI`` + 20 hex digits) and a 30-character secret."""
    return "LTAI" + secrets.token_hex(10), secrets.token_urlsafe(22)


@attrs.frozen(kw_only=True)
class ServeOptions:
    """How ``serve`` keeps its state and serves.

    Attributes:
        memory: Keep everything in memory (objects in a temporary folder removed at
            exit) instead of a state folder.
        state_dir: The state folder; :func:`~.persist.default_state_dir` if None.
        tls: Serve HTTPS with a certificate made at start (needs ``trustme``).
        task_advance: ``"poll"`` or ``"time"`` (see :class:`~.server.Emulator`).
        task_step_seconds: The time per task step in ``"time"`` mode.
        faults: The fault plan RPC calls meet; none if None.
    """

    memory: bool = True
    state_dir: Path | None = None
    tls: bool = False
    task_advance: Literal["poll", "time"] = "poll"
    task_step_seconds: float = 1.0
    faults: FaultPlan | None = None


async def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    access_key_id: str | None = None,
    access_key_secret: str | None = None,
    *,
    options: ServeOptions | None = None,
    out: TextIO | None = None,
) -> None:
    """Serve an emulator until SIGINT or SIGTERM, announcing it on ``out`` first.

    Args:
        host: The address to bind.
        port: The port to bind; 0 picks a free one.
        access_key_id: The AccessKey id to accept; with a state folder the saved one
            if None, else generated (with the secret).
        access_key_secret: Its secret.
        options: State, TLS, task and fault options (in memory, plain HTTP if None).
        out: Where the JSON announcement line goes (stdout by default).

    Raises:
        StateError: The state folder is locked by another emulator or unreadable.
        TlsUnavailableError: ``tls`` without ``trustme`` installed.
    """
    opts = options or ServeOptions()
    with contextlib.ExitStack() as stack:
        if opts.memory:
            folder = None
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            state: EmulatorState | None = EmulatorState(
                objects=ObjectStore(scratch / "objects")
            )
        else:
            root = opts.state_dir or default_state_dir()
            folder = stack.enter_context(StateFolder.open(root))
            scratch, state = folder.root, None
        key = _credentials(folder, access_key_id, access_key_secret)
        ssl_context, ca_file = server_tls(scratch) if opts.tls else (None, None)
        emulator = Emulator(
            access_key_id=key[0],
            access_key_secret=key[1],
            faults=opts.faults,
            state=state,
            state_folder=folder,
            task_advance=opts.task_advance,
            task_step_seconds=opts.task_step_seconds,
            ssl_context=ssl_context,
        )
        await _run(emulator, host, port, out or sys.stdout, ca_file)


def _credentials(
    folder: StateFolder | None, key_id: str | None, secret: str | None
) -> tuple[str, str]:
    """The given key, else the folder's saved one, else a new one (then saved)."""
    if key_id is not None and secret is not None:
        key = (key_id, secret)
    else:
        key = (folder.saved_key() if folder else None) or generate_credentials()
    if folder is not None:
        folder.save_key(*key)
    return key


async def _run(
    emulator: Emulator, host: str, port: int, out: TextIO, ca_file: Path | None
) -> None:
    stop = asyncio.Event()
    handled = _on_signals(stop)
    try:
        async with emulator.running(host=host, port=port) as emu:
            line = {
                "endpoint": emu.endpoint,
                "access_key_id": emu.access_key_id,
                "access_key_secret": emu.access_key_secret,
            }
            if ca_file is not None:
                line["ca_file"] = str(ca_file)
            _announce(out, line)
            await stop.wait()
    finally:
        loop = asyncio.get_running_loop()
        for signum in handled:
            loop.remove_signal_handler(signum)


def _announce(out: TextIO, line: dict[str, str]) -> None:
    out.write(json.dumps(line) + "\n")
    out.flush()
    logger.info("emulator serving on %s", line["endpoint"])


def _on_signals(stop: asyncio.Event) -> list[signal.Signals]:
    """Set ``stop`` on SIGINT and SIGTERM where the loop supports signal handlers."""
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
            continue
        handled.append(signum)
    return handled


def _port(text: str) -> int:
    """A TCP port number for ``--port`` (0 for a free one)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is from 0 to 65535, not {port}")
    return port


def _seconds(text: str) -> float:
    """A positive, finite number of seconds for ``--task-step``."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, not {text}")
    return seconds


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``serve`` options to ``parser`` (shared with the ``aiompsls`` CLI)."""
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=0,
        help="port to bind; 0 picks a free one (default)",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        metavar="PATH",
        help="folder to keep the state in (default: $" + STATE_ENV_VAR + ", else "
        "${XDG_DATA_HOME:-~/.local/share}/aiompsls/emulator)",
    )
    parser.add_argument(
        "--memory",
        action="store_true",
        help="keep everything in memory (objects in a temporary folder removed "
        "at exit)",
    )
    parser.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with a certificate made at start; the CA file path is "
        "ca_file in the first line (needs aiompsls[emulator-tls])",
    )
    parser.add_argument(
        "--task-advance",
        choices=("poll", "time"),
        default="poll",
        help="database tasks move one step per status query (poll, default) or "
        "every --task-step seconds (time)",
    )
    parser.add_argument(
        "--task-step",
        type=_seconds,
        default=1.0,
        metavar="SECONDS",
        help="seconds per task step with --task-advance time (default %(default)s)",
    )
    parser.add_argument(
        "--access-key-id", help="AccessKey id to accept (generated if omitted)"
    )
    parser.add_argument(
        "--access-key-secret", help="its secret (required with --access-key-id)"
    )
    parser.add_argument(
        "--faults",
        metavar="SPEC",
        help="inject faults into RPC calls, e.g. 'seed=7,throttle=0.1,"
        "latency=20ms±10ms,ListSpace.unavailable=0.5' (default: $" + ENV_VAR + ")",
    )


def _fault_plan(
    parser: argparse.ArgumentParser, option: str | None
) -> FaultPlan | None:
    """The plan from ``--faults``, else from the environment; a usage error if bad."""
    source, spec = "--faults", option
    if spec is None:
        source, spec = ENV_VAR, os.environ.get(ENV_VAR)
    if spec is None:
        return None
    try:
        return parse_faults(spec)
    except FaultSpecError as exc:
        parser.error(f"{source}: {exc}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``serve`` with the options in ``argv`` (the arguments after ``serve``).

    Args:
        argv: Command-line options; ``sys.argv[1:]`` if None.

    Returns:
        0 after a signal stopped the server; 1 if the address could not be bound,
        the state folder is in use or unreadable, or TLS is not available.
    """
    parser = argparse.ArgumentParser(
        prog="aiompsls emulator serve", description=_DESCRIPTION
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    if (args.access_key_id is None) != (args.access_key_secret is None):
        parser.error("--access-key-id and --access-key-secret go together")
    if args.memory and args.state_dir is not None:
        parser.error("--memory and --state-dir exclude each other")
    options = ServeOptions(
        memory=args.memory,
        state_dir=args.state_dir,
        tls=args.tls,
        task_advance=args.task_advance,
        task_step_seconds=args.task_step,
        faults=_fault_plan(parser, args.faults),
    )
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    return _main(
        args.host, args.port, args.access_key_id, args.access_key_secret, options
    )


def _main(
    host: str, port: int, key_id: str | None, secret: str | None, opts: ServeOptions
) -> int:
    try:
        asyncio.run(serve(host, port, key_id, secret, options=opts))
    except KeyboardInterrupt:  # pragma: no cover - only without signal handlers
        return 0
    except (OSError, StateError, TlsUnavailableError) as exc:
        sys.stderr.write(f"aiompsls emulator serve: {exc}\n")
        return 1
    return 0
