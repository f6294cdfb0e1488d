"""Runs (newest first, per-mapping progress) and dead letters (list, retry, delete) in-process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.models import DeadLetter, DeadLetterKind, MappingProgress, Run, RunStats
from services import Services
from tests.api.conftest import INTEGRATION, Api, FakeDurableClient

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def run(run_id: str, started: datetime) -> Run:
    return Run(run_id=run_id, integration_id="sf-1", started_at=started, stats=RunStats(fetched=3),
               mappings=[MappingProgress(external_entity="Account", shard_type_id="account", pages=2)])


async def test_runs_newest_first_and_by_id(api: Api, services: Services) -> None:
    await api.call("PUT", "/tenants/acme/integrations/sf-1", json_body=INTEGRATION)
    for n in range(3):
        services.stores.runs.create("acme", run(f"r-{n}", T0 + timedelta(minutes=n)))
    listed = await api.call("GET", "/tenants/acme/integrations/sf-1/runs")
    assert [r["runId"] for r in listed.json()["items"]] == ["r-2", "r-1", "r-0"]
    assert len((await api.call("GET", "/tenants/acme/integrations/sf-1/runs", params={"limit": "1"}))
               .json()["items"]) == 1
    one = await api.call("GET", "/tenants/acme/runs/r-1")
    assert one.status == 200
    assert one.json()["mappings"][0]["pages"] == 2 and one.json()["stats"]["fetched"] == 3
    assert (await api.call("GET", "/tenants/globex/runs/r-1")).status == 404
    assert (await api.call("GET", "/tenants/globex/integrations/sf-1/runs")).status == 404
    assert (await api.call("GET", "/tenants/acme/runs/nope")).status == 404


def dead_letter(letter_id: str, kind: DeadLetterKind, **fields: object) -> DeadLetter:
    return DeadLetter.model_validate({"id": letter_id, "tenant_id": "acme", "kind": kind,
                                      "error_type": "TIMEOUT", "error_message": "gave up",
                                      "first_failed_at": T0, "last_failed_at": T0, **fields})


async def test_list_and_delete(api: Api, services: Services) -> None:
    services.stores.dead_letters.add(dead_letter("d-1", DeadLetterKind.WEBHOOK_EVENT))
    listed = await api.call("GET", "/tenants/acme/deadletters")
    assert [d["id"] for d in listed.json()["items"]] == ["d-1"]
    retried = await api.call("GET", "/tenants/acme/deadletters", params={"status": "retried"})
    assert retried.json()["items"] == []
    assert (await api.call("GET", "/tenants/acme/deadletters", params={"status": "lost"})).status == 400
    assert (await api.call("GET", "/tenants/globex/deadletters")).json()["items"] == []
    assert (await api.call("DELETE", "/tenants/globex/deadletters/d-1")).status == 404
    assert (await api.call("DELETE", "/tenants/acme/deadletters/d-1")).status == 204
    assert (await api.call("DELETE", "/tenants/acme/deadletters/d-1")).status == 404


async def test_retry_starts_the_named_orchestration(api: Api, services: Services,
                                                    durable: FakeDurableClient) -> None:
    payload = {"orchestration": "write_back", "input": {"shardId": "a-1"}}
    services.stores.dead_letters.add(dead_letter("d-1", DeadLetterKind.WRITE_BACK, payload=payload))
    r = await api.call("POST", "/tenants/acme/deadletters/d-1/retry")
    assert r.status == 202
    assert durable.started == [("write_back", r.json()["id"], {"shardId": "a-1"})]
    stored = services.stores.dead_letters.get("acme", "d-1")
    assert stored is not None and stored.status.value == "retried"


async def test_retry_of_a_sync_page_resyncs_the_integration(api: Api, services: Services,
                                                            durable: FakeDurableClient) -> None:
    await api.call("PUT", "/tenants/acme/integrations/sf-1", json_body=INTEGRATION)
    services.stores.dead_letters.add(dead_letter("d-1", DeadLetterKind.SYNC_PAGE, integration_id="sf-1"))
    services.stores.dead_letters.add(dead_letter("d-2", DeadLetterKind.SYNC_PAGE, integration_id="sf-1"))
    first = await api.call("POST", "/tenants/acme/deadletters/d-1/retry")
    assert first.status == 202 and durable.started[0][0] == "sync_integration"
    busy = await api.call("POST", "/tenants/acme/deadletters/d-2/retry")
    assert busy.status == 409 and busy.json()["id"] == first.json()["id"]
    stored = services.stores.dead_letters.get("acme", "d-2")
    assert stored is not None and stored.status.value == "pending"


async def test_retry_without_work_to_restart_is_409(api: Api, services: Services,
                                                    durable: FakeDurableClient) -> None:
    services.stores.dead_letters.add(dead_letter("d-1", DeadLetterKind.TOKEN_REFRESH))
    r = await api.call("POST", "/tenants/acme/deadletters/d-1/retry")
    assert r.status == 409 and durable.started == []
    assert (await api.call("POST", "/tenants/globex/deadletters/d-1/retry")).status == 404
