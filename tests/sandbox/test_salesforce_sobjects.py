"""sObject CRUD: validation, If-Unmodified-Since, upsert by external id, modification stamps."""

from datetime import UTC, datetime
from email.utils import format_datetime

from sandbox.clock import parse_datetime_ms
from tests.sandbox.conftest import Sandbox


async def _get(sandbox: Sandbox, record_id: str) -> dict:
    response = await sandbox.sf("GET", f"/sobjects/Account/{record_id}")
    assert response.status == 200
    return await response.json()


async def test_create_read_update_delete(sandbox: Sandbox) -> None:
    response = await sandbox.sf("POST", "/sobjects/Account", json={"Name": "Castiel Ltd", "Industry": "Energy"})
    assert response.status == 201
    created = await response.json()
    assert created["success"] is True and created["errors"] == [] and created["id"].startswith("001")
    record = await _get(sandbox, created["id"])
    assert (record["Name"], record["Industry"], record["IsDeleted"]) == ("Castiel Ltd", "Energy", False)
    assert record["attributes"]["type"] == "Account"

    response = await sandbox.sf("PATCH", f"/sobjects/Account/{created['id']}", json={"Industry": "Media"})
    assert response.status == 204
    updated = await _get(sandbox, created["id"])
    assert updated["Industry"] == "Media"
    assert parse_datetime_ms(updated["SystemModstamp"]) > parse_datetime_ms(record["SystemModstamp"])

    assert (await sandbox.sf("DELETE", f"/sobjects/Account/{created['id']}")).status == 204
    response = await sandbox.sf("GET", f"/sobjects/Account/{created['id']}")
    assert response.status == 404
    response = await sandbox.sf("PATCH", f"/sobjects/Account/{created['id']}", json={"Industry": "Media"})
    assert (response.status, (await response.json())[0]["errorCode"]) == (404, "ENTITY_IS_DELETED")


async def test_validation_errors(sandbox: Sandbox) -> None:
    cases = [
        ({"Industry": "Energy"}, "REQUIRED_FIELD_MISSING", ["Name"]),
        ({"Name": "x", "Bogus__c": 1}, "INVALID_FIELD", ["Bogus__c"]),
        ({"Name": "x", "SystemModstamp": "2026-01-01T00:00:00.000+0000"}, "INVALID_FIELD_FOR_INSERT_UPDATE",
         ["SystemModstamp"]),
        ({"Name": "x", "AnnualRevenue": "lots"}, "JSON_PARSER_ERROR", ["AnnualRevenue"]),
    ]
    for body, code, fields in cases:
        response = await sandbox.sf("POST", "/sobjects/Account", json=body)
        assert response.status == 400
        error = (await response.json())[0]
        assert (error["errorCode"], error["fields"]) == (code, fields)


async def test_if_unmodified_since(sandbox: Sandbox) -> None:
    record_id = (await (await sandbox.sf("POST", "/sobjects/Account", json={"Name": "Pre"})).json())["id"]
    seen = (await _get(sandbox, record_id))["LastModifiedDate"]
    sandbox.clock.advance(5)
    await sandbox.admin("POST", "/salesforce/Account/update", {"ids": [record_id]})  # a remote edit
    stale = await sandbox.sf("PATCH", f"/sobjects/Account/{record_id}", json={"Name": "Mine"},
                             headers={"If-Unmodified-Since": seen})
    assert stale.status == 412
    assert (await stale.json())[0]["errorCode"] == "PRECONDITION_FAILED"
    fresh = (await _get(sandbox, record_id))["LastModifiedDate"]
    ok = await sandbox.sf("PATCH", f"/sobjects/Account/{record_id}", json={"Name": "Mine"},
                          headers={"If-Unmodified-Since": fresh})
    assert ok.status == 204
    # The HTTP-date form (second resolution) is honoured too.
    sandbox.clock.advance(5)
    before = format_datetime(datetime.fromtimestamp(sandbox.clock.now - 60, UTC), usegmt=True)
    after = format_datetime(datetime.fromtimestamp(sandbox.clock.now + 60, UTC), usegmt=True)
    assert (await sandbox.sf("PATCH", f"/sobjects/Account/{record_id}", json={"Name": "Old"},
                             headers={"If-Unmodified-Since": before})).status == 412
    assert (await sandbox.sf("PATCH", f"/sobjects/Account/{record_id}", json={"Name": "New"},
                             headers={"If-Unmodified-Since": after})).status == 204
    bad = await sandbox.sf("PATCH", f"/sobjects/Account/{record_id}", json={"Name": "x"},
                           headers={"If-Unmodified-Since": "yesterday"})
    assert bad.status == 400


async def test_upsert_by_external_id_is_idempotent(sandbox: Sandbox) -> None:
    path = "/sobjects/Contact/External_Id__c/shard-42"
    first = await sandbox.sf("PATCH", path, json={"LastName": "Hopper", "Email": "grace@example.com"})
    assert first.status == 201
    created = await first.json()
    assert created["success"] is True and created["created"] is True
    again = await sandbox.sf("PATCH", path, json={"LastName": "Hopper", "Email": "grace@example.com"})
    assert again.status == 204
    truth = await sandbox.admin("GET", "/salesforce/Contact/records")
    matches = [r for r in truth["records"] if r["External_Id__c"] == "shard-42"]
    assert [r["Id"] for r in matches] == [created["id"]]
    by_ext = await sandbox.sf("GET", path)
    assert (await by_ext.json())["Id"] == created["id"]
    duplicate = await sandbox.sf("POST", "/sobjects/Contact", json={"LastName": "X", "External_Id__c": "shard-42"})
    assert (await duplicate.json())[0]["errorCode"] == "DUPLICATE_VALUE"
    unknown = await sandbox.sf("PATCH", "/sobjects/Contact/Email/grace@example.com", json={"LastName": "Y"})
    assert unknown.status == 404


async def test_every_modification_gets_a_strictly_later_stamp(sandbox: Sandbox) -> None:
    # The manual clock does not move: stamps must still increase, one millisecond at a time at least.
    record_id = (await (await sandbox.sf("POST", "/sobjects/Account", json={"Name": "S"})).json())["id"]
    stamps = []
    for n in range(5):
        assert (await sandbox.sf("PATCH", f"/sobjects/Account/{record_id}", json={"Phone": str(n)})).status == 204
        stamps.append(parse_datetime_ms((await _get(sandbox, record_id))["SystemModstamp"]))
    assert all(b > a for a, b in zip(stamps, stamps[1:], strict=False))


async def test_replication_resources_and_conditional_delete(sandbox: Sandbox) -> None:
    start = datetime.fromtimestamp(sandbox.clock.now - 60, UTC).isoformat(timespec="seconds")
    created = await sandbox.sf("POST", "/sobjects/Account/", json={"Name": "Trailing slash"})
    assert created.status == 201
    record_id = (await created.json())["id"]
    seen = (await _get(sandbox, record_id))["LastModifiedDate"]
    sandbox.clock.advance(5)
    await sandbox.admin("POST", "/salesforce/Account/update", {"ids": [record_id]})
    stale = await sandbox.sf("DELETE", f"/sobjects/Account/{record_id}", headers={"If-Unmodified-Since": seen})
    assert stale.status == 412
    assert (await sandbox.sf("DELETE", f"/sobjects/Account/{record_id}")).status == 204
    sandbox.clock.advance(5)
    end = datetime.fromtimestamp(sandbox.clock.now, UTC).isoformat(timespec="seconds")
    deleted = await (await sandbox.sf("GET", "/sobjects/Account/deleted/", params={"start": start, "end": end})).json()
    assert [d["id"] for d in deleted["deletedRecords"]] == [record_id]
    assert set(deleted) == {"deletedRecords", "earliestDateAvailable", "latestDateCovered"}
    updated = await (await sandbox.sf("GET", "/sobjects/Account/updated/", params={"start": start, "end": end})).json()
    assert updated["ids"] == []  # the only change in the window was the deletion
    too_old = await sandbox.sf("GET", "/sobjects/Account/deleted/",
                               params={"start": "2020-01-01T00:00:00Z", "end": end})
    assert (await too_old.json())[0]["errorCode"] == "INVALID_REPLICATION_DATE"
