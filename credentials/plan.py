"""When the token refresher looks again: a pure function of orchestration time and outcomes.

Every ``interval`` by default (seed 000: 6 hours); sooner when a credential will enter the
threshold window before that; after a transient failure, an exponential backoff from
``min_interval`` (doubling per consecutive failing generation, capped at ``interval``). Never
sooner than ``min_interval`` (except to work through a backlog larger than one generation), so a credential
that keeps failing cannot spin the orchestration.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from credentials.models import RefreshOutcome, RefreshPlan, RefreshResult


def earliest_expiry(next_expiry: datetime | None, outcomes: Iterable[RefreshOutcome]) -> datetime | None:
    """The nearest expiry among credentials not due now and those just refreshed."""
    candidates = [o.expires_at for o in outcomes
                  if o.expires_at is not None and o.result in (RefreshResult.REFRESHED, RefreshResult.ALREADY_FRESH)]
    if next_expiry is not None:
        candidates.append(next_expiry)
    return min(candidates) if candidates else None


def backoff_seconds(plan: RefreshPlan, failures: int) -> float:
    """Delay after ``failures`` consecutive failing generations (0 means no backoff: the interval)."""
    if failures <= 0:
        return plan.interval_seconds
    return min(plan.interval_seconds, plan.min_interval_seconds * 2 ** min(failures - 1, 30))


def next_check_at(now: datetime, plan: RefreshPlan, expiry: datetime | None, failures: int,
                  more_due: bool = False) -> datetime:
    """The fire time of the next generation's timer."""
    if more_due and failures == 0:
        return now  # a backlog larger than one generation, all going well: go on at once
    floor = now + timedelta(seconds=plan.min_interval_seconds)
    at = now + timedelta(seconds=backoff_seconds(plan, failures))
    if expiry is not None:
        at = min(at, expiry - timedelta(seconds=plan.threshold_seconds))
    return max(at, floor)
