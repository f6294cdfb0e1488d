"""HubSpot CRM v3: list paging, archived listing, search windows and the 10,000-result cap, writes."""

from sandbox.clock import parse_datetime_ms
from tests.sandbox.conftest import Sandbox, SandboxFactory


async def _list_all(sandbox: Sandbox, object_type: str, **params: str) -> list[dict]:
    results, after = [], None
    while True:
        query = {"limit": "100", **params, **({"after": after} if after else {})}
        response = await sandbox.hs("GET", f"/objects/{object_type}", params=query)
        assert response.status == 200
        body = await response.json()
        results += body["results"]
        if "paging" not in body:
            return results
        after = body["paging"]["next"]["after"]
        assert f"after={after}" in body["paging"]["next"]["link"]


async def test_list_pages_through_every_record_once(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(records=250)
    records = await _list_all(sandbox, "contacts")
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) == 250
    truth = await sandbox.admin("GET", "/hubspot/contacts/records")
    assert set(ids) == {r["id"] for r in truth["records"]}
    first = records[0]
    assert set(first) == {"id", "properties", "createdAt", "updatedAt", "archived"}
    assert set(first["properties"]) == {"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate",
                                        "lastname"}
    response = await sandbox.hs("GET", "/objects/companies", params={"limit": "500", "properties": "name,city"})
    body = await response.json()
    assert len(body["results"]) == 100  # the list endpoint caps limit at 100
    assert set(body["results"][0]["properties"]) == {"name", "city", "createdate", "hs_lastmodifieddate",
                                                     "hs_object_id"}


async def test_archived_listing_after_delete(sandbox: Sandbox) -> None:
    record_id = (await _list_all(sandbox, "companies"))[5]["id"]
    assert (await sandbox.hs("DELETE", f"/objects/companies/{record_id}")).status == 204
    assert (await sandbox.hs("GET", f"/objects/companies/{record_id}")).status == 404
    archived = await _list_all(sandbox, "companies", archived="true")
    assert [r["id"] for r in archived] == [record_id]
    assert archived[0]["archived"] is True and "archivedAt" in archived[0]
    assert len(await _list_all(sandbox, "companies")) == 299
    assert (await sandbox.admin("GET", "/hubspot/companies/records"))["deleted_ids"] == [record_id]


def _window(low: int, high: int | None = None, after: str | None = None, limit: int = 200) -> dict:
    filters = [{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": str(low)}]
    if high is not None:
        filters.append({"propertyName": "hs_lastmodifieddate", "operator": "LT", "value": str(high)})
    body = {"filterGroups": [{"filters": filters}], "limit": limit,
            "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}]}
    return {**body, "after": after} if after else body


async def test_search_window_returns_the_changes(sandbox: Sandbox) -> None:
    response = await sandbox.hs("POST", "/objects/contacts/search", json=_window(0, limit=1))
    assert (await response.json())["total"] == 300
    start = int(sandbox.clock.now * 1000)
    changed = (await sandbox.admin("POST", "/hubspot/contacts/update", {"count": 12}))["ids"]
    body = await (await sandbox.hs("POST", "/objects/contacts/search", json=_window(start, limit=5))).json()
    assert body["total"] == 12
    found, after = [r["id"] for r in body["results"]], body["paging"]["next"]["after"]
    while after:
        page = await (await sandbox.hs("POST", "/objects/contacts/search", json=_window(start, after=after,
                                                                                      limit=5))).json()
        found += [r["id"] for r in page["results"]]
        after = page.get("paging", {}).get("next", {}).get("after")
    assert sorted(found) == sorted(changed)
    modified = [parse_datetime_ms(r["updatedAt"]) for r in body["results"]]
    assert modified == sorted(modified)
    bounded = await (await sandbox.hs("POST", "/objects/contacts/search", json=_window(0, start))).json()
    assert bounded["total"] == 288


async def test_search_stops_at_ten_thousand_results(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(records=10_100)
    last = await (await sandbox.hs("POST", "/objects/companies/search", json=_window(0, after="9900"))).json()
    assert last["total"] == 10_100 and len(last["results"]) == 100
    assert "paging" not in last  # no page beyond the cap is offered
    beyond = await sandbox.hs("POST", "/objects/companies/search", json=_window(0, after="10000"))
    assert beyond.status == 400
    assert (await beyond.json())["category"] == "VALIDATION_ERROR"
    too_big = await sandbox.hs("POST", "/objects/companies/search", json=_window(0, limit=201))
    assert too_big.status == 400


async def test_create_update_and_conflicts(sandbox: Sandbox) -> None:
    response = await sandbox.hs("POST", "/objects/contacts",
                                json={"properties": {"email": "ada@example.com", "firstname": "Ada"}})
    assert response.status == 201
    created = await response.json()
    assert created["properties"]["email"] == "ada@example.com" and created["archived"] is False
    duplicate = await sandbox.hs("POST", "/objects/contacts", json={"properties": {"email": "ADA@example.com"}})
    assert duplicate.status == 409
    assert (await duplicate.json())["category"] == "CONFLICT"
    response = await sandbox.hs("PATCH", f"/objects/contacts/{created['id']}",
                                json={"properties": {"lastname": "Lovelace"}})
    updated = await response.json()
    assert response.status == 200 and updated["properties"]["lastname"] == "Lovelace"
    assert parse_datetime_ms(updated["updatedAt"]) > parse_datetime_ms(created["updatedAt"])
    by_email = await sandbox.hs("GET", "/objects/contacts/ada@example.com", params={"idProperty": "email"})
    assert (await by_email.json())["id"] == created["id"]
    invalid = await sandbox.hs("POST", "/objects/contacts", json={"properties": {"shoe_size": "9"}})
    assert invalid.status == 400
    read_only = await sandbox.hs("PATCH", f"/objects/contacts/{created['id']}",
                                 json={"properties": {"hs_lastmodifieddate": "0"}})
    assert read_only.status == 400


async def test_batch_upsert_by_unique_property_is_idempotent(sandbox: Sandbox) -> None:
    payload = {"inputs": [{"idProperty": "external_id", "id": "shard-7", "properties": {"name": "Upserted"}}]}
    first = await (await sandbox.hs("POST", "/objects/companies/batch/upsert", json=payload)).json()
    again = await (await sandbox.hs("POST", "/objects/companies/batch/upsert", json=payload)).json()
    assert first["status"] == "COMPLETE" and first["results"][0]["new"] is True
    assert again["results"][0]["new"] is False
    assert again["results"][0]["id"] == first["results"][0]["id"]
    truth = await sandbox.admin("GET", "/hubspot/companies/records")
    assert [r["id"] for r in truth["records"] if r["properties"]["external_id"] == "shard-7"] == [
        first["results"][0]["id"]]
    wrong = await sandbox.hs("POST", "/objects/companies/batch/upsert",
                             json={"inputs": [{"idProperty": "name", "id": "x", "properties": {}}]})
    assert wrong.status == 400


async def test_search_lag_hides_fresh_writes(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(hubspot_search_lag=30)
    start = int(sandbox.clock.now * 1000)
    await sandbox.admin("POST", "/hubspot/contacts/update", {"count": 4})
    assert (await (await sandbox.hs("POST", "/objects/contacts/search", json=_window(start))).json())["total"] == 0
    sandbox.clock.advance(31)
    assert (await (await sandbox.hs("POST", "/objects/contacts/search", json=_window(start))).json())["total"] == 4
