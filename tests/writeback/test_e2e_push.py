"""Local creates, updates and deletes reach the sandbox; many edits coalesce; echoes are unchanged."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import wait_for
from tests.writeback.conftest import INTEGRATION, TENANT, WB


def test_creates_updates_deletes_arrive_and_echo_is_unchanged(wb_factory: Callable[..., WB]) -> None:
    wb = wb_factory()
    wb.setup()
    for n in range(3):
        wb.create(f"acc-{n}", {"name": f"Local {n}", "industry": "Energy", "phone": f"555-000{n}"})
    # The sweeper picks the outbox up by itself (no trigger call).
    remote = wait_for(lambda: len(wb.by_external_key()) == 3 and wb.by_external_key(), timeout=30)
    assert {r["Name"] for r in remote.values()} == {"Local 0", "Local 1", "Local 2"}
    wb.wait_outbox_empty()
    shard = wb.shard("acc-1")
    [rel] = shard["externalRelationships"]
    assert rel["externalId"] == remote["acc-1"]["Id"] and rel["syncStatus"] == "synced"
    assert rel["remoteVersion"] == remote["acc-1"]["LastModifiedDate"]

    wb.patch("acc-1", {"industry": "Retail"})
    wb.delete("acc-2")
    wb.drain()
    assert wb.by_external_key()["acc-1"]["Industry"] == "Retail"
    assert "acc-2" not in wb.by_external_key()
    assert wb.shard("acc-1")["externalRelationships"][0]["syncStatus"] == "synced"

    run = wb.engine.sync(TENANT, INTEGRATION)
    stats = run["output"]["stats"]
    # Our own pushes come back unchanged: two records pushed and still linked, none updated or created
    # from them (the sandbox's 20 seeded Accounts arrive as creates).
    assert stats["unchanged"] >= 2 and stats["updated"] == 0, stats
    assert wb.shard("acc-1")["structuredData"]["industry"] == "Retail"


def test_hundred_edits_of_one_record_end_with_the_last(wb_factory: Callable[..., WB]) -> None:
    wb = wb_factory()
    wb.setup()
    wb.create("busy", {"name": "Busy", "industry": "v0"})
    wb.drain()
    for n in range(1, 101):
        wb.patch("busy", {"industry": f"v{n}"})
    wb.drain()
    wb.wait_outbox_empty()
    assert wb.by_external_key()["busy"]["Industry"] == "v100"
    assert wb.shard("busy")["externalRelationships"][0]["syncStatus"] == "synced"
