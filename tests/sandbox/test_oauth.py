"""Token endpoints: refresh with and without rotation, reuse, grant counting, expiry, client checks."""

import base64

from sandbox.app import DEFAULT_CLIENTS
from tests.sandbox.conftest import SF, Sandbox, SandboxFactory

SF_CLIENT, SF_SECRET = DEFAULT_CLIENTS["salesforce"]
HS_CLIENT, HS_SECRET = DEFAULT_CLIENTS["hubspot"]


async def _sf_refresh(sandbox: Sandbox, refresh_token: str, secret: str | None = SF_SECRET) -> tuple[int, dict]:
    form = {"grant_type": "refresh_token", "client_id": SF_CLIENT, "refresh_token": refresh_token}
    if secret is not None:
        form["client_secret"] = secret
    response = await sandbox.client.post("/services/oauth2/token", data=form)
    return response.status, await response.json()


async def _query_status(sandbox: Sandbox, access_token: str) -> int:
    response = await sandbox.client.get(f"{SF}/query", params={"q": "SELECT Id FROM Account LIMIT 1"},
                                        headers={"Authorization": f"Bearer {access_token}"})
    return response.status


async def test_refresh_without_rotation_keeps_the_refresh_token(sandbox: Sandbox) -> None:
    pair = await sandbox.issue("salesforce")
    for _ in range(2):
        status, body = await _sf_refresh(sandbox, pair["refresh_token"])
        assert status == 200
        assert "refresh_token" not in body and "expires_in" not in body
        assert body["token_type"] == "Bearer" and body["instance_url"].startswith("http://")
        assert await _query_status(sandbox, body["access_token"]) == 200
    counters = await sandbox.admin("GET", "/counters")
    assert counters["grants"]["salesforce:refresh_token"] == 2


async def test_rotation_invalidates_the_used_refresh_token(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(rotate_refresh_tokens=True)
    pair = await sandbox.issue("salesforce")
    status, body = await _sf_refresh(sandbox, pair["refresh_token"])
    assert status == 200 and body["refresh_token"] != pair["refresh_token"]
    status, error = await _sf_refresh(sandbox, pair["refresh_token"])
    assert (status, error["error"]) == (400, "invalid_grant")
    status, _ = await _sf_refresh(sandbox, body["refresh_token"])  # the new one still works
    assert status == 200
    counters = await sandbox.admin("GET", "/counters")
    assert counters["grants"]["salesforce:refresh_token"] == 2
    assert counters["invalid_grants"]["salesforce"] == 1


async def test_reuse_can_revoke_the_whole_family(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(rotate_refresh_tokens=True, revoke_family_on_reuse=True)
    pair = await sandbox.issue("salesforce")
    _, winner = await _sf_refresh(sandbox, pair["refresh_token"])
    status, _ = await _sf_refresh(sandbox, pair["refresh_token"])  # the racing loser
    assert status == 400
    assert (await _sf_refresh(sandbox, winner["refresh_token"]))[0] == 400
    assert await _query_status(sandbox, winner["access_token"]) == 401


async def test_expired_access_tokens_get_provider_401s(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(token_lifetime=60)
    sf_headers, hs_headers = await sandbox.auth("salesforce"), await sandbox.auth("hubspot")
    assert (await sandbox.sf("GET", "/query", params={"q": "SELECT Id FROM Account"})).status == 200
    sandbox.clock.advance(61)
    response = await sandbox.client.get(f"{SF}/query", params={"q": "SELECT Id FROM Account"}, headers=sf_headers)
    assert response.status == 401
    assert await response.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID", "fields": []}
    ]
    response = await sandbox.client.get("/crm/v3/objects/contacts", headers=hs_headers)
    assert response.status == 401
    body = await response.json()
    assert (body["status"], body["category"]) == ("error", "EXPIRED_AUTHENTICATION")
    unknown = await sandbox.client.get("/crm/v3/objects/contacts", headers={"Authorization": "Bearer nope"})
    assert (await unknown.json())["category"] == "INVALID_AUTHENTICATION"


async def test_admin_expiry_and_hubspot_refresh(sandbox: Sandbox) -> None:
    pair = await sandbox.issue("hubspot")
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert (await sandbox.admin("POST", "/oauth/expire", {"provider": "hubspot"}))["expired"]["hubspot"] >= 1
    assert (await sandbox.client.get("/crm/v3/objects/companies", headers=headers)).status == 401
    response = await sandbox.client.post("/oauth/v1/token", data={
        "grant_type": "refresh_token", "client_id": HS_CLIENT, "client_secret": HS_SECRET,
        "refresh_token": pair["refresh_token"]})
    body = await response.json()
    assert response.status == 200
    assert body["refresh_token"] == pair["refresh_token"] and body["expires_in"] == 7_200
    assert body["token_type"] == "bearer"
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert (await sandbox.client.get("/crm/v3/objects/companies", headers=headers)).status == 200
    bad = await sandbox.client.post("/oauth/v1/token", data={
        "grant_type": "refresh_token", "client_id": HS_CLIENT, "client_secret": HS_SECRET, "refresh_token": "x"})
    assert bad.status == 400
    assert (await bad.json())["status"] == "BAD_REFRESH_TOKEN"


async def test_client_checks_and_client_credentials(sandbox: Sandbox) -> None:
    pair = await sandbox.issue("salesforce")
    status, body = await _sf_refresh(sandbox, pair["refresh_token"], secret="wrong")
    assert (status, body["error"]) == (400, "invalid_client")
    response = await sandbox.client.post("/services/oauth2/token", data={"grant_type": "password"})
    assert (await response.json())["error"] == "unsupported_grant_type"
    basic = base64.b64encode(f"{SF_CLIENT}:{SF_SECRET}".encode()).decode()
    response = await sandbox.client.post("/services/oauth2/token", data={"grant_type": "client_credentials"},
                                         headers={"Authorization": f"Basic {basic}"})
    assert response.status == 200
    assert await _query_status(sandbox, (await response.json())["access_token"]) == 200
    client = await sandbox.admin("POST", "/oauth/clients", {"provider": "salesforce", "client_id": "engine"})
    assert client["client_id"] == "engine" and client["client_secret"]
    other = await sandbox.client.post("/_admin/oauth/tokens", json={"provider": "salesforce", "client_id": "engine"})
    assert other.status == 201
