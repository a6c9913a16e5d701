"""The retry decision, the full-jitter schedule and the retry budget."""

from __future__ import annotations

import math
import re

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiompsls import errors as e
from aiompsls._core.retry import RetryBudget, RetryPolicy, backoff_delay, should_retry

POLICY = RetryPolicy(max_attempts=4, base_delay=0.1, max_delay=2.0)

READ_TIMEOUT = e.TransportTimeoutError("read timeout", is_request_sent=True)
RESET = e.TransportError("connection reset", is_request_sent=True)
REFUSED = e.TransportError("refused", is_request_sent=False)
CONNECT_TIMEOUT = e.TransportTimeoutError("connect timeout", is_request_sent=False)
THROTTLED = e.ThrottlingError("slow down", code="Throttling.User")
UNAVAILABLE = e.ServiceError("down", code="ServiceUnavailable")
PROXY_502 = e.ResponseError("html", http_status=502)
PROXY_429 = e.ResponseError("html", http_status=429)
BAD_SHAPE = e.ResponseError("shape", http_status=200)
INVALID = e.InvalidRequestError("bad", code="InvalidParameter")
SIGNATURE = e.AuthenticationError("sig", code="SignatureDoesNotMatch")
MISSING = e.NotFoundError("gone", code="InvalidSpaceId.NotFound")
PLAIN = e.ApiError("odd", code="Teapot")
CONFIG = e.ConfigError("no endpoint")


@pytest.mark.parametrize(
    ("error", "idempotent", "expected"),
    [
        (READ_TIMEOUT, True, True),
        (READ_TIMEOUT, False, False),
        (RESET, False, False),
        (REFUSED, True, True),
        (REFUSED, False, True),
        (CONNECT_TIMEOUT, False, True),
        (THROTTLED, True, True),
        (THROTTLED, False, True),
        (UNAVAILABLE, True, True),
        (UNAVAILABLE, False, False),
        (PROXY_502, True, True),
        (PROXY_502, False, False),
        (PROXY_429, False, True),
        (BAD_SHAPE, True, False),
        (INVALID, True, False),
        (SIGNATURE, True, False),
        (MISSING, True, False),
        (PLAIN, True, False),
        (CONFIG, True, False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None,
)
def test_only_retry_safe_errors_are_retried_and_unsent_ones_always(
    error: e.MpslsError, idempotent: bool, expected: bool
):
    assert should_retry(error, attempt=1, idempotent=idempotent, policy=POLICY) is (
        expected
    )


@pytest.mark.parametrize(
    ("max_attempts", "attempt", "expected"),
    [(4, 1, True), (4, 3, True), (4, 4, False), (4, 9, False), (1, 1, False)],
)
def test_never_beyond_max_attempts(max_attempts: int, attempt: int, expected: bool):
    policy = RetryPolicy(max_attempts=max_attempts)
    for error in (REFUSED, THROTTLED):
        got = should_retry(error, attempt=attempt, idempotent=False, policy=policy)
        assert got is expected


@pytest.mark.parametrize(
    ("attempt", "rand", "expected"),
    [
        (1, 1.0, 0.1),
        (2, 1.0, 0.2),
        (3, 1.0, 0.4),
        (3, 0.5, 0.2),
        (5, 1.0, 1.6),
        (6, 1.0, 2.0),
        (50, 0.25, 0.5),
        (1, 0.0, 0.0),
        (0, 1.0, 0.1),
        (2_000, 1.0, 2.0),
        (10**9, 0.5, 1.0),
    ],
)
def test_full_jitter_doubles_up_to_the_cap(attempt: int, rand: float, expected: float):
    assert backoff_delay(attempt, policy=POLICY, rand=rand) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("rand", "retry_after", "expected"),
    [
        (0.0, 3.0, 3.0),
        (1.0, 3.0, 3.0),
        (0.0, 30.0, 5.0),
        (0.0, math.inf, 5.0),
        (1.0, 0.05, 0.1),
        (1.0, 0.0, 0.1),
        (1.0, -2.0, 0.1),
        (1.0, math.nan, 0.1),
        (1.0, None, 0.1),
    ],
)
def test_retry_after_is_a_capped_floor(
    rand: float, retry_after: float | None, expected: float
):
    policy = RetryPolicy(base_delay=0.1, retry_after_cap=5.0)
    got = backoff_delay(1, policy=policy, rand=rand, retry_after=retry_after)
    assert got == pytest.approx(expected)


@pytest.mark.parametrize("rand", [-0.1, 1.5, math.nan, math.inf])
def test_rand_outside_the_unit_interval_is_refused(rand: float):
    with pytest.raises(ValueError, match="rand must be within"):
        backoff_delay(1, policy=POLICY, rand=rand)


policies = st.builds(
    RetryPolicy,
    base_delay=st.floats(1e-6, 1e3),
    max_delay=st.floats(1e-6, 1e4),
    retry_after_cap=st.floats(1e-6, 1e4),
)


@given(
    policy=policies,
    attempt=st.integers(0, 10**6),
    rand=st.floats(0, 1),
    retry_after=st.none() | st.floats(allow_nan=True, allow_infinity=True),
)
def test_delay_is_always_within_the_caps(
    policy: RetryPolicy, attempt: int, rand: float, retry_after: float | None
):
    delay = backoff_delay(attempt, policy=policy, rand=rand, retry_after=retry_after)
    floor = 0.0
    if retry_after is not None and retry_after > 0:
        floor = min(retry_after, policy.retry_after_cap)
    assert floor <= delay <= max(policy.max_delay, floor)


def test_budget_spends_on_retries_and_refunds_on_success():
    budget = RetryBudget(RetryPolicy(budget_capacity=10, budget_retry_cost=5))
    assert budget.tokens == 10
    assert budget.try_acquire()
    assert budget.try_acquire()
    assert not budget.try_acquire()
    assert budget.tokens == 0
    budget.on_success()
    assert budget.tokens == 1
    for _ in range(20):
        budget.on_success()
    assert budget.tokens == 10
    assert repr(budget) == "RetryBudget(tokens=10/10)"


@pytest.mark.parametrize(
    ("capacity", "cost", "refund", "acquired"),
    [(0, 5, 1, 0), (100, 0, 1, 50), (100, 5, 0, 20), (9, 10, 1, 0)],
)
def test_budget_limits(capacity: int, cost: int, refund: int, acquired: int):
    policy = RetryPolicy(
        budget_capacity=capacity,
        budget_retry_cost=cost,
        budget_success_refund=refund,
    )
    budget = RetryBudget(policy)
    assert sum(budget.try_acquire() for _ in range(50)) == acquired


def test_policy_defaults_and_immutability():
    policy = RetryPolicy()
    assert attrs.asdict(policy) == {
        "max_attempts": 4,
        "base_delay": 0.1,
        "max_delay": 20.0,
        "retry_after_cap": 60.0,
        "budget_capacity": 100,
        "budget_retry_cost": 5,
        "budget_success_refund": 1,
    }
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        policy.max_attempts = 9  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_attempts": 0}, "max_attempts must be an integer >= 1, not 0"),
        ({"max_attempts": True}, "max_attempts must be an integer >= 1, not True"),
        ({"max_attempts": 2.0}, "max_attempts must be an integer >= 1, not 2.0"),
        ({"max_attempts": "3"}, "max_attempts must be an integer >= 1, not '3'"),
        ({"base_delay": 0}, "base_delay must be a finite number of seconds > 0"),
        ({"base_delay": -0.5}, "base_delay must be a finite number of seconds > 0"),
        ({"max_delay": math.nan}, "max_delay must be a finite number of seconds > 0"),
        ({"max_delay": math.inf}, "max_delay must be a finite number"),
        ({"retry_after_cap": "5"}, "retry_after_cap must be a finite number"),
        ({"retry_after_cap": False}, "retry_after_cap must be a finite number"),
        ({"budget_capacity": -1}, "budget_capacity must be an integer >= 0, not -1"),
        ({"budget_retry_cost": 1.5}, "budget_retry_cost must be an integer >= 0"),
        ({"budget_success_refund": None}, "budget_success_refund must be an integer"),
    ],
)
def test_bad_policies_are_config_errors(kwargs: dict[str, object], message: str):
    with pytest.raises(e.ConfigError, match="^" + re.escape(f"RetryPolicy.{message}")):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_edge_policies_are_valid():
    policy = RetryPolicy(max_attempts=1, budget_capacity=0, base_delay=1)
    assert not should_retry(REFUSED, attempt=1, idempotent=True, policy=policy)
    assert backoff_delay(3, policy=policy, rand=1.0) == 4.0
