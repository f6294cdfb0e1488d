"""Throttled deletes stay queued with the reason visible; validation errors end in the dead letters."""

from __future__ import annotations

from collections.abc import Callable

from core.models import Integration, RateLimitOverrides
from tests.conftest import wait_for, wait_status
from tests.writeback.conftest import API, INTEGRATION, TENANT, WB


def test_delete_while_throttled_is_rejected_stays_queued_then_goes_through(wb_factory: Callable[..., WB]) -> None:
    wb = wb_factory(env={"CASTIEL_WRITEBACK_SWEEP_ENABLED": "false"})
    wb.setup()
    for n in range(3):
        wb.create(f"gone-{n}", {"name": f"Gone {n}"})
    wb.drain()
    ids = {k: v["Id"] for k, v in wb.by_external_key().items()}
    assert set(ids) == {"gone-0", "gone-1", "gone-2"}

    # One request per 4 s for this integration: the second delete would wait past the risky limit.
    stores = wb.engine.stores
    current = stores.integrations.get(TENANT, INTEGRATION)
    assert current is not None
    slow = current.rate_limits.model_copy(update={"requests_per_second": 0.25}) if current.rate_limits else (
        RateLimitOverrides(requests_per_second=0.25))
    stores.integrations.put(TENANT, INTEGRATION, Integration.model_validate(
        {**current.model_dump(), "rate_limits": slow.model_dump()}))
    for n in range(3):
        wb.delete(f"gone-{n}")
    r = wb.http.post(f"{API}/integrations/{INTEGRATION}/writeback")
    assert r.status_code == 202
    rejected = wait_for(lambda: [e for e in wb.outbox() if "rejected while throttled" in (e["reason"] or "")],
                        timeout=20, interval=0.05)
    assert rejected[0]["op"] == "delete" and rejected[0]["status"] == "pending" and rejected[0]["notBefore"]
    still_there = {k for k in ids if k in wb.by_external_key()}
    assert rejected[0]["shardId"] in still_there

    wait_status(wb.http, r.json()["id"], timeout=60)
    assert wb.outbox() == []
    assert not set(ids) & set(wb.by_external_key())


def test_validation_error_is_dead_lettered_and_retry_after_fix_succeeds(wb_factory: Callable[..., WB]) -> None:
    wb = wb_factory()
    wb.setup()
    wb.create("nameless", {"industry": "Energy"})  # Account.Name is required by the provider
    letters = wait_for(lambda: wb.http.get(f"{API}/deadletters").json()["items"], timeout=30)
    [letter] = letters
    assert letter["kind"] == "write_back" and letter["errorType"] == "VALIDATION_ERROR"
    assert "Name" in letter["errorMessage"]  # the provider's own message
    [entry] = wb.outbox()
    assert entry["status"] == "dead" and entry["reason"].startswith("VALIDATION_ERROR")
    assert "nameless" not in wb.by_external_key()

    wb.patch("nameless", {"name": "Named now"})
    assert wb.outbox()[0]["status"] == "dead"  # a fix alone does not re-send a dead push: a retry does
    r = wb.http.post(f"{API}/deadletters/{letter['id']}/retry")
    assert r.status_code == 202, r.text
    wait_status(wb.http, r.json()["id"], timeout=30)
    remote = wait_for(lambda: wb.by_external_key().get("nameless"), timeout=30)
    assert remote["Name"] == "Named now" and remote["Industry"] == "Energy"
    wb.wait_outbox_empty()
    assert wb.http.get(f"{API}/deadletters").json()["items"][0]["status"] == "retried"
