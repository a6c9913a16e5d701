"""The emulator's function runtime: deployed packages run under Node.js.

:class:`FunctionRuntime` unpacks a deployment's zip once (safely: see
:mod:`.package`) and runs each invocation of ``exports.main(event, context)`` in a
fresh ``node`` process driven by ``harness.js``, with the function's Timeout and
Memory enforced; :func:`invocation_log` turns the run into ListFunctionLog lines.
"""

from __future__ import annotations

from aiompsls.emulator.runtime.logs import LEVEL_ORDER, LogEntry, invocation_log
from aiompsls.emulator.runtime.model import (
    Failure,
    FailureKind,
    Invocation,
    LogLine,
    Outcome,
    billing_duration,
    package_key,
)
from aiompsls.emulator.runtime.package import (
    PackageError,
    PackageLimits,
    extract_package,
    inspect_package,
)
from aiompsls.emulator.runtime.runner import FunctionRuntime, NodeUnavailableError

__all__ = [
    "LEVEL_ORDER",
    "Failure",
    "FailureKind",
    "FunctionRuntime",
    "Invocation",
    "LogEntry",
    "LogLine",
    "NodeUnavailableError",
    "Outcome",
    "PackageError",
    "PackageLimits",
    "billing_duration",
    "extract_package",
    "inspect_package",
    "invocation_log",
    "package_key",
]
