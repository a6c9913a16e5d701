"""The retry decision, the full-jitter schedule and the retry budget."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiompsls import errors as e
from aiompsls._core.retry import RetryBudget, RetryPolicy, backoff_delay, should_retry

POLICY = RetryPolicy(max_attempts=4, base_delay=0.1, max_delay=2.0)
SENT = e.TransportTimeoutError("read timeout", is_request_sent=True)
NOT_SENT = e.TransportError("refused", is_request_sent=False)
THROTTLED = e.ThrottlingError("slow", code="Throttling.User")
UNAVAILABLE = e.ServiceError("down", code="ServiceUnavailable")
INVALID = e.InvalidRequestError("bad", code="InvalidParameter")


@pytest.mark.parametrize(
    ("error", "idempotent", "expected"),
    [
        (SENT, True, True),
        (SENT, False, False),
        (NOT_SENT, False, True),
        (THROTTLED, False, True),
        (UNAVAILABLE, True, True),
        (UNAVAILABLE, False, False),
        (INVALID, True, False),
        (e.ResponseError("html", http_status=502), True, True),
        (e.ResponseError("html", http_status=502), False, False),
    ],
)
def test_should_retry(error, idempotent, expected):
    assert (
        should_retry(error, attempt=1, idempotent=idempotent, policy=POLICY) is expected
    )


def test_no_retry_past_the_last_attempt():
    assert should_retry(SENT, attempt=3, idempotent=True, policy=POLICY)
    assert not should_retry(SENT, attempt=4, idempotent=True, policy=POLICY)


@pytest.mark.parametrize(
    ("attempt", "rand", "expected"),
    [(1, 1.0, 0.1), (2, 1.0, 0.2), (3, 0.5, 0.2), (10, 1.0, 2.0), (1, 0.0, 0.0)],
)
def test_full_jitter_schedule(attempt, rand, expected):
    assert backoff_delay(attempt, policy=POLICY, rand=rand) == pytest.approx(expected)


def test_retry_after_is_a_capped_floor():
    policy = RetryPolicy(retry_after_cap=5.0)
    assert backoff_delay(1, policy=policy, rand=0.0, retry_after=3.0) == 3.0
    assert backoff_delay(1, policy=policy, rand=0.0, retry_after=30.0) == 5.0
    assert backoff_delay(1, policy=policy, rand=1.0, retry_after=0.0) == 0.1


@given(
    attempt=st.integers(1, 50),
    rand=st.floats(0, 1, exclude_max=True),
    retry_after=st.none() | st.floats(0, 1e6),
)
def test_delay_is_always_bounded(attempt, rand, retry_after):
    delay = backoff_delay(attempt, policy=POLICY, rand=rand, retry_after=retry_after)
    bound = max(POLICY.max_delay, min(retry_after or 0.0, POLICY.retry_after_cap))
    assert 0 <= delay <= bound


def test_budget_spends_and_refunds():
    budget = RetryBudget(RetryPolicy(budget_capacity=10, budget_retry_cost=5))
    assert budget.try_acquire()
    assert budget.try_acquire()
    assert not budget.try_acquire()
    assert budget.tokens == 0
    budget.on_success()
    assert budget.tokens == 1
    for _ in range(20):
        budget.on_success()
    assert budget.tokens == 10


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"max_attempts": True},
        {"base_delay": 0},
        {"max_delay": -1.0},
        {"retry_after_cap": "5"},
        {"budget_capacity": -1},
    ],
)
def test_bad_policies_are_config_errors(kwargs):
    with pytest.raises(e.ConfigError, match="RetryPolicy"):
        RetryPolicy(**kwargs)
