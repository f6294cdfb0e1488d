"""driveItems and channel messages through delta: pages, deletions, the delta link, resync."""

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from adapters.base import Cursor, FetchMode, FetchRequest
from core.errors import MalformedResponse, ResyncRequired
from tests.adapters.graph.conftest import CHANNEL, TEAM, Harness, load, reply

DRIVE_DELTA = "/v1.0/drives/b!drive1/root/delta"
CHANNEL_DELTA = f"/v1.0/teams/{TEAM}/channels/{CHANNEL}/messages/delta"


async def test_full_delta_round_pages_until_the_delta_link(harness: Harness) -> None:
    route = harness.router.get(host="graph.microsoft.com", path=DRIVE_DELTA)
    route.side_effect = [reply(200, "drive_delta_page1.json"), reply(200, "drive_delta_page2.json")]
    adapter = harness.adapter()

    first = await adapter.fetch_page(FetchRequest(entity="driveItems", mode=FetchMode.FULL, page_size=200))
    assert [r.id for r in first.records] == ["0123456789abc", "123010204abac"]
    assert first.records[1].version == '"{A1B2C3D4-0002},3"'
    assert first.next_cursor is not None
    assert first.next_cursor.token == load("drive_delta_page1.json")["@odata.nextLink"]
    assert first.checkpoint.token == first.next_cursor.token

    second = await adapter.fetch_page(FetchRequest(entity="driveItems", cursor=first.next_cursor))
    assert [r.id for r in second.records] == ["99887766aa"]
    assert second.deleted_ids == ["2353010204ddgg"]  # the 'deleted' facet
    assert second.next_cursor is None
    assert second.checkpoint.token == load("drive_delta_page2.json")["@odata.deltaLink"]

    first_url, second_url = (call.request.url for call in route.calls)
    assert parse_qs(first_url.query.decode())["$top"] == ["200"]
    assert str(second_url) == first.next_cursor.token  # the link is requested as is
    assert all(c.request.headers["Authorization"].endswith("graph-access-1") for c in route.calls)
    assert harness.token_route.call_count == 1
    token_form = parse_qs(harness.token_route.calls[0].request.content.decode())
    assert token_form["grant_type"] == ["client_credentials"]
    assert token_form["scope"] == ["https://graph.microsoft.com/.default"]


async def test_incremental_from_the_delta_link_reports_removed_items(harness: Harness) -> None:
    delta_link = load("drive_delta_page2.json")["@odata.deltaLink"]
    route = harness.router.get(host="graph.microsoft.com", path=DRIVE_DELTA)
    route.side_effect = [reply(200, "drive_delta_incremental.json")]
    page = await harness.adapter().fetch_page(FetchRequest(entity="driveItems", cursor=Cursor(token=delta_link)))
    assert [r.data["name"] for r in page.records] == ["file-renamed.txt"]
    assert page.deleted_ids == ["0123456789abc", "99887766aa"]  # @removed deleted and changed
    assert page.next_cursor is None
    assert page.checkpoint.token.endswith("token=NEXTTOKEN2")
    assert parse_qs(urlsplit(str(route.calls[0].request.url)).query)["token"] == ["MzslMjM0OyUyMzE7MzsyM2YwNDVh"]


async def test_same_item_twice_in_a_page_keeps_the_last_occurrence(harness: Harness) -> None:
    body = {
        "value": [
            {"id": "a", "name": "v1", "eTag": "1"},
            {"id": "a", "@removed": {"reason": "deleted"}},
            {"id": "b", "name": "x", "deleted": {}},
            {"id": "b", "name": "back", "eTag": "9"},
        ],
        "@odata.deltaLink": "https://graph.microsoft.com/v1.0/drives/b!drive1/root/delta?token=T",
    }
    harness.router.get(host="graph.microsoft.com", path=DRIVE_DELTA).respond(200, json=body)
    page = await harness.adapter().fetch_page(FetchRequest(entity="driveItems"))
    assert page.deleted_ids == ["a"]
    assert [(r.id, r.version) for r in page.records] == [("b", "9")]


@pytest.mark.parametrize(
    ("status", "fixture"),
    [(410, "error_410_resync.json"), (400, "error_sync_state_not_found.json"), (410, None)],
)
async def test_expired_delta_token_asks_for_a_full_resync(harness: Harness, status: int, fixture: str) -> None:
    headers = {"Location": "https://graph.microsoft.com/v1.0/drives/b!drive1/root/delta"}
    harness.router.get(host="graph.microsoft.com", path=DRIVE_DELTA).mock(
        return_value=reply(status, fixture, headers=headers)
    )
    adapter = harness.adapter()
    page = await adapter.fetch_page(FetchRequest(entity="driveItems", cursor=Cursor(token=BASE_LINK)))
    assert page.resync_required is True
    assert page.records == [] and page.checkpoint.token is None
    assert isinstance(adapter.classify(reply(status, fixture)), ResyncRequired)


BASE_LINK = "https://graph.microsoft.com/v1.0/drives/b!drive1/root/delta?token=OLD"


async def test_resync_on_a_fresh_enumeration_is_an_error_not_a_loop(harness: Harness) -> None:
    harness.router.get(host="graph.microsoft.com", path=DRIVE_DELTA).mock(
        return_value=reply(410, "error_410_resync.json")
    )
    with pytest.raises(ResyncRequired):
        await harness.adapter().fetch_page(FetchRequest(entity="driveItems", mode=FetchMode.FULL))


async def test_channel_messages_delta_and_soft_deleted_messages(harness: Harness) -> None:
    route = harness.router.get(host="graph.microsoft.com", path=CHANNEL_DELTA)
    route.side_effect = [
        reply(200, "channel_messages_delta_page1.json"),
        reply(200, "channel_messages_delta_page2.json"),
        reply(200, "channel_messages_delta_incremental.json"),
    ]
    adapter = harness.adapter()
    first = await adapter.fetch_page(FetchRequest(entity="channelMessages", page_size=500))
    assert parse_qs(route.calls[0].request.url.query.decode())["$top"] == ["50"]  # Teams caps $top at 50
    assert first.next_cursor is not None and "$skiptoken=" in first.next_cursor.token
    second = await adapter.fetch_page(FetchRequest(entity="channelMessages", cursor=first.next_cursor))
    assert second.next_cursor is None and "$deltatoken=" in second.checkpoint.token
    assert [r.id for r in first.records + second.records] == [
        "1606515483514",
        "1606691795113",
        "1606693110523",
    ]

    later = await adapter.fetch_page(FetchRequest(entity="channelMessages", cursor=second.checkpoint))
    assert [r.data["body"]["content"] for r in later.records] == ["HelloWorld (edited)"]
    assert later.deleted_ids == ["1606515483514"]  # deletedDateTime set


@pytest.mark.parametrize(
    "content",
    [
        b'{"value": [{"id": "a"',
        b"<html>gateway</html>",
        b"[1, 2]",
        b'{"value": "nope"}',
        b'{"value": [{"name": "no id"}], "@odata.deltaLink": "https://graph.microsoft.com/x"}',
        b'{"value": []}',
    ],
)
async def test_malformed_or_truncated_pages_are_typed_errors(harness: Harness, content: bytes) -> None:
    harness.router.get(host="graph.microsoft.com", path=DRIVE_DELTA).mock(
        return_value=httpx.Response(200, content=content, headers={"Content-Type": "application/json"})
    )
    with pytest.raises(MalformedResponse):
        await harness.adapter().fetch_page(FetchRequest(entity="driveItems"))


async def test_a_next_link_to_another_host_is_refused(harness: Harness) -> None:
    body = {"value": [], "@odata.nextLink": "https://evil.example.com/steal"}
    harness.router.get(host="graph.microsoft.com", path=DRIVE_DELTA).respond(200, json=body)
    with pytest.raises(MalformedResponse):
        await harness.adapter().fetch_page(FetchRequest(entity="driveItems"))
    with pytest.raises(MalformedResponse):
        await harness.adapter().fetch_page(
            FetchRequest(entity="driveItems", cursor=Cursor(token="https://evil.example.com/delta?token=x"))
        )
