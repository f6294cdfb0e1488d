"""The activities of webhook processing: drain a page of the inbox, fetch the records of thin events.

``drain_webhook_page`` takes the oldest pending events of an integration's registrations, keeps the
latest event per record, upserts rich events (their data mapped like a pulled record) and deletions
through ``save_records`` (the pull sync's page upsert), and marks them processed. Thin events are
left pending and returned as ``FetchGroup``s: the orchestration asks the rate-limit budget first,
then ``fetch_webhook_records`` reads them through the adapter, upserts and marks them processed.
Both are safe to run twice: upserts are keyed by external id and marking processed is idempotent.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import azure.durable_functions as df

from activities.contracts import ErrorInfo, PageRef
from activities.page_store import save_records
from activities.provider import open_adapter
from activities.webhook_contracts import (
    DrainInput,
    DrainResult,
    EventKey,
    FetchGroup,
    FetchInput,
    FetchResult,
)
from activities.webhook_records import read_records
from core.errors import SyncError
from core.mapping import compile_mapping
from core.models import (
    AuditOutcome,
    AuditRecord,
    DeadLetter,
    DeadLetterKind,
    EntityMapping,
    Integration,
    RunStats,
    SyncDirection,
    WebhookOperation,
)
from services import get_services
from stores.audit import new_audit_id
from stores.webhook_registrations import WebhookRegistration
from stores.webhooks import InboxItem

bp = df.Blueprint()


def mapping_index(integration: Integration, registration: WebhookRegistration, entity_type: str) -> int | None:
    """The inbound mapping an event's entity type names (``contact`` finds ``contacts`` too)."""
    wanted = registration.entity_types.get(entity_type, entity_type).lower()
    for index, mapping in enumerate(integration.entity_mappings):
        name = mapping.external_entity.lower()
        if mapping.direction != SyncDirection.PUSH and wanted in (name, name.removesuffix("s")):
            return index
    return None


def record_of(registration: WebhookRegistration, data: dict[str, Any]) -> dict[str, Any] | None:
    """The record's fields carried by the event (rich), or None (thin: fetch it)."""
    if registration.record_path is None:
        return None
    node: Any = data
    for key in filter(None, registration.record_path.split(".")):
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) and node else None


def _key(item: InboxItem) -> EventKey:
    return EventKey(registration_id=item.registration_id, event_id=item.event_id, external_id=item.event.entity_id)


def _mark(tenant: str, keys: Sequence[EventKey | InboxItem], run_id: str, outcome: AuditOutcome,
          **details: Any) -> None:
    """Mark events processed and audit them, each chunk in one transaction where the backend has them
    (a crash never leaves an event marked but unaudited; the loss check reads these records). Short
    transactions: the receiver's commits never wait long behind them. Events given as the listed
    ``InboxItem``s are written back as they are, without reading them again."""
    stores, now = get_services().stores, datetime.now(UTC)
    integration_id = details.pop("integration_id", None)
    transaction = stores.transaction or contextlib.nullcontext
    for start in range(0, len(keys), _MARK_CHUNK):
        chunk = keys[start:start + _MARK_CHUNK]
        record = AuditRecord(
            id=new_audit_id(now), tenant_id=tenant, integration_id=integration_id, action="webhook.processed",
            outcome=outcome, actor="webhook", at=now, correlation_id=run_id,
            details={"eventIds": [k.event_id for k in chunk], **details},
        )
        listed = [k for k in chunk if isinstance(k, InboxItem)]
        with transaction():
            stores.webhooks.mark_listed_processed(listed, now)
            for key in chunk:
                if not isinstance(key, InboxItem):
                    stores.webhooks.mark_processed(tenant, key.registration_id, key.event_id, now)
            stores.audit.append(record)


def _upsert(integration: Integration, mapping: EntityMapping, ref: PageRef,
            latest: dict[str, InboxItem], record_of_item: dict[str, dict[str, Any]]) -> RunStats:
    deleted = [ext for ext, item in latest.items() if item.event.operation == WebhookOperation.DELETE]
    live = [ext for ext in latest if ext in record_of_item]
    mapped = compile_mapping(mapping).map_page([record_of_item[ext] for ext in live])
    items = [{"externalId": ext, "version": None, "modifiedAt": latest[ext].event.timestamp.isoformat(),
              "data": data} for ext, data in zip(live, mapped.records, strict=True) if data is not None]
    return save_records(integration, mapping, ref, items, deleted) + RunStats(failed=mapped.failed)


_MARK_CHUNK = 32
_REGISTRATIONS_TTL = 5.0  # seconds a drainer trusts its integration's registration list
_registrations: dict[tuple[int, str, str], tuple[float, dict[str, WebhookRegistration]]] = {}


def _registrations_of(tenant_id: str, integration_id: str) -> dict[str, WebhookRegistration]:
    """The integration's registrations, re-read every few seconds rather than on every page."""
    stores = get_services().stores
    key, now = (id(stores), tenant_id, integration_id), time.monotonic()
    cached = _registrations.get(key)
    if cached is None or cached[0] < now:
        found = stores.webhook_registrations.list_for_integration(tenant_id, integration_id)
        cached = _registrations[key] = (now + _REGISTRATIONS_TTL, {r.registration_id: r for r in found})
    return cached[1]


def _pending(inp: DrainInput) -> tuple[list[InboxItem], dict[str, WebhookRegistration]]:
    stores = get_services().stores
    registrations = _registrations_of(inp.tenant_id, inp.integration_id)
    items: list[InboxItem] = []
    for registration_id in registrations:
        items.extend(stores.webhooks.list_pending(inp.tenant_id, registration_id, inp.page_size))
    items.sort(key=lambda i: i.received_at)
    return items[: inp.page_size], registrations


@bp.activity_trigger(input_name="payload")
def drain_webhook_page(payload: dict[str, Any]) -> dict[str, Any]:
    """Process one page of pending events; thin ones come back as fetch groups, still pending."""
    inp = DrainInput.model_validate(payload)
    items, registrations = _pending(inp)
    integration = get_services().stores.integrations.get(inp.tenant_id, inp.integration_id)
    if integration is None:
        _mark(inp.tenant_id, items, inp.run_id, AuditOutcome.FAILURE,
              integration_id=inp.integration_id, reason="integration not found")
        return DrainResult(listed=len(items), skipped=len(items)).to_wire()
    indexed: list[tuple[InboxItem, int]] = []
    done: list[InboxItem] = []
    for item in items:
        index = mapping_index(integration, registrations[item.registration_id], item.event.entity_type)
        if index is None:
            done.append(item)  # no inbound mapping for this entity: nothing to upsert
        else:
            indexed.append((item, index))
    unmatched = len(done)
    stats, groups = RunStats(), []
    for index in sorted({i for _, i in indexed}):
        members = [item for item, i in indexed if i == index]
        ref = PageRef(tenant_id=inp.tenant_id, integration_id=inp.integration_id, run_id=inp.run_id,
                      mapping_index=index, page_no=0)
        page_stats, thin = _settle(integration, integration.entity_mappings[index], ref, members, registrations)
        stats = stats + page_stats
        done.extend(i for i in members if i.event.entity_id not in thin)
        thin_items = [i for i in members if i.event.entity_id in thin]
        if thin_items:
            groups.append(FetchGroup(mapping_index=index, external_ids=sorted(thin),
                                     events=[_key(i) for i in thin_items],
                                     since=min(i.event.timestamp for i in thin_items)))
    _mark(inp.tenant_id, done, inp.run_id, AuditOutcome.SUCCESS, integration_id=inp.integration_id)
    return DrainResult(listed=len(items), processed=len(done), skipped=unmatched, stats=stats,
                       fetch=groups).to_wire()


def _settle(integration: Integration, mapping: EntityMapping, ref: PageRef, members: list[InboxItem],
            registrations: dict[str, WebhookRegistration]) -> tuple[RunStats, set[str]]:
    """Upsert the rich events and deletions of one mapping; the external ids still to fetch."""
    latest: dict[str, InboxItem] = {}
    for item in members:  # oldest first: a later event of the same record replaces an earlier one
        latest[item.event.entity_id] = item
    rich: dict[str, dict[str, Any]] = {}
    thin: set[str] = set()
    for ext, item in latest.items():
        if item.event.operation == WebhookOperation.DELETE:
            continue
        record = record_of(registrations[item.registration_id], item.event.data)
        if record is None:
            thin.add(ext)
        else:
            rich[ext] = record
    settled = {ext: item for ext, item in latest.items() if ext not in thin}
    return _upsert(integration, mapping, ref, settled, rich), thin


@bp.activity_trigger(input_name="payload")
async def fetch_webhook_records(payload: dict[str, Any]) -> dict[str, Any]:
    """Read the records of thin events through the adapter, upsert them, mark the events processed."""
    inp = FetchInput.model_validate(payload)
    group = inp.group
    stores = get_services().stores
    integration = stores.integrations.get(inp.tenant_id, inp.integration_id)
    if integration is None or group.mapping_index >= len(integration.entity_mappings):
        _mark(inp.tenant_id, group.events, inp.run_id, AuditOutcome.FAILURE, integration_id=inp.integration_id,
              reason="integration or mapping not found")
        return FetchResult(stats=RunStats(skipped=len(group.events))).to_wire()
    mapping = integration.entity_mappings[group.mapping_index]
    fields = [f.source for f in mapping.field_mappings]
    try:
        async with open_adapter(integration) as adapter:
            found = await read_records(adapter, mapping.external_entity, group.external_ids, fields, group.since)
    except SyncError as exc:
        return _fetch_failed(inp, exc)
    records = list(found.records.values())
    mapped = compile_mapping(mapping).map_page([r.data for r in records])
    items = [{"externalId": r.id, "version": r.version,
              "modifiedAt": r.modified_at.isoformat() if r.modified_at else None, "data": data}
             for r, data in zip(records, mapped.records, strict=True) if data is not None]
    ref = PageRef(tenant_id=inp.tenant_id, integration_id=inp.integration_id, run_id=inp.run_id,
                  mapping_index=group.mapping_index, page_no=0)
    stats = save_records(integration, mapping, ref, items, sorted(found.deleted))
    missing = set(group.external_ids) - found.records.keys() - found.deleted
    retry = None
    if missing and inp.attempt < inp.max_attempts:
        # Not visible yet (HubSpot's search trails writes by up to a minute): keep those events pending.
        retry = group.model_copy(update={"external_ids": sorted(missing),
                                         "events": [e for e in group.events if e.external_id in missing]})
    settled = [e for e in group.events if retry is None or e.external_id not in missing]
    gave_up = len(missing) if retry is None else 0
    stats = stats + RunStats(fetched=len(records), failed=mapped.failed, skipped=gave_up)
    _mark(inp.tenant_id, settled, inp.run_id, AuditOutcome.SUCCESS, integration_id=inp.integration_id,
          fetched=len(records), missing=gave_up)
    return FetchResult(stats=stats, missing=len(missing), retry=retry).to_wire()


def _fetch_failed(inp: FetchInput, exc: SyncError) -> dict[str, Any]:
    """A retryable error before the last attempt: leave the events pending. Otherwise dead-letter them."""
    error = ErrorInfo(code=exc.code.value, message=exc.message, retryable=exc.retryable,
                      retry_after=exc.retry_after)
    if exc.retryable and inp.attempt < inp.max_attempts:
        return FetchResult(done=False, error=error).to_wire()
    now = datetime.now(UTC)
    get_services().stores.dead_letters.add(DeadLetter(
        id=uuid.uuid4().hex, tenant_id=inp.tenant_id, integration_id=inp.integration_id,
        kind=DeadLetterKind.WEBHOOK_EVENT, payload=inp.group.model_dump(mode="json", by_alias=True),
        error_type=exc.code.value, error_message=exc.message[:1000], attempts=inp.attempt,
        first_failed_at=now, last_failed_at=now, run_id=inp.run_id,
    ))
    _mark(inp.tenant_id, inp.group.events, inp.run_id, AuditOutcome.FAILURE, integration_id=inp.integration_id,
          deadLettered=True, error=exc.code.value)
    return FetchResult(stats=RunStats(failed=len(inp.group.external_ids)), error=error).to_wire()
