"""The adapter interface models cross activity boundaries as JSON unchanged."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from adapters.base import (
    DEFAULT_LIMITS,
    Cursor,
    ExternalRecord,
    FetchMode,
    FetchRequest,
    LimitSnapshot,
    Page,
    WriteResult,
)

T0 = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


def test_page_round_trips_through_json() -> None:
    page = Page(
        records=[ExternalRecord(id="001A", version="v1", modified_at=T0, data={"Name": "Acme"})],
        deleted_ids=["001B"],
        next_cursor=Cursor(start=T0, boundary_ids=["001A"], token="/services/data/v60.0/query/01g-200"),
        checkpoint=Cursor(start=T0, boundary_ids=["001A"], lag_seconds=30),
        limits=LimitSnapshot(provider="salesforce", daily_used=10, daily_limit=100_000),
    )
    assert Page.model_validate(page.model_dump(mode="json")) == page


def test_fetch_request_defaults_and_bounds() -> None:
    req = FetchRequest.model_validate({"entity": "Account", "mode": "full"})
    assert req.mode is FetchMode.FULL and req.cursor is None and req.page_size == 200
    with pytest.raises(ValidationError):
        FetchRequest(entity="Account", page_size=0)
    with pytest.raises(ValidationError):
        FetchRequest.model_validate({"entity": "Account", "surprise": 1})


def test_seed_defaults_and_integration_overrides() -> None:
    sf = DEFAULT_LIMITS["salesforce"]
    assert (sf.requests_per_second, sf.requests_per_day) == (25, 100_000)
    dyn = DEFAULT_LIMITS["dynamics"]
    assert (dyn.window_requests, dyn.window_seconds) == (6_000, 300)
    assert DEFAULT_LIMITS["graph"].requests_per_second == 30
    tuned = sf.with_overrides({"requestsPerSecond": 5})
    assert (tuned.requests_per_second, tuned.requests_per_day) == (5, 100_000)
    assert sf.with_overrides(None) is sf


def test_write_result_is_json_safe() -> None:
    res = WriteResult(external_id="001A", version="2024-01-01T12:00:00.000+0000", created=True)
    assert WriteResult.model_validate_json(res.model_dump_json()) == res
