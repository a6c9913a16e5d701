"""Seeded fault injection for the emulator's RPC endpoint: the plan and its decisions.

Pure and synchronous (no aiohttp). :class:`FaultPlan` says how often each fault
happens, for all calls and per action; :class:`FaultInjector` draws the decisions from
``random.Random(seed)``. :mod:`.fault_spec` reads and writes plans (the ``--faults``
grammar and the admin JSON); :mod:`.fault_middleware` applies decisions to requests.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from typing import Any, Final, Literal

import attrs

from aiompsls._core.operations import OPERATIONS

__all__ = [
    "ENV_VAR",
    "FAULT_KINDS",
    "FaultDecision",
    "FaultInjector",
    "FaultKind",
    "FaultPlan",
    "FaultSettings",
    "FaultSpecError",
    "Latency",
]

FaultKind = Literal[
    "throttle", "unavailable", "internal", "reset_before", "reset_after"
]
#: The faults, in the order their rates are stacked when a decision is drawn.
FAULT_KINDS: Final[tuple[FaultKind, ...]] = (
    "throttle",
    "unavailable",
    "internal",
    "reset_before",
    "reset_after",
)
#: The environment variable ``aiompsls emulator serve`` reads a fault spec from.
ENV_VAR: Final = "AIOMPSLS_EMULATOR_FAULTS"


class FaultSpecError(ValueError):
    """A fault plan that cannot be used; the message names the bad part."""


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FaultSpecError(f"{what} must be a number, got {value!r}")
    if value != value or value in (float("inf"), float("-inf")):
        raise FaultSpecError(f"{what} must be a finite number, got {value!r}")
    return float(value)


def _rate(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not 0.0 <= _number(value, attribute.name) <= 1.0:
        raise FaultSpecError(f"{attribute.name} must be from 0 to 1, got {value!r}")


def _seconds(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if _number(value, attribute.name) < 0:
        raise FaultSpecError(f"{attribute.name} must not be negative, got {value!r}")


def _seed(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultSpecError(f"the seed must be an integer, got {value!r}")


@attrs.frozen(kw_only=True)
class Latency:
    """Added latency: ``base`` seconds, give or take up to ``jitter`` seconds.

    Attributes:
        base: The mean added delay, in seconds.
        jitter: The largest deviation from ``base`` (uniform), at most ``base``.
    """

    base: float = attrs.field(default=0.0, validator=_seconds)
    jitter: float = attrs.field(default=0.0, validator=_seconds)

    def __attrs_post_init__(self) -> None:
        if self.jitter > self.base:
            raise FaultSpecError(
                f"the jitter ({self.jitter:g}s) may not exceed the latency "
                f"({self.base:g}s): a delay cannot be negative"
            )

    def draw(self, rand: float) -> float:
        """The delay for a uniform draw ``rand`` from [0, 1), in seconds."""
        return self.base + self.jitter * (2.0 * rand - 1.0)


@attrs.frozen(kw_only=True)
class FaultSettings:
    """Fault rates and added latency of one scope; None means "as the wider scope".

    Each rate is the probability that a call meets that fault; the rates of a scope
    add up to at most 1, and a call meets at most one fault.

    Attributes:
        throttle: ``Throttling.User`` (HTTP 400); the action does not run.
        unavailable: ``ServiceUnavailable`` (HTTP 503); the action does not run.
        internal: ``InternalError`` (HTTP 500); the action does not run.
        reset_before: The connection is reset before the action runs.
        reset_after: The action runs, then the connection is reset unanswered.
        latency: Delay added before the call is answered (or faulted).
    """

    throttle: float | None = attrs.field(default=None, validator=_rate)
    unavailable: float | None = attrs.field(default=None, validator=_rate)
    internal: float | None = attrs.field(default=None, validator=_rate)
    reset_before: float | None = attrs.field(default=None, validator=_rate)
    reset_after: float | None = attrs.field(default=None, validator=_rate)
    latency: Latency | None = None

    def rate(self, kind: FaultKind) -> float:
        """The probability of fault ``kind`` (0 when unset)."""
        value: float | None = getattr(self, kind)
        return value or 0.0

    @property
    def total(self) -> float:
        """The probability that a call meets any fault."""
        return sum(self.rate(kind) for kind in FAULT_KINDS)

    @property
    def is_quiet(self) -> bool:
        """True when these settings inject nothing: no fault, no latency."""
        return self.total == 0 and (self.latency is None or self.latency.base == 0)

    def over(self, base: FaultSettings) -> FaultSettings:
        """These settings where set, ``base``'s elsewhere."""
        names = [field.name for field in attrs.fields(FaultSettings)]
        mine = {name: getattr(self, name) for name in names}
        return attrs.evolve(base, **{k: v for k, v in mine.items() if v is not None})


def _concrete(settings: FaultSettings) -> FaultSettings:
    """``settings`` with every unset value made explicit (0, no latency)."""
    zeros: dict[str, Any] = dict.fromkeys(FAULT_KINDS, 0.0)
    return settings.over(FaultSettings(**zeros, latency=Latency()))


def _actions(value: Mapping[str, FaultSettings]) -> dict[str, FaultSettings]:
    return dict(value)


@attrs.frozen(kw_only=True)
class FaultPlan:
    """Which faults RPC calls meet: one seed, settings for all calls, per-action ones.

    Attributes:
        seed: Seeds the decision sequence; equal plans make equal decisions.
        default: The settings of every call (unset values are 0).
        actions: Per-action settings by action name; a value set there wins.

    Raises:
        FaultSpecError: An unknown action, a rate outside [0, 1], or rates that add
            up to more than 1 in some scope.
    """

    seed: int = attrs.field(default=0, validator=_seed)
    default: FaultSettings = attrs.field(factory=FaultSettings, converter=_concrete)
    actions: dict[str, FaultSettings] = attrs.field(factory=dict, converter=_actions)

    def __attrs_post_init__(self) -> None:
        _check_total(self.default, "all calls")
        for action in self.actions:
            if action not in OPERATIONS:
                raise FaultSpecError(f"unknown action {action!r}")
            _check_total(self.settings_for(action), action)

    def settings_for(self, action: str) -> FaultSettings:
        """The settings a call of ``action`` meets (its own over the defaults)."""
        own = self.actions.get(action)
        return self.default if own is None else own.over(self.default)

    @property
    def is_empty(self) -> bool:
        """True when no call meets any fault or latency."""
        scopes = [self.default, *(self.settings_for(a) for a in self.actions)]
        return all(settings.is_quiet for settings in scopes)


def _check_total(settings: FaultSettings, scope: str) -> None:
    if settings.total > 1.0 + 1e-9:
        raise FaultSpecError(
            f"the fault rates of {scope} add up to {settings.total:g}; at most 1"
        )


@attrs.frozen(kw_only=True)
class FaultDecision:
    """What one call meets.

    Attributes:
        action: The action called.
        fault: The fault to inject, or None for a normal answer.
        delay: Seconds to wait before answering (or faulting).
    """

    action: str
    fault: FaultKind | None
    delay: float


class FaultInjector:
    """The fault plan in force and the seeded sequence its decisions come from.

    Each decision draws exactly two numbers from ``random.Random(plan.seed)``, the
    fault and then the latency, whatever the outcome: the same calls in the same
    order meet the same faults. Replacing the plan restarts the sequence.

    Args:
        plan: The plan to start with; no faults if None.
    """

    def __init__(self, plan: FaultPlan | None = None) -> None:
        self._plan = plan if plan is not None else FaultPlan()
        self._rng = random.Random(self._plan.seed)  # noqa: S311 - faults, not secrets
        self._injected: Counter[str] = Counter()

    @property
    def plan(self) -> FaultPlan:
        """The plan in force."""
        return self._plan

    @property
    def injected(self) -> dict[str, int]:
        """How many calls met each fault since the emulator started."""
        return {kind: self._injected[kind] for kind in FAULT_KINDS}

    def replace(self, plan: FaultPlan) -> None:
        """Put ``plan`` in force and restart the decision sequence from its seed."""
        self._plan = plan
        self._rng = random.Random(plan.seed)  # noqa: S311 - faults, not secrets

    def decide(self, action: str) -> FaultDecision:
        """Draw what the next call of ``action`` meets."""
        settings = self._plan.settings_for(action)
        pick, spread = self._rng.random(), self._rng.random()
        fault = _pick(settings, pick)
        if fault is not None:
            self._injected[fault] += 1
        delay = settings.latency.draw(spread) if settings.latency else 0.0
        return FaultDecision(action=action, fault=fault, delay=delay)


def _pick(settings: FaultSettings, rand: float) -> FaultKind | None:
    edge = 0.0
    for kind in FAULT_KINDS:
        edge += settings.rate(kind)
        if rand < edge:
            return kind
    return None
