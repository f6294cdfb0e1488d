"""Cursor arithmetic: closed start boundary, boundary dedupe, lag window."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from adapters.base import Cursor, ExternalRecord
from adapters.incremental import advance, format_timestamp, parse_timestamp, past_boundary, query_floor

T = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def rec(record_id: str, at: datetime | None) -> ExternalRecord:
    return ExternalRecord(id=record_id, modified_at=at, data={})


def test_floor_is_start_minus_lag() -> None:
    assert query_floor(None) is None
    assert query_floor(Cursor()) is None
    assert query_floor(Cursor(start=T, lag_seconds=90)) == T - timedelta(seconds=90)


def test_only_records_seen_at_the_boundary_are_skipped() -> None:
    cursor = Cursor(start=T, boundary_ids=["a"])
    rows = [rec("a", T), rec("b", T), rec("a", T + timedelta(seconds=1)), rec("c", T - timedelta(seconds=5))]
    assert [(r.id, r.modified_at) for r in past_boundary(rows, cursor)] == [
        ("b", T), ("a", T + timedelta(seconds=1)), ("c", T - timedelta(seconds=5))]
    assert past_boundary(rows, None) == rows


def test_advance_keeps_every_id_at_the_newest_timestamp() -> None:
    later = T + timedelta(minutes=1)
    assert advance(Cursor(start=T, boundary_ids=["a"]), [rec("b", T)]).boundary_ids == ["a", "b"]
    moved = advance(Cursor(start=T, boundary_ids=["a"], lag_seconds=30, token="x"),
                    [rec("b", later), rec("c", later), rec("d", T), rec("e", None)])
    assert moved == Cursor(start=later, boundary_ids=["b", "c"], lag_seconds=30)


def test_advance_without_records_keeps_the_cursor_position() -> None:
    assert advance(Cursor(start=T, boundary_ids=["a"]), []) == Cursor(start=T, boundary_ids=["a"])
    assert advance(None, []) == Cursor()


def test_provider_timestamps() -> None:
    assert parse_timestamp("2024-03-01T12:00:00.000+0000") == T
    assert parse_timestamp("2024-03-01T12:00:00Z") == T
    assert parse_timestamp("2024-03-01T12:00:00") == T
    assert parse_timestamp("yesterday") is None
    assert parse_timestamp(1709294400000) is None


@pytest.mark.parametrize(
    "value",
    [
        T,
        T.replace(microsecond=1),
        T.replace(microsecond=999_999),
        datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 500, tzinfo=UTC),
        parse_timestamp("2024-03-01T12:00:00.000+0000"),
        datetime(2024, 3, 1, 12, 0, 0, 250, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        datetime(2024, 3, 1, 12, 0, tzinfo=timezone(timedelta(seconds=-5))),  # an offset orjson would round
        datetime(2024, 3, 1, 12, 0),
    ],
)
def test_timestamp_text_is_isoformat(value: datetime | None) -> None:
    assert value is not None
    assert format_timestamp(value) == value.isoformat()
    assert datetime.fromisoformat(format_timestamp(value)) == value
