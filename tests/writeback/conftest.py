"""Write-back's end-to-end driver: the sandbox, devhost on the write-back test app, direct store access.

Reuses the pull sync's ``Engine`` (tests/e2e) with the app under ``tests/writeback/app``; ``WB`` adds
the HTTP calls write-back tests make (shards, drainer, outbox, conflicts, dead letters).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.settings import Settings
from stores.factory import build_stores
from tests.conftest import ROOT, DevhostProcess, SandboxProcess, wait_for, wait_status
from tests.e2e.conftest import KEY, Engine

APP = Path(__file__).parent / "app"
TENANT = "acme"
INTEGRATION = "sf"
API = f"/api/tenants/{TENANT}"


def writeback_integration(sandbox_url: str, conflict: str = "local_wins", shard_type: str = "account",
                          **overrides: Any) -> dict[str, Any]:
    """A Salesforce integration pushing and pulling Accounts, creates idempotent on External_Id__c."""
    body: dict[str, Any] = {
        "provider": "salesforce",
        "connection": {"instanceUrl": sandbox_url, "apiVersion": "v60.0",
                       "tokenUrl": f"{sandbox_url}/services/oauth2/token",
                       "externalIdFields": {"Account": "External_Id__c"}},
        "entityMappings": [
            {"externalEntity": "Account", "shardTypeId": shard_type, "direction": "bidirectional",
             "fieldMappings": [{"source": "Name", "target": "name"},
                               {"source": "Industry", "target": "industry"},
                               {"source": "Phone", "target": "phone"}]},
        ],
        "syncFrequency": {"type": "manual"},
        "writeBack": {"enabled": True},
        "conflictResolution": conflict,
        "rateLimits": {"requestsPerSecond": 500,
                       "operationsPerMinute": {"fetch": 100000, "create": 60000, "update": 60000,
                                               "delete": 60000}},
    }
    body.update(overrides)
    return body


class WB:
    """HTTP helpers over an ``Engine`` running the write-back app."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def http(self) -> httpx.Client:
        return self.engine.client

    def setup(self, body: dict[str, Any] | None = None, integration: str = INTEGRATION) -> None:
        self.engine.add_integration(TENANT, integration, body or writeback_integration(self.engine.sandbox.url))

    def create(self, shard_id: str, data: dict[str, Any], shard_type: str = "account") -> dict[str, Any]:
        r = self.http.post(f"{API}/shards", json={"id": shard_id, "shardTypeId": shard_type, "structuredData": data})
        assert r.status_code == 201, r.text
        return dict(r.json())

    def patch(self, shard_id: str, data: dict[str, Any]) -> dict[str, Any]:
        r = self.http.patch(f"{API}/shards/{shard_id}", json={"structuredData": data})
        assert r.status_code == 200, r.text
        return dict(r.json())

    def delete(self, shard_id: str) -> None:
        r = self.http.delete(f"{API}/shards/{shard_id}")
        assert r.status_code == 204, r.text

    def shard(self, shard_id: str) -> dict[str, Any]:
        r = self.http.get(f"{API}/shards/{shard_id}")
        assert r.status_code == 200, r.text
        return dict(r.json())

    def outbox(self, integration: str = INTEGRATION) -> list[dict[str, Any]]:
        r = self.http.get(f"{API}/integrations/{integration}/outbox", params={"limit": 1000})
        assert r.status_code == 200, r.text
        return list(r.json()["items"])

    def drain(self, timeout: float = 60, integration: str = INTEGRATION) -> dict[str, Any]:
        """Start (or join) the drainer and wait for it to finish."""
        r = self.http.post(f"{API}/integrations/{integration}/writeback")
        assert r.status_code == 202, r.text
        return wait_status(self.http, r.json()["id"], timeout=timeout)

    def wait_outbox_empty(self, timeout: float = 60) -> None:
        wait_for(lambda: not [e for e in self.outbox() if e["status"] == "pending"], timeout, interval=0.2)

    def accounts(self) -> dict[str, dict[str, Any]]:
        """Sandbox Accounts by External_Id__c (those write-back created) and by Id (all)."""
        return self.engine.ground_truth("Account")

    def by_external_key(self) -> dict[str, dict[str, Any]]:
        return {r["External_Id__c"]: r for r in self.accounts().values() if r.get("External_Id__c")}

    def remote_edit(self, ids: list[str], fields: dict[str, Any]) -> None:
        r = self.engine.admin.post("/salesforce/Account/update", json={"ids": ids, "fields": fields})
        assert r.status_code == 200, r.text


@pytest.fixture
def wb_factory(tmp_path: Path) -> Iterator[Callable[..., WB]]:
    started: list[Any] = []

    def make(*sandbox_options: str, records: int = 20, env: dict[str, str] | None = None) -> WB:
        sandbox = SandboxProcess("--records", str(records), *sandbox_options).start()
        started.append(sandbox)
        data_dir = tmp_path / "data"
        settings = Settings(data_dir=data_dir)
        stores = build_stores(settings)
        host_env = {"CASTIEL_DATA_DIR": str(data_dir), "DEVHOST_FUNCTION_KEY": KEY, "PYTHONPATH": str(ROOT),
                    "CASTIEL_SYNC_RETRY_INITIAL_DELAY_SECONDS": "0.2",
                    "CASTIEL_WRITEBACK_RETRY_INITIAL_DELAY_SECONDS": "0.2", **(env or {})}
        host = DevhostProcess(APP, tmp_path / "hub", host_env).start()
        started.append(host)
        engine = Engine(sandbox, data_dir, host, stores, settings)
        started.append(engine)
        return WB(engine)

    yield make
    for item in reversed(started):
        if isinstance(item, Engine):
            item.host.kill()
            item.close()
            item.stores.close()
        else:
            item.kill()


def integration_copy(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(body), **changes}
