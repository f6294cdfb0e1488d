"""Full listing ending in a change token; changes.list with removals and trash; resync."""

from urllib.parse import parse_qs

import httpx
import jwt
import pytest

from adapters.base import Cursor, FetchMode, FetchRequest
from adapters.gdrive.state import ListingState
from core.errors import MalformedResponse
from tests.adapters.gdrive.conftest import NOW, SA_EMAIL, TOKEN_URL, Harness, private_key, reply


async def test_full_read_takes_the_change_token_first_then_lists_every_page(harness: Harness) -> None:
    start = harness.route("GET", "/changes/startPageToken").mock(return_value=reply(200, "start_page_token.json"))
    files = harness.route("GET", "/files")
    files.side_effect = [reply(200, "files_page1.json"), reply(200, "files_page2.json")]
    adapter = harness.adapter()

    first = await adapter.fetch_page(FetchRequest(entity="files", mode=FetchMode.FULL, page_size=2))
    assert [r.id for r in first.records] == ["1aBcD_file1", "1aBcD_file2"]
    assert first.records[0].version == "12"
    state = ListingState.decode(first.next_cursor.token)
    assert state == ListingState(start_page_token="1001", page_token="~!!~AI9FV7QqAbcPage2Token")

    second = await adapter.fetch_page(FetchRequest(entity="files", mode=FetchMode.FULL, cursor=first.next_cursor))
    assert [r.id for r in second.records] == ["1aBcD_file3"]
    assert second.next_cursor is None
    assert second.checkpoint == Cursor(token="1001")  # changes made during the listing replay next time
    assert start.call_count == 1

    p1, p2 = (call.request.url.params for call in files.calls)
    assert p1["q"] == "trashed = false" and p1["pageSize"] == "2" and "pageToken" not in p1
    assert p1["fields"].startswith("nextPageToken,incompleteSearch,files(")
    assert p2["pageToken"] == "~!!~AI9FV7QqAbcPage2Token" and p2["q"] == p1["q"]


async def test_incremental_changes_with_removed_and_trashed_files(harness: Harness) -> None:
    changes = harness.route("GET", "/changes")
    changes.side_effect = [reply(200, "changes_page1.json"), reply(200, "changes_page2.json")]
    adapter = harness.adapter()

    first = await adapter.fetch_page(FetchRequest(entity="files", cursor=Cursor(token="1001")))
    assert [(r.id, r.data["name"]) for r in first.records] == [("1aBcD_file2", "notes-v2.txt")]
    assert first.deleted_ids == ["1aBcD_gone"]  # removed: true
    assert first.next_cursor == Cursor(token="1003") == first.checkpoint

    second = await adapter.fetch_page(FetchRequest(entity="files", cursor=first.next_cursor))
    assert second.records == [] and second.deleted_ids == ["1aBcD_file3"]  # trashed; drive change skipped
    assert second.next_cursor is None and second.checkpoint == Cursor(token="1010")

    params = changes.calls[0].request.url.params
    assert params["pageToken"] == "1001" and params["includeRemoved"] == "true"
    assert params["supportsAllDrives"] == "true" and params["includeItemsFromAllDrives"] == "true"
    assert changes.calls[1].request.url.params["pageToken"] == "1003"


async def test_service_account_jwt_is_exchanged_for_a_token(harness: Harness) -> None:
    harness.route("GET", "/changes").mock(return_value=reply(200, "changes_page2.json"))
    await harness.adapter().fetch_page(FetchRequest(entity="files", cursor=Cursor(token="1001")))
    form = parse_qs(harness.token_route.calls[0].request.content.decode())
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    claims = jwt.decode(
        form["assertion"][0],
        private_key().public_key(),
        algorithms=["RS256"],
        audience=TOKEN_URL,
        options={"verify_exp": False},
    )
    assert claims["iss"] == SA_EMAIL and claims["sub"] == "admin@example.com"
    assert claims["scope"] == "https://www.googleapis.com/auth/drive"
    assert 0 < claims["exp"] - claims["iat"] <= 3600 and claims["iat"] == int(NOW.timestamp())  # Google: at most 1 h
    assert jwt.get_unverified_header(form["assertion"][0])["kid"] == "kid-1"


@pytest.mark.parametrize("fixture", ["error_400_page_token.json"])
async def test_rejected_change_token_asks_for_a_full_resync(harness: Harness, fixture: str) -> None:
    harness.route("GET", "/changes").mock(return_value=reply(400, fixture))
    page = await harness.adapter().fetch_page(FetchRequest(entity="files", cursor=Cursor(token="999")))
    assert page.resync_required and page.checkpoint == Cursor()


async def test_full_mode_ignores_a_stored_change_token(harness: Harness) -> None:
    harness.route("GET", "/changes/startPageToken").mock(return_value=reply(200, "start_page_token.json"))
    harness.route("GET", "/files").mock(return_value=reply(200, "files_page2.json"))
    page = await harness.adapter().fetch_page(
        FetchRequest(entity="files", mode=FetchMode.FULL, cursor=Cursor(token="1010"))
    )
    assert page.checkpoint == Cursor(token="1001")


@pytest.mark.parametrize(
    "content",
    [
        b'{"kind": "drive#changeList", "changes": [',
        b"",
        b'{"kind": "drive#changeList"}',
        b'{"changes": []}',  # last page without newStartPageToken
        b'{"changes": [{"changeType": "file", "fileId": "x", "removed": false}], "newStartPageToken": "2"}',
        b'{"changes": [{"changeType": "file", "removed": true}], "newStartPageToken": "2"}',
        b'{"changes": [], "nextPageToken": 7}',
    ],
)
async def test_malformed_change_pages_are_typed_errors(harness: Harness, content: bytes) -> None:
    harness.route("GET", "/changes").mock(return_value=httpx.Response(200, content=content))
    with pytest.raises(MalformedResponse):
        await harness.adapter().fetch_page(FetchRequest(entity="files", cursor=Cursor(token="1001")))


async def test_unreadable_listing_state_is_a_typed_error(harness: Harness) -> None:
    with pytest.raises(MalformedResponse):
        await harness.adapter().fetch_page(FetchRequest(entity="files", cursor=Cursor(token='{"broken":')))
