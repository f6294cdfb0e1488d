"""driveItem writes with If-Match on the eTag; Teams messages stay read-only."""

import json

import httpx
import pytest

from core.errors import ConfigError, Conflict, NotFound, PreconditionFailed, ValidationFailed
from tests.adapters.graph.conftest import Harness, reply

ITEM = "/v1.0/drives/b!drive1/items/123010204abac"
ETAG = '"{A1B2C3D4-0002},4"'


async def test_update_sends_if_match_and_returns_the_new_etag(harness: Harness) -> None:
    route = harness.router.patch(host="graph.microsoft.com", path=ITEM).mock(
        return_value=reply(200, "driveitem_patched.json")
    )
    result = await harness.adapter().update("driveItems", "123010204abac", {"name": "new-file-name.txt"}, ETAG)
    assert (result.external_id, result.version, result.created) == (
        "123010204abac",
        '"{A1B2C3D4-0002},5"',
        False,
    )
    request = route.calls[0].request
    assert request.headers["If-Match"] == ETAG
    assert json.loads(request.content) == {"name": "new-file-name.txt"}


async def test_stale_etag_is_precondition_failed(harness: Harness) -> None:
    harness.router.patch(host="graph.microsoft.com", path=ITEM).mock(return_value=reply(412, "error_412.json"))
    with pytest.raises(PreconditionFailed) as caught:
        await harness.adapter().update("driveItems", "123010204abac", {"name": "x"}, '"{old},1"')
    assert caught.value.status == 412


async def test_delete_with_if_match(harness: Harness) -> None:
    route = harness.router.delete(host="graph.microsoft.com", path=ITEM).mock(return_value=reply(204))
    await harness.adapter().delete("driveItems", "123010204abac", ETAG)
    assert route.calls[0].request.headers["If-Match"] == ETAG


async def test_delete_missing_item_is_not_found(harness: Harness) -> None:
    harness.router.delete(host="graph.microsoft.com", path=ITEM).mock(return_value=reply(404, "error_404.json"))
    with pytest.raises(NotFound):
        await harness.adapter().delete("driveItems", "123010204abac")


async def test_create_folder_fails_on_name_conflict_instead_of_renaming(harness: Harness) -> None:
    route = harness.router.post(host="graph.microsoft.com", path="/v1.0/drives/b!drive1/items/root/children")
    route.mock(return_value=reply(201, "driveitem_created.json"))
    result = await harness.adapter().create("driveItems", {"name": "New Folder"})
    assert (result.external_id, result.version, result.created) == (
        "01NEWFOLDER01",
        '"{B9B9B9B9-0001},1"',
        True,
    )
    assert json.loads(route.calls[0].request.content) == {
        "name": "New Folder",
        "folder": {},
        "@microsoft.graph.conflictBehavior": "fail",
    }


async def test_retried_create_with_idempotency_key_returns_the_existing_item(harness: Harness) -> None:
    harness.router.put(host="graph.microsoft.com", path="/v1.0/drives/b!drive1/items/p1:/a.txt:/content").mock(
        return_value=httpx_conflict()
    )
    existing = harness.router.get(host="graph.microsoft.com", path="/v1.0/drives/b!drive1/items/p1:/a.txt")
    existing.mock(return_value=reply(200, "driveitem_patched.json"))
    result = await harness.adapter().create(
        "driveItems", {"name": "a.txt", "parentId": "p1", "content": "hi"}, idempotency_key="k-1"
    )
    assert (result.external_id, result.created) == ("123010204abac", False)


async def test_create_conflict_without_idempotency_key_is_raised(harness: Harness) -> None:
    harness.router.put(host="graph.microsoft.com", path="/v1.0/drives/b!drive1/items/p1:/a.txt:/content").mock(
        return_value=httpx_conflict()
    )
    with pytest.raises(Conflict):
        await harness.adapter().create("driveItems", {"name": "a.txt", "parentId": "p1", "content": "hi"})


async def test_bad_writes_are_rejected_before_any_request(harness: Harness) -> None:
    adapter = harness.adapter()
    with pytest.raises(ValidationFailed) as caught:
        await adapter.create("driveItems", {"parentId": "p1"})
    assert caught.value.field_errors == {"name": "required"}
    with pytest.raises(ConfigError):
        await adapter.update("channelMessages", "1", {"body": {}})
    assert harness.token_route.call_count == 0


def httpx_conflict() -> httpx.Response:
    body = {"error": {"code": "nameAlreadyExists", "message": "Name already exists"}}
    return httpx.Response(409, json=body)
