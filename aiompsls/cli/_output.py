"""What the command line prints: JSON results on stdout, one-line errors on stderr.

Imports: stdlib and ``aiompsls.errors``. Nothing here prints a traceback or a
credential; error lines carry the vendor code, the message and the request id.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from aiompsls.errors import ApiError, MpslsError

__all__ = ["EXIT_ERROR", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "UsageError"]

EXIT_OK = 0
"""The command did what was asked."""
EXIT_ERROR = 1
"""The service, the network or a response failed the command (an ``MpslsError``)."""
EXIT_USAGE = 2
"""The command line, its input or the local configuration is wrong."""
EXIT_INTERRUPTED = 130
"""The user pressed Ctrl-C (128 + SIGINT, the shell convention)."""


class UsageError(Exception):
    """The command line cannot be carried out as given; the message says why.

    Args:
        message: What is wrong, naming the option or parameter at fault.
        prog: The command the message is about, e.g. ``"aiompsls call"``.
    """

    def __init__(self, message: str, *, prog: str = "aiompsls") -> None:
        super().__init__(message)
        self.message = message
        self.prog = prog


def print_json(data: Any, *, compact: bool, out: TextIO | None = None) -> None:
    """Write ``data`` as JSON: indented by two spaces, or on one line if ``compact``."""
    stream = sys.stdout if out is None else out
    if compact:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    else:
        text = json.dumps(data, ensure_ascii=False, indent=2)
    stream.write(text + "\n")


def report_usage(exc: UsageError) -> int:
    """Print a usage error the way argparse does and return the exit status 2."""
    sys.stderr.write(f"{exc.prog}: error: {exc.message}\n")
    return EXIT_USAGE


def report_error(exc: MpslsError) -> int:
    """Print ``error: <Code>: <message>`` (and the request id) and return 1.

    An ``ApiError`` shows the service's code; any other error shows its class name.
    A RAM denial adds its AccessDeniedDetail as ``access denied: Key=Value, ...``.
    """
    if isinstance(exc, ApiError):
        code, message = exc.code, exc.message
    else:
        code, message = type(exc).__name__, str(exc)
    lines = [f"error: {code}: {message}"]
    request_id = getattr(exc, "request_id", None)
    if request_id:
        lines.append(f"request id: {request_id}")
    detail = exc.access_denied_detail if isinstance(exc, ApiError) else {}
    if detail:
        lines.append(
            "access denied: " + ", ".join(f"{k}={v}" for k, v in detail.items())
        )
    sys.stderr.write("\n".join(lines) + "\n")
    return EXIT_ERROR
