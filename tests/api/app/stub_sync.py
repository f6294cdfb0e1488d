"""A stand-in `sync_integration` for the API's end-to-end tests: it runs until the test raises its
`finish` event, then clears the integration's lease as the real orchestration's `finish_run` does."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import azure.durable_functions as df

from activities.contracts import SyncRequest
from services import get_services
from stores.errors import StaleETag

bp = df.Blueprint()


@bp.orchestration_trigger(context_name="context")
def sync_integration(context: df.DurableOrchestrationContext) -> Generator[Any, Any, Any]:
    request = SyncRequest.model_validate(context.get_input())
    yield context.wait_for_external_event("finish")
    yield context.call_activity("stub_release_lease", request.to_wire())
    return {"runId": request.run_id, "mode": request.mode.value}


@bp.activity_trigger(input_name="payload")
def stub_release_lease(payload: dict[str, Any]) -> bool:
    request = SyncRequest.model_validate(payload)
    store = get_services().stores.integrations
    current = store.get(request.tenant_id, request.integration_id)
    if current is None or current.active_run_id != request.run_id:
        return False
    try:
        store.update(request.tenant_id, request.integration_id, {"active_run_id": None},
                     if_match=current.etag)
    except StaleETag:
        return False
    return True
