"""IntegrationStore contract on both backends: tenancy, create/replace flag, ETag CAS, due list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.models import Integration, IntegrationState, Priority
from stores.errors import RecordNotFound, StaleETag
from stores.factory import Stores

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def integration(priority: str = "normal", next_sync_at: datetime | None = None) -> Integration:
    return Integration.model_validate({
        "provider": "salesforce",
        "connection": {"instanceUrl": "https://acme.my.salesforce.com"},
        "entityMappings": [{"externalEntity": "Account", "shardTypeId": "account",
                            "fieldMappings": [{"source": "Name", "target": "name"}]}],
        "priority": priority,
        "nextSyncAt": next_sync_at.isoformat() if next_sync_at else None,
    })


def test_put_get_list_delete_scoped_to_tenant(stores: Stores) -> None:
    saved, created = stores.integrations.put("t1", "i1", integration())
    assert created and saved.tenant_id == "t1" and saved.integration_id == "i1" and saved.etag
    _, created = stores.integrations.put("t1", "i1", integration(priority="high"))
    assert not created
    assert stores.integrations.get("t1", "i1").priority == Priority.HIGH  # type: ignore[union-attr]
    assert stores.integrations.get("t2", "i1") is None
    assert stores.integrations.list("t2") == []
    stores.integrations.put("t1", "i0", integration())
    assert [i.integration_id for i in stores.integrations.list("t1")] == ["i0", "i1"]
    assert not stores.integrations.delete("t2", "i1")
    assert stores.integrations.delete("t1", "i1")
    assert stores.integrations.get("t1", "i1") is None


def test_update_compare_and_swap(stores: Stores) -> None:
    saved, _ = stores.integrations.put("t1", "i1", integration())
    updated = stores.integrations.update("t1", "i1", {"state": IntegrationState.NEEDS_REAUTH}, if_match=saved.etag)
    assert updated.state == IntegrationState.NEEDS_REAUTH and updated.etag != saved.etag
    with pytest.raises(StaleETag):
        stores.integrations.update("t1", "i1", {"state": IntegrationState.ACTIVE}, if_match=saved.etag)
    with pytest.raises(RecordNotFound):
        stores.integrations.update("t2", "i1", {"state": IntegrationState.ACTIVE})
    assert stores.integrations.get("t1", "i1").state == IntegrationState.NEEDS_REAUTH  # type: ignore[union-attr]


def test_list_due_orders_by_priority_then_due_across_tenants(stores: Stores) -> None:
    put = stores.integrations.put
    put("t1", "low-old", integration("low", NOW - timedelta(hours=5)))
    put("t2", "normal-new", integration("normal", NOW - timedelta(minutes=1)))
    put("t1", "normal-old", integration("normal", NOW - timedelta(hours=2)))
    put("t2", "high", integration("high", NOW - timedelta(seconds=1)))
    put("t1", "future", integration("high", NOW + timedelta(minutes=1)))
    put("t1", "manual", integration("high", None))
    put("t2", "paused", integration("high", NOW - timedelta(hours=1)))
    stores.integrations.update("t2", "paused", {"state": IntegrationState.PAUSED})
    due = stores.integrations.list_due(NOW, limit=10)
    assert [(i.tenant_id, i.integration_id) for i in due] == [
        ("t2", "high"), ("t1", "normal-old"), ("t2", "normal-new"), ("t1", "low-old"),
    ]
    assert [i.integration_id for i in stores.integrations.list_due(NOW, limit=2)] == ["high", "normal-old"]


def test_list_nightly_across_tenants_by_priority(stores: Stores) -> None:
    def nightly(priority: str, enabled: bool = True) -> Integration:
        return integration(priority).model_copy(update={"nightly_full_sync": enabled})

    stores.integrations.put("t2", "b-normal", nightly("normal"))
    stores.integrations.put("t1", "a-low", nightly("low"))
    stores.integrations.put("t1", "c-high", nightly("high"))
    stores.integrations.put("t1", "a-normal", nightly("normal"))
    stores.integrations.put("t2", "off", nightly("high", enabled=False))
    stores.integrations.put("t2", "paused", nightly("high"))
    stores.integrations.update("t2", "paused", {"state": IntegrationState.PAUSED})
    found = [i.integration_id for i in stores.integrations.list_nightly(limit=10)]
    assert found == ["c-high", "a-normal", "b-normal", "a-low"]
    assert len(stores.integrations.list_nightly(limit=2)) == 2
