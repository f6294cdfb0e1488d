"""Zoom lists with next_page_token, recordings by date windows, Server-to-Server OAuth."""

import base64
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
import pytest

from adapters.base import Cursor, FetchMode, FetchRequest
from core.errors import MalformedResponse
from tests.adapters.zoom.conftest import NOW, Harness, reply


async def test_users_pages_until_the_token_is_empty(harness: Harness) -> None:
    route = harness.route("GET", "/users")
    route.side_effect = [reply(200, "users_page1.json"), reply(200, "users_page2.json")]
    adapter = harness.adapter()
    first = await adapter.fetch_page(FetchRequest(entity="users", mode=FetchMode.FULL, page_size=1000))
    assert [r.id for r in first.records] == ["KDcuGIm1QgePTO8WbOqwIQ", "z8yCxjabcdEFGHfp8uQ"]
    assert first.next_cursor == Cursor(token="Tva2CuIdTgsv8wAnhyAdU3m06Y2HuLQtlh3")
    second = await adapter.fetch_page(FetchRequest(entity="users", mode=FetchMode.FULL, cursor=first.next_cursor))
    assert [r.id for r in second.records] == ["Hq2s7XyZ001"] and second.next_cursor is None

    p1, p2 = (c.request.url.params for c in route.calls)
    assert p1["page_size"] == "300" and p1["status"] == "active" and "next_page_token" not in p1
    assert p2["next_page_token"] == "Tva2CuIdTgsv8wAnhyAdU3m06Y2HuLQtlh3" and p2["status"] == "active"


async def test_server_to_server_token_request(harness: Harness) -> None:
    harness.route("GET", "/users").mock(return_value=reply(200, "users_page2.json"))
    await harness.adapter().fetch_page(FetchRequest(entity="users"))
    request = harness.token_route.calls[0].request
    assert parse_qs(request.content.decode()) == {
        "grant_type": ["account_credentials"],
        "account_id": ["Cx3wERazSgup7ZWRHQM8-w"],
    }
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"zoom-client:zoom-secret").decode()


async def test_meetings_of_the_connection_user(harness: Harness) -> None:
    route = harness.route("GET", "/users/me/meetings")
    route.side_effect = [reply(200, "meetings_page1.json"), reply(200, "meetings_page2.json")]
    first = await harness.adapter().fetch_page(FetchRequest(entity="meetings"))
    assert [r.id for r in first.records] == ["85746065432", "85746065433"]
    assert route.calls[0].request.url.params["type"] == "scheduled"


async def test_incremental_recordings_window_with_lag_and_checkpoint(harness: Harness) -> None:
    route = harness.route("GET", "/users/me/recordings")
    route.side_effect = [reply(200, "recordings_page1.json"), reply(200, "recordings_page2.json")]
    adapter = harness.adapter()
    start = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
    first = await adapter.fetch_page(FetchRequest(entity="recordings", cursor=Cursor(start=start)))
    assert [r.id for r in first.records] == ["w1JmcOn0SSqCKlk4Hy+BoA=="]
    assert first.records[0].modified_at == datetime(2026, 11, 10, 17, 0, tzinfo=UTC)
    assert first.checkpoint == Cursor(start=start)  # not moved mid-window
    second = await adapter.fetch_page(FetchRequest(entity="recordings", cursor=first.next_cursor))
    assert second.next_cursor is None and second.checkpoint == Cursor(start=NOW)

    p1, p2 = (c.request.url.params for c in route.calls)
    assert (p1["from"], p1["to"]) == ("2026-11-09", "2026-11-30")  # a day of lag, day-granular
    assert (p2["from"], p2["to"], p2["next_page_token"]) == ("2026-11-09", "2026-11-30", "Rk9w2sD0BPAGE2")


async def test_full_recordings_read_walks_month_windows_up_to_today(harness: Harness) -> None:
    route = harness.route("GET", "/users/me/recordings").mock(return_value=reply(200, "recordings_empty.json"))
    adapter = harness.adapter(recordingsLookbackDays=40)
    page = await adapter.fetch_page(FetchRequest(entity="recordings", mode=FetchMode.FULL))
    windows = []
    while True:
        windows.append((route.calls[-1].request.url.params["from"], route.calls[-1].request.url.params["to"]))
        if page.next_cursor is None:
            break
        assert page.checkpoint == page.next_cursor  # everything before the next window is delivered
        page = await adapter.fetch_page(FetchRequest(entity="recordings", mode=FetchMode.FULL, cursor=page.next_cursor))
    assert windows == [("2026-10-21", "2026-11-19"), ("2026-11-19", "2026-11-30")]
    assert page.checkpoint == Cursor(start=NOW)


async def test_boundary_ids_are_skipped(harness: Harness) -> None:
    harness.route("GET", "/users/me/recordings").mock(return_value=reply(200, "recordings_page2.json"))
    start = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    cursor = Cursor(start=start, boundary_ids=["x2KndPo1TTrDLml5Iz+CpB=="])
    page = await harness.adapter().fetch_page(FetchRequest(entity="recordings", cursor=cursor))
    assert page.records == []


async def test_expired_page_token_asks_for_a_resync(harness: Harness) -> None:
    harness.route("GET", "/users").mock(return_value=reply(400, "error_next_page_token_expired.json"))
    page = await harness.adapter().fetch_page(FetchRequest(entity="users", cursor=Cursor(token="stale")))
    assert page.resync_required


@pytest.mark.parametrize(
    "content",
    [
        b'{"users": [{"id": "a"',
        b"not json",
        b'{"next_page_token": ""}',
        b'{"users": [{"email": "x"}]}',
        b'{"users": [], "next_page_token": 5}',
        b"[]",
    ],
)
async def test_malformed_pages_are_typed_errors(harness: Harness, content: bytes) -> None:
    harness.route("GET", "/users").mock(return_value=httpx.Response(200, content=content))
    with pytest.raises(MalformedResponse):
        await harness.adapter().fetch_page(FetchRequest(entity="users"))
