"""Shard routes in-process: CRUD, filters and paging, ETag/If-Match, merge patch, tenancy."""

from __future__ import annotations

from typing import Any

from api.shards import merge_patch
from services import Services
from tests.api.conftest import Api

SHARDS = "/tenants/acme/shards"


def account(shard_id: str, external_id: str | None = None, **data: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"id": shard_id, "shardTypeId": "account", "structuredData": data}
    if external_id:
        body["externalRelationships"] = [{"system": "salesforce", "integrationId": "sf-1",
                                          "externalId": external_id}]
    return body


async def test_create_get_patch_delete(api: Api) -> None:
    created = await api.call("POST", SHARDS, json_body=account("a-1", "001A", name="Acme", city="Paris"))
    assert created.status == 201, created.body
    shard = created.json()
    assert shard["tenantId"] == "acme" and shard["createdAt"] and shard["etag"]
    got = await api.call("GET", SHARDS + "/a-1")
    assert got.status == 200 and got.json()["structuredData"] == {"name": "Acme", "city": "Paris"}
    etag = got.headers["ETag"]
    assert etag.startswith('"') and etag.strip('"') == got.json()["etag"]

    patch = {"structuredData": {"city": None, "size": 5}}
    patched = await api.call("PATCH", SHARDS + "/a-1", json_body=patch, headers={"If-Match": etag})
    assert patched.status == 200, patched.body
    assert patched.json()["structuredData"] == {"name": "Acme", "size": 5}
    assert patched.headers["ETag"] != etag
    assert patched.json()["externalRelationships"][0]["externalId"] == "001A"

    stale = await api.call("PATCH", SHARDS + "/a-1", json_body={"structuredData": {"x": 1}},
                           headers={"If-Match": etag})
    assert stale.status == 412 and stale.error_code == "precondition_failed"
    assert (await api.call("DELETE", SHARDS + "/a-1", headers={"If-Match": etag})).status == 412
    # The body's etag works as an If-Match too, and no If-Match means "whatever is current".
    body_etag = patched.json()["etag"]
    ok = await api.call("PATCH", SHARDS + "/a-1", json_body={"shardTypeId": "customer"},
                        headers={"If-Match": body_etag})
    assert ok.status == 200 and ok.json()["shardTypeId"] == "customer"
    assert (await api.call("PATCH", SHARDS + "/a-1", json_body={"structuredData": {"y": 2}})).status == 200

    assert (await api.call("DELETE", SHARDS + "/a-1")).status == 204
    assert (await api.call("GET", SHARDS + "/a-1")).status == 404
    assert (await api.call("DELETE", SHARDS + "/a-1")).status == 404
    assert (await api.call("PATCH", SHARDS + "/a-1", json_body={})).status == 404


async def test_create_rules(api: Api) -> None:
    generated = await api.call("POST", SHARDS, json_body={"shardTypeId": "account", "tenantId": "globex"})
    assert generated.status == 201 and generated.json()["tenantId"] == "acme" and generated.json()["id"]
    await api.call("POST", SHARDS, json_body=account("a-1"))
    taken = await api.call("POST", SHARDS, json_body=account("a-1"))
    assert taken.status == 409 and taken.error_code == "already_exists"
    bad = await api.call("POST", SHARDS, json_body={"id": "no spaces", "structuredData": [], "colour": "red"})
    assert bad.status == 422
    assert {d["field"] for d in bad.json()["error"]["details"]} == {"id", "shardTypeId", "structuredData",
                                                                     "colour"}
    assert (await api.call("PATCH", SHARDS + "/a-1", json_body={"nope": 1})).status == 422


async def test_list_filters_and_pages(api: Api) -> None:
    for n in range(5):
        await api.call("POST", SHARDS, json_body=account(f"a-{n}", f"00{n}", n=n))
    await api.call("POST", SHARDS, json_body={"id": "c-1", "shardTypeId": "contact"})
    seen: list[str] = []
    token: str | None = None
    while True:
        params = {"shardTypeId": "account", "limit": "2"} | ({"continuationToken": token} if token else {})
        page = (await api.call("GET", SHARDS, params=params)).json()
        seen += [s["id"] for s in page["items"]]
        token = page["continuationToken"]
        if token is None:
            break
    assert seen == [f"a-{n}" for n in range(5)]
    linked = {"externalSystem": "salesforce", "externalId": "003"}
    by_external = (await api.call("GET", SHARDS, params=linked)).json()
    assert [s["id"] for s in by_external["items"]] == ["a-3"]
    assert (await api.call("GET", SHARDS, params={"limit": "0"})).status == 400
    assert (await api.call("GET", SHARDS, params={"limit": "many"})).status == 400
    r = await api.call("GET", SHARDS, params={"continuationToken": "not-a-token"})
    assert r.status == 400 and r.json()["error"]["details"][0]["field"] == "continuationToken"


async def test_another_tenants_shard_is_404(api: Api) -> None:
    await api.call("POST", SHARDS, json_body=account("a-1"))
    other = "/tenants/globex/shards/a-1"
    assert (await api.call("GET", other)).status == 404
    assert (await api.call("PATCH", other, json_body={"structuredData": {"x": 1}})).status == 404
    assert (await api.call("DELETE", other)).status == 404
    assert (await api.call("GET", "/tenants/globex/shards")).json()["items"] == []
    assert (await api.call("GET", SHARDS + "/a-1")).status == 200


async def test_local_writes_stamp_updated_at(api: Api, services: Services) -> None:
    created = (await api.call("POST", SHARDS, json_body=account("a-1"))).json()
    patched = (await api.call("PATCH", SHARDS + "/a-1", json_body={"structuredData": {"x": 1}})).json()
    assert patched["updatedAt"] >= created["updatedAt"] and patched["createdAt"] == created["createdAt"]
    stored = services.stores.shards.get("acme", "a-1")
    assert stored is not None and stored.updated_at is not None


def test_merge_patch() -> None:
    assert merge_patch({"a": 1, "b": {"c": 2, "d": 3}}, {"a": None, "b": {"c": 4}, "e": [1]}) == {
        "b": {"c": 4, "d": 3}, "e": [1]}
    assert merge_patch({"a": 1}, {"a": {"b": None}}) == {"a": {}}
