"""Chat messages: newest-first pages over a fixed lastModifiedDateTime window."""

from datetime import UTC, datetime

from adapters.base import Cursor, FetchMode, FetchRequest
from tests.adapters.graph.conftest import CHAT, NOW, Harness, reply

CHAT_PATH = f"/v1.0/chats/{CHAT}/messages"
START = datetime(2021, 3, 17, 0, 0, tzinfo=UTC)


async def test_incremental_window_filter_and_checkpoint_after_the_last_page(harness: Harness) -> None:
    route = harness.router.get(host="graph.microsoft.com", path=CHAT_PATH)
    route.side_effect = [reply(200, "chat_messages_page1.json"), reply(200, "chat_messages_page2.json")]
    adapter = harness.adapter()
    cursor = Cursor(start=START, lag_seconds=60)

    first = await adapter.fetch_page(FetchRequest(entity="chatMessages", cursor=cursor, page_size=2))
    params = route.calls[0].request.url.params
    assert params["$orderby"] == "lastModifiedDateTime desc"
    assert params["$filter"] == (
        "lastModifiedDateTime gt 2021-03-16T23:58:59.999Z and lastModifiedDateTime lt 2026-11-30T12:00:00.000Z"
    )
    assert params["$top"] == "2"
    assert [r.id for r in first.records] == ["1616964509832", "1615971548136"]
    # Newest first: the checkpoint cannot move until the round is read to its end.
    assert first.checkpoint.start == START and first.checkpoint.token is None
    assert first.next_cursor is not None and first.next_cursor.end == NOW

    second = await adapter.fetch_page(FetchRequest(entity="chatMessages", cursor=first.next_cursor))
    assert str(route.calls[1].request.url) == first.next_cursor.token
    assert second.records == [] and second.deleted_ids == ["1615943825123"]
    assert second.next_cursor is None
    assert second.checkpoint == Cursor(start=NOW, lag_seconds=60)


async def test_full_read_has_no_lower_bound(harness: Harness) -> None:
    route = harness.router.get(host="graph.microsoft.com", path=CHAT_PATH)
    route.side_effect = [reply(200, "chat_messages_page2.json")]
    page = await harness.adapter().fetch_page(FetchRequest(entity="chatMessages", mode=FetchMode.FULL))
    assert route.calls[0].request.url.params["$filter"] == "lastModifiedDateTime lt 2026-11-30T12:00:00.000Z"
    assert page.checkpoint.start == NOW


async def test_boundary_ids_are_not_delivered_twice(harness: Harness) -> None:
    boundary = datetime(2021, 3, 28, 20, 48, 29, 832000, tzinfo=UTC)
    body = reply(200, "chat_messages_page1.json").json()
    body.pop("@odata.nextLink")
    harness.router.get(host="graph.microsoft.com", path=CHAT_PATH).respond(200, json=body)
    cursor = Cursor(start=boundary, boundary_ids=["1616964509832"])
    page = await harness.adapter().fetch_page(FetchRequest(entity="chatMessages", cursor=cursor))
    assert [r.id for r in page.records] == ["1615971548136"]
    assert page.checkpoint.start == NOW
