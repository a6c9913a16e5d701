"""The waiter state machine: what an answer means, and how long to wait between polls.

Imports: stdlib, attrs and the schema. Waiters poll one action until an acceptor
matches: ``success`` ends the wait, ``failure`` raises, anything else polls again after
an exponential delay capped at ``max_delay``.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from aiompsls._core.paging import get_path
from aiompsls._core.schema import AcceptorState, WaiterSpec


def _not_negative(
    instance: object, attribute: attrs.Attribute[float], value: float
) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


@attrs.frozen(kw_only=True)
class WaitPolicy:
    """How often a waiter polls: first delay, cap, and the number of polls."""

    delay: float = attrs.field(validator=_not_negative)
    max_delay: float = attrs.field(validator=_not_negative)
    max_attempts: int = attrs.field(validator=attrs.validators.ge(1))


def default_policy(spec: WaiterSpec) -> WaitPolicy:
    """The spec's polling cadence for a waiter."""
    return WaitPolicy(
        delay=spec.delay, max_delay=spec.max_delay, max_attempts=spec.max_attempts
    )


def delays(policy: WaitPolicy) -> Iterator[float]:
    """The pause before each poll after the first: doubling, capped."""
    delay = policy.delay
    for _ in range(policy.max_attempts - 1):
        yield min(delay, policy.max_delay)
        delay *= 2


def evaluate(spec: WaiterSpec, response: object, *, key: str | None) -> AcceptorState:
    """Which acceptor ``response`` matches; ``retry`` when none does."""
    subject = response if spec.select_items is None else _select(spec, response, key)
    if subject is None:
        return "retry"
    for acceptor in spec.acceptors:
        if str(get_path(subject, acceptor.path)) == acceptor.expected:
            return acceptor.state
    return "retry"


def describe(spec: WaiterSpec, response: object, *, key: str | None) -> str:
    """A short account of the polled state, for error messages."""
    subject = response if spec.select_items is None else _select(spec, response, key)
    if subject is None:
        return f"no item with {spec.select_key} = {key!r} yet"
    paths = dict.fromkeys(".".join(a.path) for a in spec.acceptors)
    return ", ".join(f"{p} = {get_path(subject, p.split('.'))!r}" for p in paths)


def _select(spec: WaiterSpec, response: object, key: str | None) -> object:
    items = get_path(response, spec.select_items or ())
    for item in items if isinstance(items, tuple | list) else ():
        if getattr(item, spec.select_key or "", None) == key:
            return item
    return None
