"""Pull sync end to end: the engine on devhost against the sandbox, checked against its ground truth."""

from __future__ import annotations

from tests.e2e.conftest import Engine, salesforce_integration


def _assert_exact(engine: Engine, tenant: str) -> None:
    accounts = engine.ground_truth("Account")
    shards = engine.shards(tenant, "account")
    assert set(shards) == set(accounts)
    for ext_id, record in accounts.items():
        data = shards[ext_id].structured_data
        assert data["name"] == record["Name"]
        assert data["industry"] == record["Industry"]
    contacts = engine.ground_truth("Contact")
    assert set(engine.shards(tenant, "contact")) == set(contacts)


def test_full_sync_of_two_mappings_matches_ground_truth(engine_factory) -> None:
    engine = engine_factory(records=300)
    engine.add_integration("t1", "sf1", salesforce_integration(engine.sandbox.url))
    status = engine.sync("t1", "sf1", "full")
    assert status["runtimeStatus"] == "Completed", status
    assert status["output"]["status"] == "completed", status["output"]
    assert status["output"]["stats"]["created"] == 600
    _assert_exact(engine, "t1")
    run = engine.stores.runs.get("t1", status["instanceId"])
    assert run is not None and run.status.value == "completed"
