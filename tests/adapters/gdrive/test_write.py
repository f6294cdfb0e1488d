"""Drive metadata writes: version check standing in for If-Match, trash as delete, idempotent create."""

import json

import httpx
import pytest

from core.errors import NotFound, PreconditionFailed
from tests.adapters.gdrive.conftest import Harness, reply

FILE = "/files/1aBcD_file2"


async def test_update_checks_the_version_then_patches(harness: Harness) -> None:
    get = harness.route("GET", FILE).respond(200, json={"id": "1aBcD_file2", "version": "5"})
    patch = harness.route("PATCH", FILE).mock(return_value=reply(200, "file_updated.json"))
    result = await harness.adapter().update("files", "1aBcD_file2", {"name": "renamed.txt"}, if_version="5")
    assert (result.external_id, result.version, result.created) == ("1aBcD_file2", "6", False)
    assert get.calls[0].request.url.params["fields"] == "id,version"
    assert json.loads(patch.calls[0].request.content) == {"name": "renamed.txt"}
    assert "If-Match" not in patch.calls[0].request.headers  # Drive v3 would ignore it


async def test_update_of_a_changed_file_is_precondition_failed_and_writes_nothing(harness: Harness) -> None:
    harness.route("GET", FILE).respond(200, json={"id": "1aBcD_file2", "version": "7"})
    patch = harness.route("PATCH", FILE).mock(return_value=reply(200, "file_updated.json"))
    with pytest.raises(PreconditionFailed) as caught:
        await harness.adapter().update("files", "1aBcD_file2", {"name": "x"}, if_version="5")
    assert caught.value.current_version == "7"
    assert patch.call_count == 0


async def test_unconditional_update_skips_the_check(harness: Harness) -> None:
    get = harness.route("GET", FILE).respond(200, json={"id": "1aBcD_file2", "version": "7"})
    harness.route("PATCH", FILE).mock(return_value=reply(200, "file_updated.json"))
    await harness.adapter().update("files", "1aBcD_file2", {"name": "x"})
    assert get.call_count == 0


async def test_delete_trashes_by_default(harness: Harness) -> None:
    patch = harness.route("PATCH", FILE).mock(return_value=reply(200, "file_updated.json"))
    await harness.adapter().delete("files", "1aBcD_file2")
    assert json.loads(patch.calls[0].request.content) == {"trashed": True}


async def test_permanent_delete_when_configured(harness: Harness) -> None:
    delete = harness.route("DELETE", FILE).mock(return_value=reply(204))
    await harness.adapter(deletePermanently=True).delete("files", "1aBcD_file2")
    assert delete.call_count == 1


async def test_delete_of_a_missing_file_is_not_found(harness: Harness) -> None:
    harness.route("PATCH", FILE).mock(return_value=reply(404, "error_404.json"))
    with pytest.raises(NotFound):
        await harness.adapter().delete("files", "1aBcD_file2")


async def test_create_with_key_stores_it_and_a_retry_finds_the_first_file(harness: Harness) -> None:
    lookup = harness.route("GET", "/files")
    lookup.side_effect = [_files([]), _files([_created()])]
    post = harness.route("POST", "/files").mock(return_value=reply(200, "file_created.json"))
    adapter = harness.adapter()

    first = await adapter.create("files", {"name": "created.txt", "parents": ["0Aroot"]}, idempotency_key="k'1")
    assert (first.external_id, first.version, first.created) == ("1aBcD_new01", "1", True)
    sent = json.loads(post.calls[0].request.content)
    assert sent["appProperties"] == {"castielIdempotencyKey": "k'1"} and sent["parents"] == ["0Aroot"]
    assert "value='k\\'1'" in lookup.calls[0].request.url.params["q"]

    again = await adapter.create("files", {"name": "created.txt"}, idempotency_key="k'1")
    assert (again.external_id, again.created) == ("1aBcD_new01", False)
    assert post.call_count == 1


def _created() -> dict:
    return reply(200, "file_created.json").json()


def _files(items: list) -> httpx.Response:
    return httpx.Response(200, json={"files": items})
