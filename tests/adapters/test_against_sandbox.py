"""The real adapters against the in-process sandbox (simulated Salesforce, HubSpot, Dataverse) over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestServer

from adapters.base import FetchMode, FetchRequest, Page, ProviderAdapter
from adapters.http.oauth import OAuthToken
from adapters.registry import build_adapter
from core import errors as e
from sandbox.app import DEFAULT_CLIENTS, create_app
from sandbox.clock import ManualClock
from sandbox.options import SandboxOptions

RECORDS = 450


class Sandbox:
    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.base = str(server.make_url("")).rstrip("/")
        self.saved: list[OAuthToken] = []

    async def admin(self, method: str, path: str, body: Any = None) -> Any:
        async with httpx.AsyncClient() as client:
            response = await client.request(method, f"{self.base}/_admin{path}", json=body)
            assert response.status_code < 300, response.text
            return response.json()

    async def adapter(self, provider: str) -> ProviderAdapter:
        async def persist(token: OAuthToken) -> None:
            self.saved.append(token)

        if provider == "dynamics":
            client_id, secret = DEFAULT_CLIENTS["dataverse"]
            credential = {"type": "oauth2_client_credentials", "clientId": client_id, "clientSecret": secret,
                          "tokenUrl": f"{self.base}/contoso/oauth2/v2.0/token"}
            return build_adapter("dynamics", {"instanceUrl": self.base}, credential, on_token=persist)
        client_id, secret = DEFAULT_CLIENTS[provider]
        issued = await self.admin("POST", "/oauth/tokens", {"provider": provider, "client_id": client_id})
        token_path = "/services/oauth2/token" if provider == "salesforce" else "/oauth/v1/token"
        credential = {"type": "oauth2", "accessToken": issued["access_token"],
                      "refreshToken": issued["refresh_token"], "clientId": client_id, "clientSecret": secret,
                      "tokenUrl": self.base + token_path}
        connection: dict[str, Any] = {"baseUrl": self.base}
        if provider == "salesforce":
            connection = {"instanceUrl": self.base, "tokenUrl": self.base + token_path}
        return build_adapter(provider, connection, credential, on_token=persist)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    server = TestServer(create_app(SandboxOptions(records=RECORDS, seed=3), clock=ManualClock()))
    await server.start_server()
    try:
        yield Sandbox(server)
    finally:
        await server.close()


async def read_all(adapter: ProviderAdapter, req: FetchRequest) -> tuple[list[Page], Page]:
    pages = [await adapter.fetch_page(req)]
    while pages[-1].next_cursor is not None:
        pages.append(await adapter.fetch_page(req.model_copy(update={"cursor": pages[-1].next_cursor})))
    return pages, pages[-1]


def ids(pages: list[Page]) -> list[str]:
    return [r.id for p in pages for r in p.records]


async def test_salesforce_full_incremental_writes_and_refresh(sandbox: Sandbox) -> None:
    adapter = await sandbox.adapter("salesforce")
    req = FetchRequest(entity="Account", mode=FetchMode.FULL, page_size=200, fields=["Name", "Owner.Email"])
    pages, last = await read_all(adapter, req)
    assert len(pages) == 3 and len(set(ids(pages))) == RECORDS == len(ids(pages))
    assert last.limits is not None and last.limits.daily_used

    changed = (await sandbox.admin("POST", "/salesforce/Account/update", {"count": 3}))["ids"]
    gone = (await sandbox.admin("POST", "/salesforce/Account/delete", {"count": 2}))["ids"]
    await sandbox.admin("POST", "/oauth/expire", {"provider": "salesforce"})
    inc = FetchRequest(entity="Account", cursor=last.checkpoint, fields=["Name"])
    pages, _ = await read_all(adapter, inc)
    assert sorted(ids(pages)) == sorted(changed)
    assert sorted(i for p in pages for i in p.deleted_ids) == sorted(gone)
    assert len(sandbox.saved) == 1  # the expired session was refreshed once and handed back

    created = await adapter.create("Account", {"Name": "Castiel Test"})
    updated = await adapter.update("Account", created.external_id, {"Name": "Castiel Test 2"},
                                   if_version=created.version)
    assert updated.version is not None
    await adapter.delete("Account", created.external_id)
    with pytest.raises(e.NotFound):
        await adapter.update("Account", created.external_id, {"Name": "x"})
    await adapter.aclose()


async def test_hubspot_full_incremental_and_writes(sandbox: Sandbox) -> None:
    adapter = await sandbox.adapter("hubspot")
    req = FetchRequest(entity="contacts", mode=FetchMode.FULL, page_size=100, fields=["email", "firstname"])
    pages, last = await read_all(adapter, req)
    assert len(set(ids(pages))) == RECORDS

    changed = (await sandbox.admin("POST", "/hubspot/contacts/update", {"count": 3}))["ids"]
    gone = (await sandbox.admin("POST", "/hubspot/contacts/delete", {"count": 2}))["ids"]
    pages, final = await read_all(adapter, FetchRequest(entity="contacts", cursor=last.checkpoint))
    assert set(changed) <= set(ids(pages))
    assert sorted(i for p in pages for i in p.deleted_ids) == sorted(gone)
    assert final.checkpoint.start is not None and final.checkpoint.start > last.checkpoint.start

    created = await adapter.create("contacts", {"email": "castiel@example.com", "firstname": "Cas"})
    result = await adapter.update("contacts", created.external_id, {"firstname": "Tiel"})
    assert result.external_id == created.external_id
    await adapter.delete("contacts", created.external_id)
    await adapter.aclose()


async def test_dataverse_change_tracking_round_trip(sandbox: Sandbox) -> None:
    adapter = await sandbox.adapter("dynamics")
    req = FetchRequest(entity="accounts", mode=FetchMode.FULL, page_size=200, fields=["name"])
    pages, last = await read_all(adapter, req)
    assert len(set(ids(pages))) == RECORDS and last.checkpoint.token and "deltatoken" in last.checkpoint.token

    changed = (await sandbox.admin("POST", "/dataverse/accounts/update", {"count": 3}))["ids"]
    gone = (await sandbox.admin("POST", "/dataverse/accounts/delete", {"count": 2}))["ids"]
    pages, _ = await read_all(adapter, FetchRequest(entity="accounts", cursor=last.checkpoint))
    assert sorted(ids(pages)) == sorted(changed)
    assert sorted(i for p in pages for i in p.deleted_ids) == sorted(gone)

    created = await adapter.create("accounts", {"name": "Castiel"}, idempotency_key="shard-1")
    again = await adapter.create("accounts", {"name": "Castiel"}, idempotency_key="shard-1")
    assert created.external_id == again.external_id and created.created and not again.created
    updated = await adapter.update("accounts", created.external_id, {"name": "C2"}, if_version=again.version)
    with pytest.raises(e.PreconditionFailed):
        await adapter.update("accounts", created.external_id, {"name": "C3"}, if_version=again.version)
    await adapter.delete("accounts", created.external_id, if_version=updated.version)
    await adapter.aclose()
