"""Schedules: next sync time per frequency, and the scheduler's pick of due integrations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from core.models import CronFrequency, Integration, IntervalFrequency, ManualFrequency
from core.schedules import next_cron_time, next_sync_at, select_due

NOW = datetime(2026, 3, 10, 12, 30, 15, tzinfo=UTC)
LAST = datetime(2026, 3, 10, 11, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("frequency", "last", "expected"),
    [
        (IntervalFrequency(interval_minutes=60), LAST, datetime(2026, 3, 10, 12, 5, tzinfo=UTC)),
        (IntervalFrequency(interval_minutes=15), None, NOW),
        # A naive last sync time is read as UTC.
        (IntervalFrequency(interval_minutes=60), datetime(2026, 3, 10, 11, 5), LAST + timedelta(hours=1)),
        (CronFrequency(cron_expression="0 0 * * * *"), LAST, datetime(2026, 3, 10, 12, 0, tzinfo=UTC)),
        (CronFrequency(cron_expression="0 */15 * * * *"), None, datetime(2026, 3, 10, 12, 45, tzinfo=UTC)),
        (CronFrequency(cron_expression="30 0 2 * * *"), LAST, datetime(2026, 3, 11, 2, 0, 30, tzinfo=UTC)),
        (CronFrequency(cron_expression="0 0 9 * * 1-5"), datetime(2026, 3, 13, 10, tzinfo=UTC),
         datetime(2026, 3, 16, 9, tzinfo=UTC)),  # Friday -> Monday
        (ManualFrequency(), LAST, None),
        (ManualFrequency(), None, None),
    ],
)
def test_next_sync_at(frequency, last: datetime | None, expected: datetime | None) -> None:
    assert next_sync_at(frequency, last, NOW) == expected


def test_cron_is_evaluated_in_utc_and_strictly_after() -> None:
    tick = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert next_cron_time("0 0 * * * *", tick) == tick + timedelta(hours=1)
    paris = timezone(timedelta(hours=1))
    in_paris = datetime(2026, 3, 10, 13, 30, tzinfo=paris)
    assert next_cron_time("0 0 * * * *", in_paris) == tick + timedelta(hours=1)


def _integration(ident: str, priority: str = "normal", due_minutes_ago: int | None = 5,
                 state: str = "active") -> Integration:
    return Integration.model_validate({
        "provider": "salesforce", "connection": {}, "integrationId": ident, "priority": priority,
        "state": state,
        "nextSyncAt": None if due_minutes_ago is None else NOW - timedelta(minutes=due_minutes_ago),
        "entityMappings": [{"externalEntity": "Account", "shardTypeId": "account",
                            "fieldMappings": [{"source": "Name", "target": "name"}]}],
    })


def test_select_due_orders_by_priority_then_oldest_and_skips_the_rest() -> None:
    integrations = [
        _integration("low-old", "low", 500),
        _integration("normal-new", "normal", 1),
        _integration("high-new", "high", 1),
        _integration("normal-old", "normal", 90),
        _integration("future", "high", -10),
        _integration("manual", "high", None),
        _integration("paused", "high", 60, state="paused"),
        _integration("reauth", "high", 60, state="needs_reauth"),
        _integration("running", "high", 60),
        _integration("due-now", "normal", 0),
    ]
    picked = select_due(integrations, NOW, running={"running"})
    expected = ["high-new", "normal-old", "normal-new", "due-now", "low-old"]
    assert [i.integration_id for i in picked] == expected


@pytest.mark.parametrize(("cap", "expected"), [(0, 0), (2, 2), (100, 5), (-1, 0)])
def test_select_due_caps_the_batch(cap: int, expected: int) -> None:
    integrations = [_integration(f"i{n}") for n in range(5)]
    assert len(select_due(integrations, NOW, cap=cap)) == expected


def test_select_due_default_cap_is_100_and_ties_break_on_id() -> None:
    integrations = [_integration(f"i{n:03d}") for n in range(150)][::-1]
    picked = select_due(integrations, NOW)
    assert [i.integration_id for i in picked] == [f"i{n:03d}" for n in range(100)]
