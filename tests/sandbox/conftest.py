"""A driver for an in-process sandbox: the aiohttp test client plus helpers that speak to its providers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from sandbox.app import DEFAULT_CLIENTS, create_app
from sandbox.clock import ManualClock
from sandbox.options import SandboxOptions

SF = "/services/data/v65.0"


class Sandbox:
    """One running sandbox with a manual clock and one token per provider."""

    def __init__(self, client: TestClient, clock: ManualClock) -> None:
        self.client = client
        self.clock = clock
        self.tokens: dict[str, dict[str, Any]] = {}

    async def issue(self, provider: str) -> dict[str, Any]:
        response = await self.client.post("/_admin/oauth/tokens",
                                          json={"provider": provider, "client_id": DEFAULT_CLIENTS[provider][0]})
        assert response.status == 201, await response.text()
        return await response.json()

    async def auth(self, provider: str) -> dict[str, str]:
        if provider not in self.tokens:
            self.tokens[provider] = await self.issue(provider)
        return {"Authorization": f"Bearer {self.tokens[provider]['access_token']}"}

    async def sf(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**await self.auth("salesforce"), **kwargs.pop("headers", {})}
        return await self.client.request(method, SF + path, headers=headers, **kwargs)

    async def hs(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**await self.auth("hubspot"), **kwargs.pop("headers", {})}
        return await self.client.request(method, "/crm/v3" + path, headers=headers, **kwargs)

    async def soql(self, query: str, *, resource: str = "query", batch: int | None = None) -> list[dict[str, Any]]:
        """Every page of a query, following nextRecordsUrl."""
        headers = {"Sforce-Query-Options": f"batchSize={batch}"} if batch else {}
        response = await self.sf("GET", f"/{resource}", params={"q": query}, headers=headers)
        assert response.status == 200, await response.text()
        pages = [await response.json()]
        while not pages[-1]["done"]:
            response = await self.client.get(pages[-1]["nextRecordsUrl"],
                                             headers={**await self.auth("salesforce"), **headers})
            assert response.status == 200, await response.text()
            pages.append(await response.json())
        return pages

    async def admin(self, method: str, path: str, body: Any = None, **params: str) -> Any:
        response = await self.client.request(method, "/_admin" + path, json=body, params=params)
        assert response.status < 300, await response.text()
        return await response.json()


SandboxFactory = Callable[..., Awaitable[Sandbox]]


@pytest.fixture
async def make_sandbox() -> AsyncIterator[SandboxFactory]:
    """`await make_sandbox(records=..., ...)` starts a sandbox with those options on a manual clock."""
    clients: list[TestClient] = []

    async def factory(**options: Any) -> Sandbox:
        clock = ManualClock()
        client = TestClient(TestServer(create_app(SandboxOptions(**{"records": 300, **options}), clock=clock)))
        await client.start_server()
        clients.append(client)
        return Sandbox(client, clock)

    yield factory
    for client in clients:
        await client.close()


@pytest.fixture
async def sandbox(make_sandbox: SandboxFactory) -> Sandbox:
    return await make_sandbox()
