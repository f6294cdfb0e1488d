"""When to refresh a credential, and when the token refresher looks again: pure functions.

A credential is due ``threshold`` before it expires (seed 000: 60 minutes), or halfway through
its token's lifetime when the token lives less than twice the threshold (a 30-minute HubSpot token
is renewed every 15 minutes, not on every check).

The next check comes after ``interval`` (seed 000: 6 hours); sooner when a credential becomes due
before that; after a transient failure, after an exponential backoff from ``min_interval``
(doubling per consecutive failing generation, capped at ``interval``). Never sooner than
``min_interval`` (except to work through a backlog larger than one generation), so a credential
that keeps failing cannot spin the orchestration.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from credentials.models import RefreshOutcome, RefreshPlan


def refresh_due_at(expires_at: datetime, last_refreshed_at: datetime | None, threshold_seconds: float) -> datetime:
    """When a token expiring at ``expires_at`` should be renewed (see the module docstring)."""
    lead = timedelta(seconds=threshold_seconds)
    if last_refreshed_at is not None and expires_at > last_refreshed_at:
        lead = min(lead, (expires_at - last_refreshed_at) / 2)
    return expires_at - lead


def earliest_due(next_due_at: datetime | None, outcomes: Iterable[RefreshOutcome]) -> datetime | None:
    """The soonest refresh time among credentials not due now and those just handled."""
    candidates = [o.next_due_at for o in outcomes if o.next_due_at is not None]
    if next_due_at is not None:
        candidates.append(next_due_at)
    return min(candidates) if candidates else None


def backoff_seconds(plan: RefreshPlan, failures: int) -> float:
    """Delay after ``failures`` consecutive failing generations (0 means no backoff: the interval)."""
    if failures <= 0:
        return plan.interval_seconds
    return min(plan.interval_seconds, plan.min_interval_seconds * 2 ** min(failures - 1, 30))


def next_check_at(now: datetime, plan: RefreshPlan, due_at: datetime | None, failures: int,
                  more_due: bool = False) -> datetime:
    """The fire time of the next generation's timer."""
    if more_due and failures == 0:
        return now  # a backlog larger than one generation, all going well: go on at once
    floor = now + timedelta(seconds=plan.min_interval_seconds)
    at = now + timedelta(seconds=backoff_seconds(plan, failures))
    if due_at is not None:
        at = min(at, due_at)
    return max(at, floor)
