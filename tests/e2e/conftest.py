"""End-to-end driver: the sandbox, the engine on devhost, and the stores the engine writes to."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.settings import Settings
from stores.factory import Stores, build_stores
from tests.conftest import ROOT, DevhostProcess, SandboxProcess, wait_status

KEY = "e2e-key"
MGMT = "/runtime/webhooks/durabletask"


def salesforce_integration(sandbox_url: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "provider": "salesforce",
        "displayName": "Sandbox Salesforce",
        "connection": {"instanceUrl": sandbox_url, "apiVersion": "v60.0",
                       "tokenUrl": f"{sandbox_url}/services/oauth2/token"},
        "entityMappings": [
            {"externalEntity": "Account", "shardTypeId": "account", "direction": "pull",
             "fieldMappings": [{"source": "Name", "target": "name"},
                               {"source": "AnnualRevenue", "target": "revenue", "transform": "number"},
                               {"source": "Industry", "target": "industry"},
                               {"source": "Owner.Email", "target": "ownerEmail"}]},
            {"externalEntity": "Contact", "shardTypeId": "contact", "direction": "pull",
             "fieldMappings": [{"source": "LastName", "target": "lastName"},
                               {"source": "Email", "target": "email"}]},
        ],
        "syncFrequency": {"type": "manual"},
        "rateLimits": {"requestsPerSecond": 200, "operationsPerMinute": {"fetch": 100000}},
    }
    body.update(overrides)
    return body


def hubspot_integration(sandbox_url: str) -> dict[str, Any]:
    return {
        "provider": "hubspot",
        "connection": {"baseUrl": sandbox_url, "tokenUrl": f"{sandbox_url}/oauth/v1/token"},
        "entityMappings": [
            {"externalEntity": "contacts", "shardTypeId": "contact", "direction": "pull",
             "fieldMappings": [{"source": "properties.email", "target": "email"},
                               {"source": "properties.lastname", "target": "lastName"}]},
            {"externalEntity": "companies", "shardTypeId": "company", "direction": "pull",
             "fieldMappings": [{"source": "properties.name", "target": "name"},
                               {"source": "properties.annualrevenue", "target": "revenue", "transform": "number"}]},
        ],
        "syncFrequency": {"type": "manual"},
        "rateLimits": {"operationsPerMinute": {"fetch": 100000}},
    }


class Engine:
    """The engine on devhost, its sandbox and direct access to its stores (for seeding and checking)."""

    def __init__(self, sandbox: SandboxProcess, data_dir: Path, host: DevhostProcess, stores: Stores,
                 settings: Settings) -> None:
        self.sandbox = sandbox
        self.data_dir = data_dir
        self.host = host
        self.stores = stores
        self.settings = settings
        self.client = httpx.Client(base_url=host.url, timeout=30, headers={"x-functions-key": KEY})
        self.admin = httpx.Client(base_url=f"{sandbox.url}/_admin", timeout=30)

    def add_integration(self, tenant: str, integration_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """PUT the integration and an OAuth credential from the sandbox through the engine's API."""
        provider = body["provider"]
        client = self.admin.post("/oauth/clients", json={"provider": provider}).json()
        tokens = self.admin.post("/oauth/tokens", json={"provider": provider,
                                                        "client_id": client["client_id"]}).json()
        r = self.client.put(f"/api/tenants/{tenant}/integrations/{integration_id}", json=body)
        assert r.status_code == 201, r.text
        credential = {
            "type": "oauth2", "accessToken": tokens["access_token"], "refreshToken": tokens["refresh_token"],
            "expiresAt": (datetime.now(UTC) + timedelta(seconds=tokens["expires_in"])).isoformat(),
            "clientId": client["client_id"], "clientSecret": client["client_secret"],
            "tokenUrl": body["connection"]["tokenUrl"],
        }
        r = self.client.put(f"/api/tenants/{tenant}/integrations/{integration_id}/credentials", json=credential)
        assert r.status_code == 204, r.text
        return dict(self.client.get(f"/api/tenants/{tenant}/integrations/{integration_id}").json())

    def start_sync(self, tenant: str, integration_id: str, mode: str = "incremental") -> str:
        r = self.client.post(f"/api/tenants/{tenant}/integrations/{integration_id}/sync", json={"mode": mode})
        assert r.status_code == 202, r.text
        return str(r.json()["id"])

    def sync(self, tenant: str, integration_id: str, mode: str = "incremental", timeout: float = 120) -> dict:
        run_id = self.start_sync(tenant, integration_id, mode)
        return wait_status(self.client, run_id, timeout=timeout)

    def ground_truth(self, obj: str, provider: str = "salesforce") -> dict[str, dict[str, Any]]:
        body = self.admin.get(f"/{provider}/{obj}/records").json()
        return {r.get("Id") or r["id"]: r for r in body["records"]}

    def shards(self, tenant: str, shard_type: str) -> dict[str, Any]:
        """Live shards of a type, by the external id of their relationship."""
        out: dict[str, Any] = {}
        token = None
        while True:
            page = self.stores.shards.query(tenant, shard_type_id=shard_type, limit=1000, continuation_token=token)
            for shard in page.items:
                out[shard.external_relationships[0].external_id] = shard
            token = page.continuation_token
            if not token:
                return out

    def restart(self, kill: bool = True) -> None:
        """Stop devhost (SIGKILL by default) and start it again on the same task hub and data."""
        if kill:
            self.host.kill()
        else:
            self.host.stop()
        self.host = DevhostProcess(self.host.app_root, self.host.data_dir, self.host.env).start()
        self.client.close()
        self.client = httpx.Client(base_url=self.host.url, timeout=30, headers={"x-functions-key": KEY})

    def close(self) -> None:
        self.client.close()
        self.admin.close()


@pytest.fixture
def engine_factory(tmp_path: Path) -> Iterator[Any]:
    started: list[Any] = []

    def make(*sandbox_options: str, records: int = 200, host_env: dict[str, str] | None = None) -> Engine:
        sandbox = SandboxProcess("--records", str(records), *sandbox_options).start()
        started.append(sandbox)
        data_dir = tmp_path / "data"
        settings = Settings(data_dir=data_dir)
        stores = build_stores(settings)
        env = {"CASTIEL_DATA_DIR": str(data_dir), "DEVHOST_FUNCTION_KEY": KEY,
               "CASTIEL_SYNC_RETRY_INITIAL_DELAY_SECONDS": "0.2", **(host_env or {})}
        host = DevhostProcess(ROOT, tmp_path / "hub", env).start()
        started.append(host)
        engine = Engine(sandbox, data_dir, host, stores, settings)
        started.append(engine)
        return engine

    yield make
    for item in reversed(started):
        if isinstance(item, Engine):
            item.host.kill()  # the current one, after a restart
            item.close()
            item.stores.close()
        else:
            item.kill()

