"""Gong users by records.cursor, calls by [fromDateTime, toDateTime) windows, the empty-window 404."""

import base64
from datetime import UTC, datetime

import httpx
import pytest

from adapters.base import Cursor, FetchMode, FetchRequest
from core.errors import MalformedResponse, NotFound
from tests.adapters.gong.conftest import NOW, Harness, reply


async def test_users_follow_records_cursor_with_basic_auth(harness: Harness) -> None:
    route = harness.route("GET", "/v2/users")
    route.side_effect = [reply(200, "users_page1.json"), reply(200, "users_page2.json")]
    adapter = harness.adapter()
    first = await adapter.fetch_page(FetchRequest(entity="users", mode=FetchMode.FULL))
    assert [r.id for r in first.records] == ["234599484848423", "234599484848424"]
    assert first.next_cursor == Cursor(token="eyJhbGciOiJIUzI1NiJ9.users-page-2")
    second = await adapter.fetch_page(FetchRequest(entity="users", mode=FetchMode.FULL, cursor=first.next_cursor))
    assert [r.id for r in second.records] == ["234599484848425"] and second.next_cursor is None

    first_call, second_call = route.calls
    assert "cursor" not in first_call.request.url.params
    assert second_call.request.url.params["cursor"] == "eyJhbGciOiJIUzI1NiJ9.users-page-2"
    expected = "Basic " + base64.b64encode(b"GONG-ACCESS-KEY:gong-secret").decode()
    assert first_call.request.headers["Authorization"] == expected


async def test_incremental_calls_window_with_processing_lag(harness: Harness) -> None:
    route = harness.route("GET", "/v2/calls")
    route.side_effect = [reply(200, "calls_page1.json"), reply(200, "calls_page2.json")]
    adapter = harness.adapter(workspaceId="623457276584334")
    start = datetime(2026, 11, 10, 0, 0, tzinfo=UTC)
    first = await adapter.fetch_page(FetchRequest(entity="calls", cursor=Cursor(start=start)))
    assert [r.id for r in first.records] == ["7782342274025937895", "7782342274025937896"]
    assert first.records[0].modified_at == datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
    assert first.checkpoint == Cursor(start=start)
    second = await adapter.fetch_page(FetchRequest(entity="calls", cursor=first.next_cursor))
    assert [r.id for r in second.records] == ["7782342274025937897"]
    assert second.next_cursor is None and second.checkpoint == Cursor(start=NOW)

    p1, p2 = (c.request.url.params for c in route.calls)
    assert (p1["fromDateTime"], p1["toDateTime"]) == ("2026-11-09T18:00:00Z", "2026-11-30T12:00:00Z")
    assert p1["workspaceId"] == "623457276584334" and "cursor" not in p1
    assert (p2["fromDateTime"], p2["toDateTime"]) == (p1["fromDateTime"], p1["toDateTime"])
    assert p2["cursor"] == "eyJhbGciOiJIUzI1NiJ9.calls-page-2"


async def test_full_calls_read_has_no_lower_bound(harness: Harness) -> None:
    route = harness.route("GET", "/v2/calls").mock(return_value=reply(200, "calls_page2.json"))
    page = await harness.adapter().fetch_page(FetchRequest(entity="calls", mode=FetchMode.FULL))
    assert "fromDateTime" not in route.calls[0].request.url.params
    assert page.checkpoint == Cursor(start=NOW)


async def test_empty_window_404_is_an_empty_page(harness: Harness) -> None:
    harness.route("GET", "/v2/calls").mock(return_value=reply(404, "error_404_no_calls.json"))
    start = datetime(2026, 11, 29, tzinfo=UTC)
    page = await harness.adapter().fetch_page(FetchRequest(entity="calls", cursor=Cursor(start=start)))
    assert page.records == [] and page.next_cursor is None
    assert page.checkpoint == Cursor(start=NOW)


async def test_other_404_is_not_found(harness: Harness) -> None:
    harness.route("GET", "/v2/calls").mock(return_value=reply(404, "error_404_other.json"))
    with pytest.raises(NotFound):
        await harness.adapter().fetch_page(FetchRequest(entity="calls"))


async def test_boundary_ids_are_skipped(harness: Harness) -> None:
    harness.route("GET", "/v2/calls").mock(return_value=reply(200, "calls_page2.json"))
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    cursor = Cursor(start=start, boundary_ids=["7782342274025937897"])
    page = await harness.adapter().fetch_page(FetchRequest(entity="calls", cursor=cursor))
    assert page.records == []


async def test_stale_cursor_asks_for_a_resync(harness: Harness) -> None:
    harness.route("GET", "/v2/users").mock(return_value=reply(400, "error_400_cursor.json"))
    page = await harness.adapter().fetch_page(FetchRequest(entity="users", cursor=Cursor(token="old")))
    assert page.resync_required


@pytest.mark.parametrize(
    "content",
    [
        b'{"requestId": "x", "calls": [',
        b"<html/>",
        b'{"requestId": "x"}',
        b'{"calls": [{"title": "no id"}]}',
        b'{"calls": [], "records": {"cursor": 12}}',
        b'{"calls": [], "records": []}',
    ],
)
async def test_malformed_pages_are_typed_errors(harness: Harness, content: bytes) -> None:
    harness.route("GET", "/v2/calls").mock(return_value=httpx.Response(200, content=content))
    with pytest.raises(MalformedResponse):
        await harness.adapter().fetch_page(FetchRequest(entity="calls"))
