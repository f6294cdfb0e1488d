"""SIGKILL of devhost in the middle of pushing 1,000 creates: after a restart, exactly 1,000 records."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import wait_for, wait_status
from tests.writeback.conftest import API, INTEGRATION, WB

COUNT = 1000


def test_kill_during_1000_creates_leaves_exactly_1000(wb_factory: Callable[..., WB]) -> None:
    wb = wb_factory(env={"CASTIEL_WRITEBACK_SWEEP_ENABLED": "false", "CASTIEL_WRITEBACK_BATCH_SIZE": "50"})
    wb.setup()
    for n in range(COUNT):
        wb.create(f"new-{n:04d}", {"name": f"New {n}", "industry": "Energy"})
    assert len(wb.outbox()) == COUNT  # captured with the writes, nothing pushed yet (no sweeper)

    r = wb.http.post(f"{API}/integrations/{INTEGRATION}/writeback")
    assert r.status_code == 202, r.text
    instance_id = r.json()["id"]
    wait_for(lambda: len(wb.by_external_key()) >= 100, timeout=60, interval=0.02)
    wb.engine.restart(kill=True)
    in_flight = len(wb.by_external_key())
    assert in_flight < COUNT, "the push finished before the kill: the test proves nothing"

    # The drainer resumes from its history on restart; the route joins it rather than starting another.
    r = wb.http.post(f"{API}/integrations/{INTEGRATION}/writeback")
    assert r.status_code == 202 and r.json()["id"] == instance_id
    wait_status(wb.http, instance_id, timeout=180)
    wb.wait_outbox_empty(timeout=60)

    remote = wb.by_external_key()
    assert len(remote) == COUNT
    named = [r for r in wb.accounts().values() if str(r.get("Name", "")).startswith("New ")]
    assert len(named) == COUNT  # no duplicate under another key either
    shards = wb.engine.shards("acme", "account")
    assert len(shards) == COUNT
    assert {s.id: ext for ext, s in shards.items()} == {k: v["Id"] for k, v in remote.items()}
