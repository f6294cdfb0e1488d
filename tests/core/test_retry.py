"""Retry decisions: table-driven over the error tree, attempts and Retry-After."""

from __future__ import annotations

import pytest

from core import errors
from core.retry import DEFAULT_POLICY, RetryDecision, RetryPolicy, decide


@pytest.mark.parametrize(
    ("error", "attempt", "retry", "delay"),
    [
        (errors.RateLimited("429"), 1, True, 5.0),
        (errors.Timeout("slow"), 2, True, 10.0),
        (errors.ServiceUnavailable("503"), 3, True, 20.0),
        (errors.ConnectionReset("reset"), 4, True, 40.0),
        (errors.ServiceUnavailable("503"), 7, True, 300.0),  # 5 * 2**6 = 320, capped
        (errors.ServiceUnavailable("503"), 9, True, 300.0),
        (errors.ServiceUnavailable("503"), 10, False, 0.0),  # the 10th attempt was the last
        (errors.TransientError("generic"), 1, True, 5.0),
        (errors.RateLimited("429", retry_after=42), 1, True, 42.0),
        (errors.RateLimited("429", retry_after=0), 3, True, 0.0),
        (errors.RateLimited("quota", retry_after=10 * 86_400), 1, True, 86_400.0),
        (errors.ServiceUnavailable("503", retry_after=2.5), 9, True, 2.5),
        (errors.RateLimited("429", retry_after=30), 10, False, 0.0),
        (errors.AuthenticationFailed("401"), 1, False, 0.0),
        (errors.AuthExpired("expired"), 1, False, 0.0),
        (errors.InvalidCredentials("bad key"), 1, False, 0.0),
        (errors.InvalidGrant("invalid_grant"), 1, False, 0.0),
        (errors.NotFound("404"), 1, False, 0.0),
        (errors.ValidationFailed("400", field_errors={"Name": "required"}), 1, False, 0.0),
        (errors.PermissionDenied("403"), 1, False, 0.0),
        (errors.PreconditionFailed("412"), 1, False, 0.0),
        (errors.ResyncRequired("410"), 1, False, 0.0),
        (errors.ConfigError("bad"), 1, False, 0.0),
        (ValueError("a bug"), 1, False, 0.0),
    ],
)
def test_decide(error: BaseException, attempt: int, retry: bool, delay: float) -> None:
    decision = decide(error, attempt)
    assert (decision.retry, decision.delay_seconds) == (retry, delay)
    assert decision.reason


def test_errors_that_crossed_an_activity_boundary_decide_the_same() -> None:
    for error in (errors.RateLimited("429", retry_after=7, status=429), errors.NotFound("gone", status=404)):
        assert decide(error.to_dict(), 2) == decide(error, 2)


def test_camel_case_retry_after_is_honoured() -> None:
    decision = decide({"code": "RATE_LIMIT", "message": "429", "retryAfter": 12}, 1)
    assert (decision.retry, decision.delay_seconds) == (True, 12.0)
    assert decide({"code": "NO_SUCH_CODE", "message": "?"}, 1).retry is False


def test_reasons_name_the_error_class_of_the_seeds() -> None:
    assert "RATE_LIMIT" in decide(errors.RateLimited("x", retry_after=3), 1).reason
    assert decide(errors.ValidationFailed("x"), 1).reason == "VALIDATION_ERROR is not retryable"
    assert "gave up after 10 attempts" in decide(errors.Timeout("x"), 10).reason


def test_backoff_is_deterministic_and_bounded() -> None:
    assert [DEFAULT_POLICY.backoff(a) for a in range(1, 9)] == [5, 10, 20, 40, 80, 160, 300, 300]
    assert DEFAULT_POLICY.backoff(10_000) == 300
    policy = RetryPolicy(max_attempts=3, initial_delay_seconds=1, max_delay_seconds=60, multiplier=3)
    assert [decide(errors.Timeout("x"), a, policy).delay_seconds for a in (1, 2, 3)] == [1, 3, 0]


@pytest.mark.parametrize(
    ("decision", "short"),
    [
        (RetryDecision(True, 2.0, ""), True),
        (RetryDecision(True, 5.0, ""), True),
        (RetryDecision(True, 30.0, ""), False),
        (RetryDecision(False, 0.0, ""), False),
    ],
)
def test_short_waits_stay_in_place_long_ones_go_to_a_timer(decision: RetryDecision, short: bool) -> None:
    assert decision.is_short() is short
