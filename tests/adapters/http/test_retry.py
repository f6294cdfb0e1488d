"""The retry decision table, and the tenacity wiring that obeys it."""

import pytest

from adapters.http.retry import RetryPolicy, decide, retrying
from core import errors as e

CAP = "retry-after beyond the in-process cap"
POLICY = RetryPolicy(max_attempts=4, base_delay=0.5, max_delay=8.0, max_wait=30.0)

CASES = [
    # error, attempt, idempotent, jitter -> retry, wait, reason
    (e.RateLimited("x", retry_after=7), 1, True, 0.0, True, 7.0, "retry-after"),
    (e.RateLimited("x", retry_after=30), 1, True, 0.0, True, 30.0, "retry-after"),
    (e.RateLimited("x", retry_after=31), 1, True, 0.0, False, 0.0, CAP),
    (e.RateLimited("x", retry_after=3600), 1, False, 0.0, False, 0.0, CAP),
    (e.RateLimited("x"), 1, False, 0.0, True, 0.25, "backoff"),
    (e.ServiceUnavailable("x", status=503, retry_after=2), 2, False, 0.0, True, 2.0, "retry-after"),
    (e.ServiceUnavailable("x", status=500), 1, False, 0.0, False, 0.0,
     "non-idempotent request may have been applied"),
    (e.Timeout("x"), 1, False, 0.0, False, 0.0, "non-idempotent request may have been applied"),
    (e.Timeout("x"), 1, True, 0.0, True, 0.25, "backoff"),
    (e.ConnectionReset("x"), 2, True, 0.0, True, 0.5, "backoff"),
    (e.ConnectionReset("x"), 3, True, 0.999999, True, 2.0, "backoff"),
    (e.ServiceUnavailable("x"), 4, True, 0.0, False, 0.0, "attempts exhausted"),
    (e.NotFound("x"), 1, True, 0.0, False, 0.0, "not retryable"),
    (e.AuthExpired("x"), 1, True, 0.0, False, 0.0, "not retryable"),
    (ValueError("x"), 1, True, 0.0, False, 0.0, "not retryable"),
]


@pytest.mark.parametrize(("error", "attempt", "idempotent", "jitter", "retry", "wait", "reason"), CASES)
def test_decision_table(error, attempt, idempotent, jitter, retry, wait, reason) -> None:
    d = decide(error, attempt, POLICY, idempotent=idempotent, jitter=jitter)
    assert (d.retry, d.reason) == (retry, reason)
    assert d.wait == pytest.approx(wait, abs=1e-4)


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(max_attempts=20, base_delay=1, max_delay=8)
    assert decide(e.Timeout("x"), 10, policy, jitter=0.999999).wait == pytest.approx(8.0, abs=1e-4)


async def test_tenacity_sleeps_the_decided_waits_then_reraises_the_typed_error() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    calls = 0
    with pytest.raises(e.RateLimited):
        async for attempt in retrying(POLICY, idempotent=True, sleep=sleep, jitter=lambda: 0.0):
            with attempt:
                calls += 1
                raise e.RateLimited("slow down", retry_after=1.5)
    assert calls == 4 and slept == [1.5, 1.5, 1.5]


async def test_tenacity_stops_at_once_on_a_long_retry_after() -> None:
    async def sleep(seconds: float) -> None:
        raise AssertionError("must not sleep")

    with pytest.raises(e.RateLimited) as info:
        async for attempt in retrying(POLICY, idempotent=True, sleep=sleep, jitter=lambda: 0.0):
            with attempt:
                raise e.RateLimited("daily quota", retry_after=86_400)
    assert info.value.retry_after == 86_400
