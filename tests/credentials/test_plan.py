"""When a credential is due and when the token refresher looks next: table tests of the pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from credentials.models import RefreshOutcome, RefreshPlan, RefreshResult
from credentials.plan import backoff_seconds, earliest_due, next_check_at, refresh_due_at

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
PLAN = RefreshPlan(interval_seconds=6 * 3600, threshold_seconds=3600, min_interval_seconds=60, max_per_generation=50)


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


@pytest.mark.parametrize(("due", "failures", "more", "expected"), [
    (None, 0, False, at(6 * 3600)),  # nothing expiring: the default interval
    (at(2 * 3600), 0, False, at(2 * 3600)),  # a credential due before the interval: then
    (at(10), 0, False, at(60)),  # due in 10 s: not sooner than min_interval
    (at(-300), 0, False, at(60)),  # overdue (it just failed): not sooner than min_interval either
    (at(10 * 3600), 0, False, at(6 * 3600)),  # due after the interval: the interval
    (None, 1, False, at(60)),  # first transient failure: min_interval
    (None, 3, False, at(240)),  # doubling
    (None, 20, False, at(6 * 3600)),  # capped at the interval
    (at(2 * 3600), 3, False, at(240)),  # backoff sooner than the next due time
    (None, 0, True, NOW),  # a backlog: go on at once
    (None, 2, True, at(120)),  # a backlog while failing still backs off
])
def test_next_check(due: datetime | None, failures: int, more: bool, expected: datetime) -> None:
    assert next_check_at(NOW, PLAN, due, failures, more) == expected


@pytest.mark.parametrize(("lifetime", "refreshed", "expected_lead"), [
    (2 * 3600, True, 3600),  # Salesforce-like 2 h session: one hour before expiry
    (1800, True, 900),  # HubSpot's 30 min token: halfway, not on every check
    (1800, False, 3600),  # lifetime unknown (saved by a user, never refreshed): the threshold
    (24 * 3600, True, 3600),
])
def test_refresh_due_at(lifetime: float, refreshed: bool, expected_lead: float) -> None:
    expires = at(lifetime)
    assert refresh_due_at(expires, NOW if refreshed else None, PLAN.threshold_seconds) == expires - timedelta(
        seconds=expected_lead)


def test_backoff_grows_then_caps() -> None:
    assert [backoff_seconds(PLAN, n) for n in range(0, 4)] == [6 * 3600, 60, 120, 240]
    assert backoff_seconds(PLAN, 500) == 6 * 3600


def test_earliest_due_counts_the_handled_and_the_not_yet_due() -> None:
    def outcome(result: RefreshResult, due: datetime | None) -> RefreshOutcome:
        return RefreshOutcome(tenant_id="t", integration_id="i", result=result, next_due_at=due)

    outcomes = [outcome(RefreshResult.REFRESHED, at(7200)), outcome(RefreshResult.ALREADY_FRESH, at(3600)),
                outcome(RefreshResult.NEEDS_REAUTH, None)]
    assert earliest_due(at(9000), outcomes) == at(3600)
    assert earliest_due(at(100), outcomes) == at(100)
    assert earliest_due(None, []) is None
