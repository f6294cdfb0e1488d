"""When the token refresher looks next: table tests of the pure planning function."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from credentials.models import RefreshOutcome, RefreshPlan, RefreshResult
from credentials.plan import backoff_seconds, earliest_expiry, next_check_at

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
PLAN = RefreshPlan(interval_seconds=6 * 3600, threshold_seconds=3600, min_interval_seconds=60, max_per_generation=50)


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


@pytest.mark.parametrize(("expiry", "failures", "more", "expected"), [
    (None, 0, False, at(6 * 3600)),  # nothing expiring: the default interval
    (at(3 * 3600), 0, False, at(2 * 3600)),  # an expiry before the interval: when it enters the threshold
    (at(3600 + 10), 0, False, at(60)),  # entering the threshold in 10 s: not sooner than min_interval
    (at(10 * 3600), 0, False, at(6 * 3600)),  # far expiry: the interval
    (None, 1, False, at(60)),  # first transient failure: min_interval
    (None, 3, False, at(240)),  # doubling
    (None, 20, False, at(6 * 3600)),  # capped at the interval
    (at(3 * 3600), 3, False, at(240)),  # backoff sooner than the expiry
    (None, 0, True, NOW),  # a backlog: go on at once
    (None, 2, True, at(120)),  # a backlog while failing still backs off
])
def test_next_check(expiry: datetime | None, failures: int, more: bool, expected: datetime) -> None:
    assert next_check_at(NOW, PLAN, expiry, failures, more) == expected


def test_backoff_grows_then_caps() -> None:
    assert [backoff_seconds(PLAN, n) for n in range(0, 4)] == [6 * 3600, 60, 120, 240]
    assert backoff_seconds(PLAN, 500) == 6 * 3600


def test_earliest_expiry_counts_successes_and_the_not_yet_due() -> None:
    def outcome(result: RefreshResult, expires: datetime | None) -> RefreshOutcome:
        return RefreshOutcome(tenant_id="t", integration_id="i", result=result, expires_at=expires)

    outcomes = [outcome(RefreshResult.REFRESHED, at(7200)), outcome(RefreshResult.TRANSIENT_FAILURE, at(5)),
                outcome(RefreshResult.ALREADY_FRESH, at(3600)), outcome(RefreshResult.NEEDS_REAUTH, None)]
    assert earliest_expiry(at(9000), outcomes) == at(3600)
    assert earliest_expiry(at(100), outcomes) == at(100)
    assert earliest_expiry(None, []) is None
