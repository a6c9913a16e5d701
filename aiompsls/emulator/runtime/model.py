"""What one function invocation takes and gives back: plain frozen values.

The billing rule is an emulator assumption (the reference shows 523 ms billed as
600 ms): the run time rounded up to the next 100 ms, at least 100 ms.
"""

from __future__ import annotations

import enum
import math
from pathlib import Path
from typing import Any

import attrs

__all__ = [
    "BILLING_STEP_MS",
    "Failure",
    "FailureKind",
    "Invocation",
    "LogLine",
    "Outcome",
    "billing_duration",
    "package_key",
]

BILLING_STEP_MS = 100


def billing_duration(duration_ms: int) -> int:
    """The billed time of a run: rounded up to the next 100 ms, at least 100 ms."""
    steps = max(1, math.ceil(duration_ms / BILLING_STEP_MS))
    return steps * BILLING_STEP_MS


@attrs.frozen(kw_only=True)
class Invocation:
    """One call of a deployed function.

    Attributes:
        package: The deployment's zip on disk.
        package_key: Names the deployment (its unpacked copy is kept under it).
        event: The ``functionArgs`` JSON value handed to ``main`` as ``event``.
        request_id: The runtime request id (``context.requestId``, log filter).
        function_name: The function's name (``context.functionName``).
        space_id: The service space (``context.spaceId``).
        timeout_s: The function's Timeout in seconds.
        memory_mb: The function's Memory in MB.
        concurrency: The function's InstanceConcurrency: parallel runs allowed.
    """

    package: Path
    package_key: str
    event: Any
    request_id: str
    function_name: str
    space_id: str
    timeout_s: float
    memory_mb: int
    concurrency: int = 1


class FailureKind(enum.Enum):
    """Why a run failed."""

    #: The function threw, rejected, or its module failed to load.
    ERROR = "error"
    #: It ran longer than its Timeout and was killed.
    TIMEOUT = "timeout"
    #: It used more memory than its Memory and was stopped.
    MEMORY = "memory"
    #: Its process ended without an answer (``process.exit``, a crash).
    CRASH = "crash"


@attrs.frozen(kw_only=True)
class Failure:
    """A failed run: the kind, a one-line message and the JavaScript stack if any."""

    kind: FailureKind
    message: str
    stack: str = ""


@attrs.frozen(kw_only=True)
class LogLine:
    """One line of the function's output.

    Attributes:
        offset_ms: Milliseconds since ``main`` was called (0 before).
        level: ``DEBUG``, ``INFO``, ``WARN`` or ``ERROR``.
        text: The message as ``console`` formats it (may span lines).
    """

    offset_ms: int
    level: str
    text: str


@attrs.frozen(kw_only=True)
class Outcome:
    """The result of a run.

    Attributes:
        result: The JSON text of ``main``'s value (``undefined`` gives ``null``);
            None when the run failed.
        failure: Why it failed; None on success.
        duration_ms: How long ``main`` ran, in milliseconds.
        max_memory_mb: The process's peak resident memory in MB (0 if unknown).
        lines: Everything the function logged, in order.
    """

    result: str | None
    failure: Failure | None
    duration_ms: int
    max_memory_mb: int
    lines: tuple[LogLine, ...] = ()

    @property
    def status(self) -> str:
        """``SUCCESS`` or ``FAIL``, as ListFunctionLog reports runs."""
        return "SUCCESS" if self.failure is None else "FAIL"

    @property
    def billing_duration_ms(self) -> int:
        """The billed time (:func:`billing_duration` of :attr:`duration_ms`)."""
        return billing_duration(self.duration_ms)


def package_key(space_id: str, deployment_id: str) -> str:
    """The :attr:`Invocation.package_key` of a deployment: ``<SpaceId>/<id>``.

    A space's keys all start with ``<SpaceId>/``, which
    :meth:`~.runner.FunctionRuntime.forget` takes to drop them all.
    """
    return f"{space_id}/{deployment_id}"
