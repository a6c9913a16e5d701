"""The retry decision and the backoff schedule, as pure functions.

Imports: stdlib, attrs and ``aiompsls.errors``. The client's loop asks
:func:`should_retry` after each failure and sleeps :func:`backoff_delay` (full jitter:
a uniform draw below an exponentially growing cap). Randomness is an argument. A
:class:`RetryBudget` stops a retry storm: every retry spends tokens that only
successes earn back.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import attrs

from aiompsls.errors import ConfigError, MpslsError

__all__ = ["RetryBudget", "RetryPolicy", "backoff_delay", "should_retry"]

_MAX_EXPONENT = 1000


def _positive(_: object, attribute: attrs.Attribute[float], value: object) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 < value < math.inf
    ):
        raise ConfigError(
            f"RetryPolicy.{attribute.name} must be a finite number of seconds > 0,"
            f" not {value!r}"
        )


def _count(minimum: int) -> Callable[[object, attrs.Attribute[int], object], None]:
    def check(_: object, attribute: attrs.Attribute[int], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ConfigError(
                f"RetryPolicy.{attribute.name} must be an integer >= {minimum},"
                f" not {value!r}"
            )

    return check


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How many times to try, how long to wait, and how much retrying may cost.

    Attributes:
        max_attempts: Attempts in all, the first included (1 disables retries).
        base_delay: The cap of the first pause, in seconds; it doubles per retry.
        max_delay: The largest cap of a pause, in seconds.
        retry_after_cap: The longest server-requested pause honoured, in seconds.
        budget_capacity: Tokens of the retry budget.
        budget_retry_cost: Tokens one retry spends.
        budget_success_refund: Tokens one success returns.
    """

    max_attempts: int = attrs.field(default=4, validator=_count(1))
    base_delay: float = attrs.field(default=0.1, validator=_positive)
    max_delay: float = attrs.field(default=20.0, validator=_positive)
    retry_after_cap: float = attrs.field(default=60.0, validator=_positive)
    budget_capacity: int = attrs.field(default=100, validator=_count(0))
    budget_retry_cost: int = attrs.field(default=5, validator=_count(0))
    budget_success_refund: int = attrs.field(default=1, validator=_count(0))


def should_retry(
    error: MpslsError, *, attempt: int, idempotent: bool, policy: RetryPolicy
) -> bool:
    """Whether the call that failed with ``error`` on attempt ``attempt`` may go again.

    Only retry-safe errors are retried. An action that is not idempotent is retried
    only when the call provably did not take effect: its request never reached the
    server, or the gateway throttled it.

    Args:
        error: The failure of the last attempt.
        attempt: Attempts made so far, the failed one included (the first is 1).
        idempotent: Whether the action may safely take effect twice.
        policy: The retry policy; never more than ``max_attempts`` attempts.
    """
    if attempt >= policy.max_attempts or not error.is_retry_safe:
        return False
    return idempotent or error.is_unexecuted


def backoff_delay(
    attempt: int,
    *,
    policy: RetryPolicy,
    rand: float,
    retry_after: float | None = None,
) -> float:
    """The pause after failed attempt ``attempt`` (1-based), in seconds.

    Full jitter: ``rand * min(max_delay, base_delay * 2 ** (attempt - 1))``. A
    server's ``Retry-After`` is a floor, capped at ``retry_after_cap``.

    Args:
        attempt: Attempts made so far (the first attempt is 1).
        policy: The retry policy.
        rand: A uniform draw from [0, 1].
        retry_after: The pause the server asked for, if it did.

    Raises:
        ValueError: ``rand`` is not within [0, 1].
    """
    if not 0.0 <= rand <= 1.0:
        raise ValueError(f"rand must be within [0, 1], not {rand!r}")
    # 2.0 ** 1024 overflows a float; 2 ** 1000 outgrows any max_delay / base_delay.
    exponent = min(max(attempt - 1, 0), _MAX_EXPONENT)
    delay = rand * min(policy.max_delay, policy.base_delay * 2.0**exponent)
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(retry_after, policy.retry_after_cap))
    return delay


class RetryBudget:
    """A token bucket shared by a client's calls: retries spend, successes refund."""

    __slots__ = ("_policy", "tokens")

    def __init__(self, policy: RetryPolicy) -> None:
        self._policy = policy
        self.tokens = policy.budget_capacity

    def __repr__(self) -> str:
        return f"RetryBudget(tokens={self.tokens}/{self._policy.budget_capacity})"

    def try_acquire(self) -> bool:
        """Spend the cost of one retry; False (and nothing spent) when too poor."""
        cost = self._policy.budget_retry_cost
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True

    def on_success(self) -> None:
        """Earn back a little after a successful call, up to the capacity."""
        refund = self._policy.budget_success_refund
        self.tokens = min(self._policy.budget_capacity, self.tokens + refund)
