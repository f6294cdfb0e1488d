"""The sync route in-process with a fake durable client: 202, single flight, takeover, lease release."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter

from api.sync_lease import new_run_id, run_started_at
from core.models import Identifier, IntegrationState
from services import Services
from tests.api.conftest import INTEGRATION, Api, FakeDurableClient

SYNC = "/tenants/acme/integrations/sf-1/sync"


@pytest.fixture
async def integration(api: Api) -> None:
    assert (await api.call("PUT", "/tenants/acme/integrations/sf-1", json_body=INTEGRATION)).status == 201


def lease(services: Services) -> str | None:
    found = services.stores.integrations.get("acme", "sf-1")
    assert found is not None
    return found.active_run_id


async def test_unknown_integration_is_404(api: Api, durable: FakeDurableClient) -> None:
    r = await api.call("POST", SYNC)
    assert r.status == 404 and durable.started == []


@pytest.mark.usefixtures("integration")
async def test_start_answers_202_with_the_check_status_payload(api: Api, durable: FakeDurableClient,
                                                               services: Services) -> None:
    r = await api.call("POST", SYNC, json_body={"mode": "full"})
    assert r.status == 202, r.body
    body = r.json()
    run_id = body["id"]
    assert {"statusQueryGetUri", "sendEventPostUri", "terminatePostUri", "purgeHistoryDeleteUri"} <= set(body)
    assert r.headers["Location"] == body["statusQueryGetUri"]
    assert run_id.startswith("acme.sf-1.") and lease(services) == run_id
    assert durable.started == [("sync_integration", run_id, {
        "tenantId": "acme", "integrationId": "sf-1", "runId": run_id, "mode": "full", "trigger": "http"})]


@pytest.mark.usefixtures("integration")
async def test_second_request_while_running_is_409_with_the_running_id(api: Api,
                                                                      durable: FakeDurableClient) -> None:
    first = (await api.call("POST", SYNC)).json()["id"]  # empty body: incremental
    assert durable.started[0][2]["mode"] == "incremental"
    for status in ("Running", "Pending", "Suspended"):
        durable.set_status(first, status)
        again = await api.call("POST", SYNC, json_body={"mode": "incremental"})
        assert again.status == 409 and again.error_code == "sync_running"
        assert again.json()["id"] == first
    assert len(durable.started) == 1


@pytest.mark.usefixtures("integration")
async def test_a_finished_or_crashed_holder_is_taken_over(api: Api, durable: FakeDurableClient,
                                                          services: Services) -> None:
    first = (await api.call("POST", SYNC)).json()["id"]
    durable.set_status(first, "Failed")  # finished without clearing the lease
    second = await api.call("POST", SYNC)
    assert second.status == 202 and second.json()["id"] != first
    assert lease(services) == second.json()["id"]

    # A lease whose instance never started: stolen only once its start grace is over.
    young = new_run_id("acme", "sf-1", datetime.now(UTC))
    services.stores.integrations.update("acme", "sf-1", {"active_run_id": young})
    blocked = await api.call("POST", SYNC)
    assert blocked.status == 409 and blocked.json()["id"] == young
    old = new_run_id("acme", "sf-1", datetime.now(UTC) - timedelta(minutes=5))
    services.stores.integrations.update("acme", "sf-1", {"active_run_id": old})
    assert (await api.call("POST", SYNC)).status == 202


@pytest.mark.usefixtures("integration")
async def test_a_lost_compare_and_swap_answers_409_with_the_winner(api: Api, durable: FakeDurableClient,
                                                                   services: Services) -> None:
    services.stores.integrations.update("acme", "sf-1", {"active_run_id": "old-run"})
    real_get_status = durable.get_status

    async def racing_get_status(instance_id: str, *args: Any, **kwargs: Any) -> Any:
        # Another starter takes the lease between our read and our compare-and-swap.
        services.stores.integrations.update("acme", "sf-1", {"active_run_id": "winner-run"})
        return await real_get_status(instance_id)

    durable.get_status = racing_get_status  # type: ignore[method-assign]
    r = await api.call("POST", SYNC)
    assert r.status == 409 and r.json()["id"] == "winner-run"
    assert durable.started == [] and lease(services) == "winner-run"


@pytest.mark.usefixtures("integration")
async def test_failed_start_releases_the_lease(api: Api, durable: FakeDurableClient,
                                               services: Services) -> None:
    async def broken_start(*args: Any, **kwargs: Any) -> str:
        raise ConnectionError("task hub unreachable")

    durable.start_new = broken_start  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        await api.call("POST", SYNC)
    assert lease(services) is None


@pytest.mark.usefixtures("integration")
@pytest.mark.parametrize(("state", "code"), [(IntegrationState.PAUSED, "integration_paused"),
                                             (IntegrationState.NEEDS_REAUTH, "integration_needs_reauth")])
async def test_inactive_integrations_do_not_sync(api: Api, durable: FakeDurableClient, services: Services,
                                                 state: IntegrationState, code: str) -> None:
    services.stores.integrations.update("acme", "sf-1", {"state": state})
    r = await api.call("POST", SYNC)
    assert r.status == 409 and r.error_code == code and durable.started == []


@pytest.mark.usefixtures("integration")
async def test_bad_bodies(api: Api) -> None:
    r = await api.call("POST", SYNC, json_body={"mode": "sometimes"})
    assert r.status == 422 and r.json()["error"]["details"][0]["field"] == "mode"
    assert (await api.call("POST", SYNC, json_body={"mood": "full"})).status == 422
    assert (await api.call("POST", SYNC, body=b"{")).status == 400
    assert (await api.call("POST", "/tenants/globex/integrations/sf-1/sync")).status == 404


def test_run_ids_are_identifiers_and_carry_their_start_time() -> None:
    ids = TypeAdapter(Identifier)
    now = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
    short = new_run_id("acme", "sf-1", now)
    assert ids.validate_python(short) == short and run_started_at(short) == now
    long = new_run_id("t" * 100, "i" * 100, now)
    assert len(long) <= 128 and ids.validate_python(long) == long and run_started_at(long) == now
    assert new_run_id("a", "b", now) != new_run_id("a", "b", now)
    assert run_started_at("some-other-id") is None
