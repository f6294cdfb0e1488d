"""When integrations sync next, and which due ones the scheduler starts first.

Times are UTC. ``interval`` counts from the last sync (a new integration is due at once);
``cron`` is a 6-field NCRONTAB expression (``second minute hour day month day-of-week``, as
Azure Functions timers use), its next occurrence after the last sync (after ``now`` for a new
integration); ``manual`` never schedules.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from datetime import UTC, datetime, timedelta

from croniter import croniter

from core.models.enums import IntegrationState, Priority
from core.models.frequency import CronFrequency, IntervalFrequency, ManualFrequency
from core.models.integration import Integration

PRIORITY_RANK: dict[Priority, int] = {Priority.HIGH: 0, Priority.NORMAL: 1, Priority.LOW: 2}
DEFAULT_BATCH_CAP = 100


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def next_cron_time(expression: str, after: datetime) -> datetime:
    """The first occurrence of a 6-field NCRONTAB ``expression`` strictly after ``after`` (UTC)."""
    return _utc(croniter(expression, _utc(after), second_at_beginning=True).get_next(datetime))


def next_sync_at(
    frequency: IntervalFrequency | CronFrequency | ManualFrequency,
    last: datetime | None,
    now: datetime,
) -> datetime | None:
    """When the next scheduled sync is due; ``None`` for manual integrations.

    The result may lie before ``now``: the integration is then simply due.
    """
    if isinstance(frequency, IntervalFrequency):
        return _utc(now) if last is None else _utc(last) + timedelta(minutes=frequency.interval_minutes)
    if isinstance(frequency, CronFrequency):
        return next_cron_time(frequency.cron_expression, now if last is None else last)
    return None


def _sort_key(integration: Integration) -> tuple[int, datetime, str]:
    # next_sync_at is never None here: select_due filtered on it.
    due = integration.next_sync_at or datetime.min.replace(tzinfo=UTC)
    return PRIORITY_RANK[integration.priority], due, integration.integration_id or ""


def is_due(integration: Integration, now: datetime) -> bool:
    """Active, scheduled, and ``nextSyncAt <= now``."""
    return (
        integration.state == IntegrationState.ACTIVE
        and integration.next_sync_at is not None
        and integration.next_sync_at <= _utc(now)
    )


def select_due(
    integrations: Iterable[Integration],
    now: datetime,
    *,
    cap: int = DEFAULT_BATCH_CAP,
    running: Container[str] = (),
) -> list[Integration]:
    """The integrations to start now: due ones not already running, high before normal before
    low, then the longest overdue first, at most ``cap``. Ties break on the id, so the choice
    is deterministic."""
    due = [i for i in integrations if is_due(i, now) and i.integration_id not in running]
    return sorted(due, key=_sort_key)[: max(cap, 0)]
