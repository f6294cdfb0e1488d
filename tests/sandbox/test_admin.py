"""Admin routes: runtime options, counters, remote creates, ground truth with a field list."""

from tests.sandbox.conftest import Sandbox


async def test_options_change_at_runtime_and_are_validated(sandbox: Sandbox) -> None:
    options = await sandbox.admin("PATCH", "/options", {"rate_limit": 25, "rotate_refresh_tokens": True})
    assert options["rate_limit"] == 25 and options["rotate_refresh_tokens"] is True
    assert (await sandbox.admin("GET", "/options"))["rate_limit"] == 25
    invalid = await sandbox.client.patch("/_admin/options", json={"fault_rate": 2})
    assert invalid.status == 422
    assert (await invalid.json())["detail"][0]["loc"] == ["fault_rate"]
    fixed = await sandbox.client.patch("/_admin/options", json={"seed": 9})
    assert fixed.status == 400
    assert (await sandbox.admin("GET", "/options"))["fault_rate"] == 0.0


async def test_counters_by_route(sandbox: Sandbox) -> None:
    await sandbox.soql("SELECT Id FROM Account", batch=200)
    counters = await sandbox.admin("GET", "/counters")
    assert counters["requests"]["GET /services/data/v{ver}/query"] == 1
    assert counters["requests"]["GET /services/data/v{ver}/query/{next}"] == 1
    assert counters["records_served"]["salesforce"] == 300
    await sandbox.admin("POST", "/counters/reset")
    assert (await sandbox.admin("GET", "/counters"))["records_served"] == {}


async def test_remote_creates_and_field_list_dump(sandbox: Sandbox) -> None:
    ids = (await sandbox.admin("POST", "/salesforce/Contact/create", {"count": 3}))["ids"]
    given = (await sandbox.admin("POST", "/salesforce/Account/create", {"records": [{"Name": "Given"}]}))["ids"]
    truth = await sandbox.admin("GET", "/salesforce/Contact/records", fields="Id,LastName,Account.Name")
    assert truth["count"] == 303 and {r["Id"] for r in truth["records"]} >= set(ids)
    assert set(truth["records"][0]) == {"Id", "LastName", "Account"}
    accounts = await sandbox.admin("GET", "/salesforce/Account/records")
    assert [r["Name"] for r in accounts["records"] if r["Id"] == given[0]] == ["Given"]
    hubspot = (await sandbox.admin("POST", "/hubspot/contacts/create", {"count": 2}))["ids"]
    assert len(hubspot) == 2
    bad = await sandbox.client.post("/_admin/salesforce/Account/create", json={"records": [{"Industry": "x"}]})
    assert bad.status == 400
    assert (await bad.json())["detail"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    unknown = await sandbox.client.get("/_admin/zoom/meetings/records")
    assert unknown.status == 404
