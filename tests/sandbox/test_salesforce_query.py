"""SOQL query/queryAll over HTTP: paging, totals, incremental windows, deletions, errors."""

import re

from tests.sandbox.conftest import Sandbox, SandboxFactory

STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$")


async def test_paging_covers_every_record_exactly_once(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(records=4_500)
    pages = await sandbox.soql("SELECT Id, Name FROM Account", batch=2_000)
    assert [len(p["records"]) for p in pages] == [2_000, 2_000, 500]
    assert {p["totalSize"] for p in pages} == {4_500}
    assert [p["done"] for p in pages] == [False, False, True]
    assert re.fullmatch(r"/services/data/v65\.0/query/01g\w+-2000", pages[0]["nextRecordsUrl"])
    ids = [r["Id"] for p in pages for r in p["records"]]
    truth = await sandbox.admin("GET", "/salesforce/Account/records")
    assert len(ids) == len(set(ids)) == 4_500
    assert set(ids) == {r["Id"] for r in truth["records"]}
    first = pages[0]["records"][0]
    assert first["attributes"] == {"type": "Account", "url": f"/services/data/v65.0/sobjects/Account/{first['Id']}"}


async def test_batch_size_is_clamped_and_capped(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(records=450)
    assert [len(p["records"]) for p in await sandbox.soql("SELECT Id FROM Contact", batch=50)] == [200, 200, 50]
    assert [len(p["records"]) for p in await sandbox.soql("SELECT Id FROM Contact")] == [450]
    await sandbox.admin("PATCH", "/options", {"page_size_max": 100})
    assert len(await sandbox.soql("SELECT Id FROM Contact", batch=2_000)) == 5


async def test_relationship_fields_match_the_ground_truth(sandbox: Sandbox) -> None:
    pages = await sandbox.soql("SELECT Id, Owner.Email, Owner.Name, Industry FROM Account")
    truth = await sandbox.admin("GET", "/salesforce/Account/records", fields="Id,Owner.Email,Owner.Name,Industry")
    by_id = {r["Id"]: r for r in truth["records"]}
    for record in pages[0]["records"]:
        assert record["Owner"]["attributes"]["type"] == "User"
        assert record["Owner"]["Email"].endswith("@example.com")
        expected = by_id[record["Id"]]
        assert record["Owner"]["Email"] == expected["Owner"]["Email"]
        assert record["Industry"] == expected["Industry"]


async def test_incremental_window_returns_exactly_the_changed_records(sandbox: Sandbox) -> None:
    pages = await sandbox.soql("SELECT Id, SystemModstamp FROM Account ORDER BY SystemModstamp DESC LIMIT 1")
    cursor = pages[0]["records"][0]["SystemModstamp"]
    assert STAMP.match(cursor)
    changed = (await sandbox.admin("POST", "/salesforce/Account/update", {"count": 7}))["ids"]
    window = await sandbox.soql(f"SELECT Id, SystemModstamp, LastModifiedDate FROM Account "
                                f"WHERE SystemModstamp > {cursor} ORDER BY SystemModstamp, Id")
    records = window[0]["records"]
    assert sorted(r["Id"] for r in records) == sorted(changed)
    stamps = [r["SystemModstamp"] for r in records]
    assert stamps == sorted(stamps) and len(set(stamps)) == 7  # strictly increasing, millisecond resolution
    assert all(r["LastModifiedDate"] == r["SystemModstamp"] for r in records)
    upper = stamps[3]
    bounded = await sandbox.soql(f"SELECT Id FROM Account WHERE SystemModstamp > {cursor} "
                                 f"AND SystemModstamp < {upper}")
    assert bounded[0]["totalSize"] == 3


async def test_query_all_includes_deletions(sandbox: Sandbox) -> None:
    deleted = (await sandbox.admin("POST", "/salesforce/Contact/delete", {"count": 3}))["ids"]
    live = await sandbox.soql("SELECT Id FROM Contact")
    everything = await sandbox.soql("SELECT Id, IsDeleted FROM Contact", resource="queryAll")
    assert live[0]["totalSize"] == 297
    assert everything[0]["totalSize"] == 300
    flagged = [r["Id"] for r in everything[0]["records"] if r["IsDeleted"]]
    assert sorted(flagged) == sorted(deleted)
    only_deleted = await sandbox.soql("SELECT Id FROM Contact WHERE IsDeleted = true", resource="queryAll")
    assert sorted(r["Id"] for r in only_deleted[0]["records"]) == sorted(deleted)
    truth = await sandbox.admin("GET", "/salesforce/Contact/records")
    assert sorted(truth["deleted_ids"]) == sorted(deleted)


async def test_order_and_limit(sandbox: Sandbox) -> None:
    pages = await sandbox.soql("SELECT Id, Name FROM Account ORDER BY Name DESC, Id LIMIT 25")
    names = [r["Name"] for r in pages[0]["records"]]
    assert len(names) == 25 and names == sorted(names, reverse=True)
    assert pages[0]["totalSize"] == 25


async def test_errors_have_salesforce_shapes(sandbox: Sandbox) -> None:
    cases = {
        "SELECT Id FROM": "MALFORMED_QUERY",
        "SELECT Nope FROM Account": "INVALID_FIELD",
        "SELECT Id FROM Widget": "INVALID_TYPE",
        "SELECT Id FROM Account WHERE SystemModstamp > '2026-01-01'": "MALFORMED_QUERY",
    }
    for query, code in cases.items():
        response = await sandbox.sf("GET", "/query", params={"q": query})
        assert response.status == 400
        body = await response.json()
        assert body[0]["errorCode"] == code and body[0]["message"]
    response = await sandbox.sf("GET", "/query/01gSbNOPE-2000")
    assert response.status == 400
    assert (await response.json())[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


async def test_rendering_escapes_and_nulls(sandbox: Sandbox) -> None:
    name = 'He said "hi" \\ ünïcødé\n\t</script>'
    body = {"Name": name, "AnnualRevenue": 1.5, "NumberOfEmployees": 7, "Description": None}
    record_id = (await (await sandbox.sf("POST", "/sobjects/Account", json=body)).json())["id"]
    pages = await sandbox.soql(f"SELECT Id, Name, AnnualRevenue, NumberOfEmployees, Description, Owner.Email, "
                               f"IsDeleted FROM Account WHERE Id = '{record_id}'")
    record = pages[0]["records"][0]
    assert (record["Name"], record["AnnualRevenue"], record["NumberOfEmployees"]) == (name, 1.5, 7)
    assert record["Description"] is None and record["Owner"] is None and record["IsDeleted"] is False
