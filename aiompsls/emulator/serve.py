"""``aiompsls emulator serve``: run an emulator until SIGINT or SIGTERM.

The first line on stdout is one JSON object with the endpoint and the credentials to
sign with (generated when none are given), so a parent process can read it and
connect; the process then serves until it is told to stop and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import secrets
import signal
import sys
from collections.abc import Sequence
from typing import TextIO

from aiompsls.emulator.fault_spec import parse_faults
from aiompsls.emulator.faults import ENV_VAR, FaultPlan, FaultSpecError
from aiompsls.emulator.server import Emulator

__all__ = ["add_arguments", "generate_credentials", "main", "serve"]

logger = logging.getLogger(__name__)

_DESCRIPTION = (
    "Serve the MPServerless control-plane API locally. The first stdout line is a JSON "
    'object {"endpoint", "access_key_id", "access_key_secret"}; the server then runs '
    "until SIGINT or SIGTERM."
)


def generate_credentials() -> tuple[str, str]:
    """A fresh AccessKey id (``LTAI`` + 20 hex digits) and a 30-character secret."""
    return "LTAI" + secrets.token_hex(10), secrets.token_urlsafe(22)


async def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    access_key_id: str | None = None,
    access_key_secret: str | None = None,
    memory: bool = True,
    *,
    out: TextIO | None = None,
    faults: FaultPlan | None = None,
) -> None:
    """Serve an emulator until SIGINT or SIGTERM, announcing it on ``out`` first.

    Args:
        host: The address to bind.
        port: The port to bind; 0 picks a free one.
        access_key_id: The AccessKey id to accept; generated with the secret if None.
        access_key_secret: Its secret.
        memory: Keep state in memory. It is the only mode for now (persistence
            comes later), so the value is accepted and not yet acted on.
        out: Where the JSON announcement line goes (stdout by default).
        faults: The fault plan RPC calls meet; none if None.
    """
    del memory  # state is in memory until persistence lands
    if access_key_id is None or access_key_secret is None:
        access_key_id, access_key_secret = generate_credentials()
    emulator = Emulator(
        access_key_id=access_key_id, access_key_secret=access_key_secret, faults=faults
    )
    stop = asyncio.Event()
    handled = _on_signals(stop)
    try:
        async with emulator.running(host=host, port=port) as emu:
            _announce(out or sys.stdout, emu.endpoint, access_key_id, access_key_secret)
            await stop.wait()
    finally:
        loop = asyncio.get_running_loop()
        for signum in handled:
            loop.remove_signal_handler(signum)


def _announce(out: TextIO, endpoint: str, key_id: str, secret: str) -> None:
    line = {"endpoint": endpoint, "access_key_id": key_id, "access_key_secret": secret}
    out.write(json.dumps(line) + "\n")
    out.flush()
    logger.info("emulator serving on %s", endpoint)


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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``serve`` options to ``parser`` (shared with the ``aiompsls`` CLI)."""
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=0, help="port to bind; 0 picks a free one (default)"
    )
    parser.add_argument(
        "--memory",
        action="store_true",
        help="keep state in memory only; for now state is always in memory "
        "(persistence arrives in a later release)",
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
        0 after a signal stopped the server, 1 if the address could not be bound.
    """
    parser = argparse.ArgumentParser(
        prog="aiompsls emulator serve", description=_DESCRIPTION
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    if (args.access_key_id is None) != (args.access_key_secret is None):
        parser.error("--access-key-id and --access-key-secret go together")
    faults = _fault_plan(parser, args.faults)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    try:
        asyncio.run(
            serve(
                args.host,
                args.port,
                args.access_key_id,
                args.access_key_secret,
                args.memory,
                faults=faults,
            )
        )
    except (
        KeyboardInterrupt
    ):  # pragma: no cover - only where signal handlers are missing
        return 0
    except OSError as exc:
        sys.stderr.write(f"aiompsls emulator serve: {exc}\n")
        return 1
    return 0
