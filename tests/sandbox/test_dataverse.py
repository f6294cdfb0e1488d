"""Dataverse Web API: OData paging, filters, change tracking, ETag writes, upsert, limits, tokens."""

from typing import Any

from sandbox.app import DEFAULT_CLIENTS
from tests.sandbox.conftest import Sandbox, SandboxFactory

API = "/api/data/v9.2"
CLIENT, SECRET = DEFAULT_CLIENTS["dataverse"]


async def _dv(sandbox: Sandbox, method: str, path: str, **kwargs: Any) -> Any:
    headers = {**await sandbox.auth("dataverse"), **kwargs.pop("headers", {})}
    if path.startswith("http"):  # links the API returned are absolute
        path = path.replace(str(sandbox.client.make_url("")), "")
    url = path if path.startswith("/api/") else API + path
    return await sandbox.client.request(method, url, headers=headers, **kwargs)


async def _all_pages(sandbox: Sandbox, path: str, prefer: str, **params: str) -> list[dict]:
    pages, url = [], path
    while url:
        response = await _dv(sandbox, "GET", url, headers={"Prefer": prefer}, params=params if url == path else None)
        assert response.status == 200, await response.text()
        pages.append(await response.json())
        url = pages[-1].get("@odata.nextLink", "")
    return pages


async def test_paging_filter_and_select(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(records=450)
    pages = await _all_pages(sandbox, "/accounts", "odata.maxpagesize=200")
    assert [len(p["value"]) for p in pages] == [200, 200, 50]
    ids = {row["accountid"] for p in pages for row in p["value"]}
    assert len(ids) == 450
    assert pages[0]["value"][0]["@odata.etag"].startswith('W/"')
    response = await _dv(sandbox, "GET", "/accounts", params={"$select": "name,modifiedon", "$top": "1"})
    row = (await response.json())["value"][0]
    assert set(row) == {"@odata.etag", "accountid", "name", "modifiedon"}
    assert response.headers["Preference-Applied"] == "odata.maxpagesize=5000"
    floor = "2025-06-01T00:00:10Z"
    window = await _all_pages(sandbox, "/accounts", "odata.maxpagesize=5000", **{
        "$filter": f"modifiedon ge {floor}", "$orderby": "modifiedon asc,accountid asc"})
    stamps = [r["modifiedon"] for r in window[0]["value"]]
    assert stamps == sorted(stamps) and all(s >= floor for s in stamps) and 0 < len(stamps) < 450
    bad = await _dv(sandbox, "GET", "/accounts", params={"$select": "nope"})
    assert (await bad.json())["error"]["code"] == "0x80060888"
    assert (await _dv(sandbox, "GET", "/widgets")).status == 404


async def test_change_tracking_reports_changes_and_deletions(sandbox: Sandbox) -> None:
    prefer = "odata.track-changes, odata.maxpagesize=100"
    pages = await _all_pages(sandbox, "/contacts", prefer, **{"$select": "lastname"})
    assert sum(len(p["value"]) for p in pages) == 300
    delta = pages[-1]["@odata.deltaLink"]
    assert "$deltatoken=" in delta and "@odata.deltaLink" not in pages[0]
    changed = (await sandbox.admin("POST", "/dataverse/contacts/update", {"count": 3}))["ids"]
    deleted = (await sandbox.admin("POST", "/dataverse/contacts/delete", {"count": 2}))["ids"]
    response = await _dv(sandbox, "GET", delta, headers={"Prefer": prefer})
    body = await response.json()
    rows = [r for r in body["value"] if "$deletedEntity" not in r.get("@odata.context", "")]
    gone = [r for r in body["value"] if "$deletedEntity" in r.get("@odata.context", "")]
    assert sorted(r["contactid"] for r in rows) == sorted(set(changed) - set(deleted))
    assert sorted(r["id"] for r in gone) == sorted(deleted) and gone[0]["reason"] == "deleted"
    again = await (await _dv(sandbox, "GET", body["@odata.deltaLink"], headers={"Prefer": prefer})).json()
    assert again["value"] == []
    refused = await _dv(sandbox, "GET", "/contacts", headers={"Prefer": prefer}, params={"$filter": "lastname eq 'x'"})
    assert refused.status == 400
    sandbox.clock.advance(8 * 86_400)
    await sandbox.admin("POST", "/oauth/expire")
    sandbox.tokens.clear()
    expired = await _dv(sandbox, "GET", body["@odata.deltaLink"], headers={"Prefer": prefer})
    error = (await expired.json())["error"]
    assert expired.status == 400 and error["code"] == "0x80044352" and "expire" in error["message"]


async def test_etag_writes_and_upsert(sandbox: Sandbox) -> None:
    rep = {"Prefer": "return=representation"}
    created = await _dv(sandbox, "POST", "/accounts", json={"name": "Castiel"}, headers=rep)
    assert created.status == 201
    row = await created.json()
    path = f"/accounts({row['accountid']})"
    await sandbox.admin("POST", "/dataverse/accounts/update", {"ids": [row["accountid"]]})
    stale = await _dv(sandbox, "PATCH", path, json={"name": "Mine"}, headers={**rep, "If-Match": row["@odata.etag"]})
    assert stale.status == 412 and (await stale.json())["error"]["code"] == "0x80060882"
    current = (await (await _dv(sandbox, "GET", path)).json())["@odata.etag"]
    ok = await _dv(sandbox, "PATCH", path, json={"name": "Mine"}, headers={**rep, "If-Match": current})
    assert ok.status == 200 and (await ok.json())["name"] == "Mine"
    missing = "/accounts(00000000-0000-4000-8000-000000000001)"
    assert (await _dv(sandbox, "PATCH", missing, json={"name": "x"}, headers={"If-Match": "*"})).status == 404
    assert (await _dv(sandbox, "PATCH", missing, json={"name": "Upsert"}, headers=rep)).status == 201
    assert (await _dv(sandbox, "PATCH", missing, json={"name": "Upsert"}, headers=rep)).status == 200
    truth = await sandbox.admin("GET", "/dataverse/accounts/records")
    assert truth["count"] == 302
    invalid = await _dv(sandbox, "POST", "/accounts", json={"shoe_size": 9})
    assert (await invalid.json())["error"]["code"] == "0x80048d19"
    assert (await _dv(sandbox, "DELETE", path, headers={"If-Match": row["@odata.etag"]})).status == 412
    assert (await _dv(sandbox, "DELETE", path)).status == 204
    assert (await _dv(sandbox, "GET", path)).status == 404


async def test_service_protection_and_auth(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(rate_limit=0.01)  # 3 requests per 5-minute window
    statuses = [(await _dv(sandbox, "GET", "/accounts", params={"$top": "1"})).status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = await _dv(sandbox, "GET", "/accounts")
    assert (await response.json())["error"]["code"] == "0x80072322"
    assert int(response.headers["Retry-After"]) >= 1
    assert "x-ms-ratelimit-burst-remaining-xrm-requests" in response.headers
    unauthorized = await sandbox.client.get(API + "/accounts", headers={"Authorization": "Bearer nope"})
    assert unauthorized.status == 401 and "WWW-Authenticate" in unauthorized.headers


async def test_microsoft_refresh_rotates_without_revoking(sandbox: Sandbox) -> None:
    pair = await sandbox.issue("dataverse")
    form = {"grant_type": "refresh_token", "client_id": CLIENT, "client_secret": SECRET,
            "refresh_token": pair["refresh_token"]}
    first = await (await sandbox.client.post("/tenant-1/oauth2/v2.0/token", data=form)).json()
    second = await sandbox.client.post("/tenant-1/oauth2/v2.0/token", data=form)  # the old one still works
    assert second.status == 200
    assert first["refresh_token"] != pair["refresh_token"] and first["token_type"] == "Bearer"
    credentials = {"grant_type": "client_credentials", "client_id": CLIENT, "client_secret": SECRET,
                   "scope": "https://org.example/.default"}
    assert (await sandbox.client.post("/tenant-1/oauth2/v2.0/token", data=credentials)).status == 200
    bad = await sandbox.client.post("/tenant-1/oauth2/v2.0/token", data={**form, "refresh_token": "x"})
    assert bad.status == 400 and (await bad.json())["error_description"].startswith("AADSTS70000")
