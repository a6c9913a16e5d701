"""``aiompsls call <Action>``: any action of the API, driven by the operation table.

Imports: the public client API, ``aiompsls._core`` (the operation table, the parameter
codec and the wire converter) and the CLI's own modules. There is no per-action code:
parameters are checked by ``decode_params`` and sent through ``Client.invoke``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

import anyio
import attrs

from aiompsls._core.operations import OPERATIONS
from aiompsls._core.params import ParamError, decode_params
from aiompsls._core.schema import Operation
from aiompsls._core.wire import make_converter
from aiompsls.cli._docs import render_action_help, render_action_list
from aiompsls.cli._output import EXIT_OK, UsageError, print_json
from aiompsls.cli._params import PROG, collect, suggest
from aiompsls.client import Client
from aiompsls.config import ClientConfig
from aiompsls.models import Request

__all__ = [
    "add_call_options",
    "build_request",
    "find_operation",
    "list_actions",
    "read_input",
    "run_call",
]

log = logging.getLogger(__name__)
_BY_METHOD = {op.method_name: op for op in OPERATIONS.values()}


def add_call_options(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``aiompsls call`` on ``parser``."""
    parser.add_argument("action", nargs="?", help="the action, e.g. ListSpace")
    parser.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter by its wire name; repeat it, also for list items",
    )
    parser.add_argument(
        "-i",
        "--input",
        metavar="JSON|@FILE|-",
        help="a JSON object of parameters; --param values win over it",
    )
    parser.add_argument(
        "--signature",
        choices=("v1", "acs3"),
        help="the signature style (default v1)",
    )
    parser.add_argument(
        "--max-attempts",
        type=_attempts,
        metavar="N",
        help="attempts per call, retries included (default: the retry policy's)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print compact one-line JSON"
    )
    parser.add_argument(
        "--list", action="store_true", help="list every action and exit"
    )


def _attempts(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def find_operation(name: str) -> Operation:
    """The operation for a wire name (``ListSpace``) or method name (``list_space``).

    Raises:
        UsageError: No such action; the message suggests close names.
    """
    operation = OPERATIONS.get(name) or _BY_METHOD.get(name)
    if operation is None:
        hint = suggest(name, OPERATIONS)
        raise UsageError(
            f"unknown action {name!r}{hint}; '{PROG} --list' shows them all",
            prog=PROG,
        )
    return operation


def read_input(spec: str) -> object:
    """Parse ``--input``: JSON text, ``@path`` to a JSON file, or ``-`` for stdin.

    Raises:
        UsageError: The file cannot be read or the text is not JSON.
    """
    if spec == "-":
        text, origin = sys.stdin.read(), "standard input"
    elif spec.startswith("@"):
        path = Path(spec[1:]).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            raise UsageError(
                f"--input: cannot read {path}: {reason}", prog=PROG
            ) from None
        origin = str(path)
    else:
        text, origin = spec, "the argument"
    try:
        return json.loads(text)
    except ValueError as exc:
        raise UsageError(
            f"--input: {origin} is not valid JSON: {exc}", prog=PROG
        ) from None


def build_request(
    operation: Operation, *, options: list[str], input_spec: str | None
) -> Request[Any]:
    """Check the parameters of a call and build its request model.

    Raises:
        UsageError: The parameters are malformed, unknown, missing or invalid.
    """
    document = None if input_spec is None else read_input(input_spec)
    raw = collect(operation, options=options, document=document)
    try:
        return decode_params(operation, raw, check=True)
    except ParamError as exc:
        if exc.code == "MissingParameter":
            message = f"{operation.name} needs the parameter {exc.param}"
            raise UsageError(
                f"{message} (--param {exc.param}=...)", prog=PROG
            ) from None
        raise UsageError(f"{operation.name}: {exc.message}", prog=PROG) from None


def _config(args: argparse.Namespace) -> ClientConfig:
    if args.endpoint:
        config = ClientConfig.from_env(endpoint=args.endpoint)
    else:
        config = ClientConfig.from_env()
    if args.signature:
        config = attrs.evolve(config, signature=args.signature)
    if args.max_attempts:
        retry = attrs.evolve(config.retry, max_attempts=args.max_attempts)
        config = attrs.evolve(config, retry=retry)
    return config


async def _invoke(request: Request[Any], args: argparse.Namespace) -> Any:
    config = _config(args)
    log.info("calling %s at %s", request.ACTION, config.endpoint)
    async with Client.from_env(profile=args.profile, config=config) as client:
        response = await client.invoke(request)
    return make_converter().unstructure(response)


def list_actions() -> int:
    """Print every action with its group and summary (``call --list``); return 0."""
    sys.stdout.write(render_action_list(OPERATIONS.values()))
    return EXIT_OK


def run_call(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Carry out ``aiompsls call`` and return the exit status.

    Raises:
        UsageError: The command line is wrong.
        ConfigError: The endpoint, signature or credentials are unusable.
        MpslsError: The call failed.
    """
    if args.list:
        return list_actions()
    if args.action is None:
        if args.help:
            parser.print_help(sys.stdout)
            return EXIT_OK
        raise UsageError("an action is required, e.g. ListSpace", prog=PROG)
    operation = find_operation(args.action)
    if args.help:
        sys.stdout.write(render_action_help(operation, prog=PROG))
        return EXIT_OK
    request = build_request(operation, options=args.param, input_spec=args.input)
    result = anyio.run(_invoke, request, args)
    print_json(result, compact=args.json)
    return EXIT_OK
