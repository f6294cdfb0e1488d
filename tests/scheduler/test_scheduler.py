"""The hourly and nightly starters over real SQLite stores and a recording durable client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.models import Integration, IntegrationState, Run, RunStatus
from core.settings import Settings
from services import Services
from stores.factory import build_stores
from timers.scheduler import run_due_syncs, run_nightly

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


class FakeStatus:
    def __init__(self, status: str) -> None:
        from azure.durable_functions.models.OrchestrationRuntimeStatus import OrchestrationRuntimeStatus

        self.runtime_status = OrchestrationRuntimeStatus(status)

    def __bool__(self) -> bool:
        return True


class RecordingClient:
    """Starts nothing; remembers what it was asked to start; every started run counts as Running."""

    def __init__(self) -> None:
        self.started: list[tuple[str, str, dict[str, Any]]] = []

    async def get_status(self, instance_id: str) -> Any:
        return FakeStatus("Running") if any(s[1] == instance_id for s in self.started) else None

    async def start_new(self, name: str, instance_id: str | None = None, client_input: Any = None) -> str:
        assert instance_id is not None
        self.started.append((name, instance_id, client_input))
        return instance_id


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    settings = Settings(data_dir=tmp_path, scheduler_batch_cap=3, history_retention_days=30)
    stores = build_stores(settings)
    yield Services(settings=settings, stores=stores)
    stores.close()


def _integration(services: Services, tenant: str, iid: str, priority: str, due: datetime | None,
                 **extra: Any) -> None:
    body = {
        "provider": "salesforce", "connection": {"instanceUrl": "https://x.example.com"},
        "entityMappings": [{"externalEntity": "Account", "shardTypeId": "account",
                            "fieldMappings": [{"source": "Name", "target": "name"}]}],
        "priority": priority, **extra,
    }
    integration = Integration.model_validate(body).model_copy(update={"next_sync_at": due})
    services.stores.integrations.put(tenant, iid, integration)


async def test_due_integrations_start_by_priority_capped_and_not_twice(services: Services) -> None:
    hour = timedelta(hours=1)
    _integration(services, "t1", "low-old", "low", NOW - 5 * hour)
    _integration(services, "t1", "normal", "normal", NOW - hour)
    _integration(services, "t2", "high", "high", NOW - hour)
    _integration(services, "t2", "high-older", "high", NOW - 2 * hour)
    _integration(services, "t1", "future", "high", NOW + hour)
    _integration(services, "t1", "manual", "high", None)
    client = RecordingClient()

    report = await run_due_syncs(client, services, NOW)
    assert report.started == ["t2/high-older", "t2/high", "t1/normal"]  # cap 3: low waits
    assert all(name == "sync_integration" and body["trigger"] == "schedule" for name, _, body in client.started)

    again = await run_due_syncs(client, services, NOW)  # the first three are still running
    assert again.started == ["t1/low-old"]
    assert set(again.skipped) == {"t2/high-older", "t2/high", "t1/normal"}


async def test_integrations_needing_reauth_are_not_scheduled(services: Services) -> None:
    _integration(services, "t1", "a", "high", NOW - timedelta(hours=1))
    services.stores.integrations.update("t1", "a", {"state": IntegrationState.NEEDS_REAUTH})
    report = await run_due_syncs(RecordingClient(), services, NOW)
    assert report.started == [] and report.skipped == {}


async def test_nightly_full_syncs_and_purges_old_runs(services: Services) -> None:
    _integration(services, "t1", "nightly", "normal", NOW + timedelta(hours=5), nightlyFullSync=True)
    _integration(services, "t1", "daytime", "normal", NOW + timedelta(hours=5))
    old = Run(run_id="old-run", integration_id="nightly", started_at=NOW - timedelta(days=40),
              status=RunStatus.COMPLETED)
    recent = Run(run_id="recent-run", integration_id="nightly", started_at=NOW - timedelta(days=2),
                 status=RunStatus.COMPLETED)
    services.stores.runs.create("t1", old)
    services.stores.runs.create("t1", recent)
    client = RecordingClient()

    report = await run_nightly(client, services, NOW)
    assert report.started == ["t1/nightly"]
    assert client.started[0][2]["mode"] == "full" and client.started[0][2]["trigger"] == "nightly"
    assert report.purged_runs == 1
    assert services.stores.runs.get("t1", "old-run") is None
    assert services.stores.runs.get("t1", "recent-run") is not None


async def test_nightly_purges_staged_pages_abandoned_for_two_days(services: Services) -> None:
    services.stores.staging.put("t1", "crashed-run/0/0/raw", [{"id": "a"}])
    today = await run_nightly(RecordingClient(), services, datetime.now(UTC))
    assert today.purged_pages == 0
    assert services.stores.staging.get("t1", "crashed-run/0/0/raw") == [{"id": "a"}]
    later = await run_nightly(RecordingClient(), services, datetime.now(UTC) + timedelta(days=3))
    assert later.purged_pages == 1
    assert services.stores.staging.get("t1", "crashed-run/0/0/raw") is None
