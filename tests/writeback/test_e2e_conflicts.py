"""A staged concurrent remote edit, for each conflictResolution; a manual conflict resolved over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.writeback.conftest import API, TENANT, WB, writeback_integration

STRATEGIES = ("local_wins", "remote_wins", "newest_wins", "merge", "manual")


def _stage(wb: WB, strategy: str, index: int) -> tuple[str, str, dict[str, Any]]:
    """Edit a pulled shard locally (name, phone), then its record remotely (name, industry), before any
    push. Every integration pulled every Account: ``index`` picks a different one per strategy."""
    items = wb.http.get(f"{API}/shards", params={"shardTypeId": f"acc-{strategy}", "limit": 10}).json()["items"]
    shard = items[index]
    external_id = shard["externalRelationships"][0]["externalId"]
    wb.patch(shard["id"], {"name": f"Local {index}", "phone": "555-1111"})
    wb.remote_edit([external_id], {"Name": f"Remote {index}", "Industry": "Remote Industry"})
    return shard["id"], external_id, shard["structuredData"]


def test_each_strategy_gives_its_documented_outcome(wb_factory: Callable[..., WB]) -> None:
    wb = wb_factory(records=40, env={"CASTIEL_WRITEBACK_SWEEP_ENABLED": "false"})
    for strategy in STRATEGIES:
        wb.setup(writeback_integration(wb.engine.sandbox.url, strategy, f"acc-{strategy}"), integration=strategy)
        wb.engine.sync(TENANT, strategy)
    staged = {strategy: _stage(wb, strategy, index) for index, strategy in enumerate(STRATEGIES)}
    for strategy in STRATEGIES:
        wb.drain(integration=strategy)
    truth = wb.accounts()

    def outcome(strategy: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        shard_id, external_id, _ = staged[strategy]
        return wb.shard(shard_id), truth[external_id], staged[strategy][2]

    shard, remote, base = outcome("local_wins")  # the local record is pushed whole
    assert (remote["Name"], remote["Phone"], remote["Industry"]) == ("Local 0", "555-1111", base["industry"])
    assert shard["externalRelationships"][0]["syncStatus"] == "synced"

    for strategy, index in (("remote_wins", 1), ("newest_wins", 2)):  # the remote edit is the newer
        shard, remote, base = outcome(strategy)
        assert remote["Name"] == f"Remote {index}" and remote["Phone"] == base["phone"]
        assert shard["structuredData"]["name"] == f"Remote {index}"
        assert shard["structuredData"]["industry"] == "Remote Industry"
        assert shard["externalRelationships"][0]["syncStatus"] == "synced"

    shard, remote, base = outcome("merge")  # name changed on both sides: manual; the rest merged locally
    assert remote["Name"] == "Remote 3"
    data = shard["structuredData"]
    assert (data["name"], data["industry"], data["phone"]) == ("Local 3", "Remote Industry", "555-1111")
    assert shard["externalRelationships"][0]["syncStatus"] == "conflict"

    shard, remote, base = outcome("manual")
    assert remote["Name"] == "Remote 4" and shard["structuredData"]["name"] == "Local 4"
    rel = shard["externalRelationships"][0]
    assert rel["syncStatus"] == "conflict"

    audited = wb.engine.stores.audit.list(TENANT, action="writeback.conflict_resolved")
    assert {a.integration_id for a in audited} >= {"local_wins", "remote_wins", "newest_wins"}
    assert {a.integration_id for a in wb.engine.stores.audit.list(TENANT, action="writeback.conflict")} == {
        "merge", "manual"}


def test_manual_conflict_listed_and_resolved_through_the_api(wb_factory: Callable[..., WB]) -> None:
    wb = wb_factory(records=10, env={"CASTIEL_WRITEBACK_SWEEP_ENABLED": "false"})
    wb.setup(writeback_integration(wb.engine.sandbox.url, "manual", "acc-manual"), integration="manual")
    wb.engine.sync(TENANT, "manual")
    shard_id, external_id, _ = _stage(wb, "manual", 0)
    wb.drain(integration="manual")

    listed = wb.http.get(f"{API}/conflicts", params={"integrationId": "manual"}).json()["items"]
    assert [c["shardId"] for c in listed] == [shard_id]
    assert listed[0]["remote"]["name"] == "Remote 0" and listed[0]["local"]["name"] == "Local 0"
    assert "name" in listed[0]["fields"]

    bad = wb.http.post(f"{API}/shards/{shard_id}/conflicts/manual/resolve", json={"choose": "both"})
    assert bad.status_code == 422
    r = wb.http.post(f"{API}/shards/{shard_id}/conflicts/manual/resolve", json={"values": {"name": "Agreed"}})
    assert r.status_code == 200, r.text
    assert r.json()["externalRelationships"][0]["syncStatus"] == "pending"
    wb.drain(integration="manual")
    assert wb.accounts()[external_id]["Name"] == "Agreed"
    assert wb.shard(shard_id)["externalRelationships"][0]["syncStatus"] == "synced"
    assert wb.http.get(f"{API}/conflicts").json()["items"] == []
    assert wb.http.post(f"{API}/shards/{shard_id}/conflicts/manual/resolve",
                        json={"choose": "local"}).status_code == 404
    resolved = wb.engine.stores.audit.list(TENANT, action="writeback.conflict_resolved")
    assert [(a.actor, a.details["outcome"]) for a in resolved] == [("api", "values")]
