"""The ``aiompsls`` command line: ``call``, ``actions`` and ``emulator serve``.

Imports: the public package API, the CLI's own modules and, lazily, the emulator.
:func:`main` takes the arguments and returns the exit status, so tests call it
directly: 0 success, 1 an ``MpslsError``, 2 a usage error, 130 Ctrl-C.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from aiompsls._version import __version__
from aiompsls.cli._output import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    report_error,
    report_usage,
)
from aiompsls.cli.call import add_call_options, list_actions, run_call
from aiompsls.errors import ConfigError, CredentialsError, MpslsError

__all__ = ["main", "run"]

_EPILOG = (
    "environment: ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET"
    " (/ ALIBABA_CLOUD_SECURITY_TOKEN), ALIBABA_CLOUD_PROFILE, AIOMPSLS_ENDPOINT"
)
_GLOBAL_WITH_VALUE = ("--endpoint", "--profile")


def _add_global_options(parser: argparse.ArgumentParser, *, nested: bool) -> None:
    """The options accepted before and after the command (``nested``: after it)."""
    default = argparse.SUPPRESS if nested else None
    parser.add_argument(
        "--endpoint",
        default=default,
        metavar="URL",
        help="API endpoint (default: $AIOMPSLS_ENDPOINT, else the public one)",
    )
    parser.add_argument(
        "--profile",
        default=default,
        metavar="NAME",
        help="credentials profile (default: $ALIBABA_CLOUD_PROFILE)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS if nested else 0,
        help="log to stderr; twice for debug detail",
    )


def _build_parser() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The ``aiompsls`` parser and its ``call`` sub-parser."""
    parser = argparse.ArgumentParser(
        prog="aiompsls",
        description="Call the Alibaba Cloud MPServerless API or run its emulator.",
        epilog=_EPILOG,
    )
    _add_global_options(parser, nested=False)
    parser.add_argument(
        "--version", action="version", version=f"aiompsls {__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    call = commands.add_parser(
        "call",
        add_help=False,
        help="call one API action; output is JSON with wire names",
        description="Call one API action. 'aiompsls call <Action> --help' shows"
        " its parameters.",
    )
    call.add_argument("-h", "--help", action="store_true", help="show help and exit")
    add_call_options(call)
    _add_global_options(call, nested=True)
    commands.add_parser("actions", help="list every action (same as call --list)")
    commands.add_parser("emulator", help="run the local emulator: emulator serve ...")
    return parser, call


def _command_index(argv: Sequence[str]) -> int | None:
    """The position of the command word, skipping the global options before it."""
    skip = False
    for index, word in enumerate(argv):
        if skip:
            skip = False
        elif word in _GLOBAL_WITH_VALUE:
            skip = True
        elif word == "--":
            return None
        elif not word.startswith("-"):
            return index
    return None


@contextmanager
def _logging(verbosity: int) -> Iterator[None]:
    """Send the package's log records to stderr while the command runs."""
    if not verbosity:
        yield
        return
    logger = logging.getLogger("aiompsls")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbosity > 1 else logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def _emulator(argv: Sequence[str]) -> int:
    """``aiompsls emulator serve ...``: hand the rest to the emulator's own parser."""
    if argv[:1] != ["serve"]:
        stream = sys.stdout if argv[:1] in (["-h"], ["--help"]) else sys.stderr
        stream.write(
            "usage: aiompsls emulator serve [OPTIONS]\n"
            "  'aiompsls emulator serve --help' lists the options\n"
        )
        return EXIT_OK if stream is sys.stdout else EXIT_USAGE
    try:
        from aiompsls.emulator import serve
    except ImportError as exc:
        sys.stderr.write(f"error: the emulator is not available: {exc}\n")
        return EXIT_ERROR
    return int(serve.main(list(argv[1:])))


def _dispatch(argv: Sequence[str]) -> int:
    parser, call = _build_parser()
    index = _command_index(argv)
    if index is not None and argv[index] == "emulator":
        parser.parse_args(argv[:index])  # the emulator configures its own logging
        return _emulator(argv[index + 1 :])
    args = parser.parse_args(argv)
    with _logging(args.verbose):
        if args.command == "call":
            return run_call(args, call)
        if args.command == "actions":
            return list_actions()
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status; never raises.

    Args:
        argv: The arguments after the program name; defaults to ``sys.argv[1:]``.

    Returns:
        0 on success, 1 when the call failed (an ``MpslsError``), 2 for a usage or
        configuration error, 130 when interrupted.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        return _dispatch(arguments)
    except SystemExit as exc:  # argparse: --help, --version and its usage errors
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or EXIT_OK
        return EXIT_USAGE
    except UsageError as exc:
        return report_usage(exc)
    except (ConfigError, CredentialsError) as exc:
        return report_usage(UsageError(str(exc)))
    except MpslsError as exc:
        return report_error(exc)
    except KeyboardInterrupt:
        sys.stderr.write("aborted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader of stdout went away; nobody to tell
        return EXIT_ERROR


def run() -> None:
    """The console-script entry point: exit with :func:`main`'s status.

    A reader that goes away early (``aiompsls actions | head -1``) ends the command
    with status 1 and no traceback.
    """
    status = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        # Point stdout at devnull so the interpreter's final flush stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = EXIT_ERROR
    raise SystemExit(status)
