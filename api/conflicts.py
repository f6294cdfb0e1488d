"""Write-back conflicts left for a person (``conflictResolution: manual``, or ``merge`` with fields
changed on both sides): list them, resolve them. Every resolution is audited.

- ``GET /api/tenants/{tenantId}/conflicts?integrationId=&limit=``: ``{"items": [Conflict, ...]}``; a
  Conflict is ``{"shardId", "integrationId", "externalId", "shardTypeId", "remoteVersion", "local":
  {...}, "remote": {...}, "base": {...} | null, "fields": [names that differ]}``.
- ``POST /api/tenants/{tenantId}/shards/{shardId}/conflicts/{integrationId}/resolve`` with
  ``{"choose": "local"}``, ``{"choose": "remote"}`` or ``{"values": {field: value, ...}}`` (applied on
  top of the local data). ``remote`` takes the provider's values into the shard and is done; ``local``
  and ``values`` write the shard and queue a push conditioned on the remote version that was kept
  (in the same transaction). 200 with the shard; 404 when the shard has no conflict with that
  integration; 409 when it changed while resolving; 422 for a bad body.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import azure.durable_functions as df
import azure.functions as func
from pydantic import model_validator

from api.http import NotFound, api_errors, json_response, query_int, read_json, route_id, tenant_id, validate
from core.hashing import content_hash
from core.mapping import compile_mapping
from core.models import AuditRecord, CamelModel, ExternalRelationship, Shard, SyncStatus
from services import get_services
from stores.outbox import OutboxChange, OutboxOp
from writeback.capture import push_mapping
from writeback.runtime import outbox_for

bp = df.Blueprint()
SCAN_PAGE = 500


class Side(StrEnum):
    LOCAL = "local"
    REMOTE = "remote"


class ResolveBody(CamelModel):
    choose: Side | None = None
    values: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> ResolveBody:
        if (self.choose is None) == (self.values is None):
            raise ValueError("give exactly one of choose or values")
        return self


def _conflict_view(shard: Shard, rel: ExternalRelationship) -> dict[str, Any]:
    remote = rel.conflict_data or {}
    local = {k: shard.structured_data.get(k) for k in remote}
    return {
        "shardId": shard.id, "integrationId": rel.integration_id, "externalId": rel.external_id,
        "shardTypeId": shard.shard_type_id, "remoteVersion": rel.remote_version, "local": local,
        "remote": remote, "base": rel.base_data, "fields": sorted(k for k in remote if local.get(k) != remote[k]),
    }


@bp.route(route="tenants/{tenantId}/conflicts", methods=["GET"])
@api_errors
def conflicts_list(req: func.HttpRequest) -> func.HttpResponse:
    """Shards whose relationship is ``conflict`` (a scan of the tenant's shards, page by page)."""
    tenant = tenant_id(req)
    wanted = req.params.get("integrationId") or None
    limit = query_int(req, "limit", 100, 1, 1000)
    store = get_services().stores.shards
    items: list[dict[str, Any]] = []
    token = None
    while len(items) < limit:
        page = store.query(tenant, limit=SCAN_PAGE, continuation_token=token)
        for shard in page.items:
            for rel in shard.external_relationships:
                if rel.sync_status == SyncStatus.CONFLICT and wanted in (None, rel.integration_id):
                    items.append(_conflict_view(shard, rel))
        token = page.continuation_token
        if not token:
            break
    return json_response({"items": items[:limit]})


def _resolved(shard: Shard, rel: ExternalRelationship, body: ResolveBody) -> tuple[dict[str, Any], bool, str]:
    """(the shard's new data, whether a push is needed, what was chosen)."""
    remote = rel.conflict_data or {}
    if body.choose == Side.REMOTE:
        return {**shard.structured_data, **remote}, False, "remote"
    if body.choose == Side.LOCAL:
        return dict(shard.structured_data), True, "local"
    return {**shard.structured_data, **(body.values or {})}, True, "values"


@bp.route(route="tenants/{tenantId}/shards/{shardId}/conflicts/{integrationId}/resolve", methods=["POST"])
@api_errors
def conflicts_resolve(req: func.HttpRequest) -> func.HttpResponse:
    tenant, shard_id, integration_id = tenant_id(req), route_id(req, "shardId"), route_id(req, "integrationId")
    body = validate(ResolveBody, read_json(req))
    services = get_services()
    store = services.stores.shards
    shard = store.get(tenant, shard_id)
    rel = shard.relationship_for(integration_id) if shard is not None else None
    integration = services.stores.integrations.get(tenant, integration_id)
    if shard is None or rel is None or rel.sync_status != SyncStatus.CONFLICT or integration is None:
        raise NotFound("no conflict for this shard and integration")
    data, push, chosen = _resolved(shard, rel, body)
    mapping = push_mapping(integration, shard.shard_type_id)
    now = datetime.now(UTC)
    remote = rel.conflict_data or {}
    # The provider's values kept with the conflict are what it has now: the base of the next push.
    relationship = rel.model_copy(update={
        "sync_status": SyncStatus.PENDING if push else SyncStatus.SYNCED, "conflict_data": None,
        "base_data": {**shard.structured_data, **remote} if push else None, "last_synced_at": now,
        "content_hash": rel.content_hash if push or mapping is None else content_hash(
            compile_mapping(mapping).project(data)),
    })
    others = [r.to_wire() for r in shard.external_relationships if r.integration_id != integration_id]
    changes = {"structuredData": data, "externalRelationships": [*others, relationship.to_wire()]}
    outbox = outbox_for(store)
    with outbox.capturing() as tx:
        updated = store.patch(tenant, shard_id, changes, if_match=shard.etag)
        if push and mapping is not None:
            tx.enqueue([OutboxChange(
                tenant_id=tenant, integration_id=integration_id, shard_id=shard_id, op=OutboxOp.UPDATE,
                entity=mapping.external_entity, shard_type_id=shard.shard_type_id,
                external_id=rel.external_id, remote_version=rel.remote_version,
            )], now)
    services.stores.audit.append(AuditRecord(
        id=uuid.uuid4().hex, tenant_id=tenant, integration_id=integration_id,
        action="writeback.conflict_resolved", actor="api", at=now,
        details={"shardId": shard_id, "strategy": "manual", "outcome": chosen,
                 "fields": sorted(k for k in remote if shard.structured_data.get(k) != remote[k])},
    ))
    return json_response(updated.to_wire(), 200)
