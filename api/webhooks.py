"""Webhook routes: the public receiver and the registration routes.

- ``POST /api/webhooks/{provider}/{registrationId}`` (anonymous: the signature authenticates): the
  ``api.webhook_intake`` pipeline on a worker thread (verify, inbox, audit), then the integration's
  drainer is started if idle, then the reply. A drainer that cannot be started does not fail the
  delivery: the events are already persisted and the sweep starts it.
- ``PUT/GET/DELETE /api/tenants/{tenantId}/webhooks/{registrationId}`` (function key): see
  ``api.webhook_registrations``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Any

import azure.durable_functions as df
import azure.functions as func

from api.http import Conflict, NotFound, api_errors
from api.sync_lease import DurableClient, IntegrationInactive, start_sync
from api.webhook_intake import Intake, Outcome
from api.webhook_registrations import delete_registration, get_registration, put_registration
from core.models import RunMode, RunTrigger
from services import Services, get_services
from timers.webhook_drainer import STARTER
from webhooks import HttpReply, RawRequest, SignalKind

log = logging.getLogger("castiel.webhooks")
bp = df.Blueprint()

RECEIVE_ROUTE = "webhooks/{provider}/{registrationId}"
REGISTRATION_ROUTE = "tenants/{tenantId}/webhooks/{registrationId}"
# Signals that mean "changes happened that the events do not spell out": read them with a sync.
_SYNC_SIGNALS = frozenset({SignalKind.CHANGES_PENDING, SignalKind.RESYNC})

_lock = threading.Lock()
_built: tuple[Services, Intake] | None = None


def intake() -> Intake:
    """The process's pipeline over its ``Services`` (rebuilt when tests install new ones)."""
    global _built
    services = get_services()
    with _lock:
        if _built is None or _built[0] is not services:
            _built = (services, Intake(services.stores, services.settings))
        return _built[1]


def _response(reply: HttpReply) -> func.HttpResponse:
    return func.HttpResponse(reply.body, status_code=reply.status,
                             headers={**reply.headers, "Content-Type": reply.content_type})


class LazyDurableClient:
    """The durable client binding, made into the SDK's client only when a call needs one.

    The receiver needs a client to start an idle drainer (a status read once per burst) or a sync;
    building ``df.DurableOrchestrationClient`` from the binding's JSON for every delivery, as the
    SDK's ``durable_client_input`` does, cost about 25 microseconds of each acknowledgement.
    """

    def __init__(self, binding: str) -> None:
        self._binding = binding
        self._client: df.DurableOrchestrationClient | None = None

    def _sdk(self) -> df.DurableOrchestrationClient:
        if self._client is None:
            self._client = df.DurableOrchestrationClient(self._binding)
        return self._client

    async def get_status(self, instance_id: str) -> Any:
        return await self._sdk().get_status(instance_id)

    async def start_new(self, orchestration_function_name: str, instance_id: str | None = None,
                        client_input: Any | None = None) -> str:
        return await self._sdk().start_new(orchestration_function_name, instance_id, client_input)


async def _follow_up(client: DurableClient, outcome: Outcome) -> None:
    """Start the drainer and act on signals; failures are logged, the delivery is already safe."""
    if outcome.drain is not None:
        try:
            await STARTER.ensure(client, *outcome.drain, settings=get_services().settings)
        except Exception:  # noqa: BLE001 - any failure to reach the task hub; the sweep retries
            log.warning("could not start the webhook drainer for %s/%s", *outcome.drain)
    for signal in outcome.signals:
        if signal.kind not in _SYNC_SIGNALS:
            continue  # subscription lifecycle: surfaced in the audit trail for the operator
        # Conflict: a sync is already running (it reads these changes); the others: it cannot sync.
        with contextlib.suppress(Conflict, NotFound, IntegrationInactive):
            await start_sync(client, get_services().stores.integrations, signal.tenant_id, signal.integration_id,
                             RunMode.INCREMENTAL, RunTrigger.WEBHOOK)


async def receive(req: func.HttpRequest, client: DurableClient) -> func.HttpResponse:
    """The receiver's work, callable with any durable client (tests pass a fake one)."""
    provider = req.route_params.get("provider", "")
    registration_id = req.route_params.get("registrationId", "")
    request = RawRequest.build(req.method, req.url, req.headers, req.get_body() or b"", req.params)
    outcome = await intake().handle(provider, registration_id, request)
    await _follow_up(client, outcome)
    return _response(outcome.reply)


@bp.route(route=RECEIVE_ROUTE, methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@bp.generic_input_binding(arg_name="client", type="durableClient")  # the binding's JSON: see LazyDurableClient
@api_errors
async def webhook_receive(req: func.HttpRequest, client: str) -> func.HttpResponse:
    return await receive(req, LazyDurableClient(client))


@bp.route(route=REGISTRATION_ROUTE, methods=["PUT"])
@api_errors
def webhook_registration_put(req: func.HttpRequest) -> func.HttpResponse:
    return put_registration(req, get_services(), intake().endpoints.forget)


@bp.route(route=REGISTRATION_ROUTE, methods=["GET"])
@api_errors
def webhook_registration_get(req: func.HttpRequest) -> func.HttpResponse:
    return get_registration(req, get_services())


@bp.route(route=REGISTRATION_ROUTE, methods=["DELETE"])
@api_errors
def webhook_registration_delete(req: func.HttpRequest) -> func.HttpResponse:
    return delete_registration(req, get_services(), intake().endpoints.forget)
