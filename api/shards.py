"""Shards, the internal records: list with filters, get (with ``ETag``), create, patch (optional
``If-Match``, 412 when stale), delete. Every write goes through ``api.shard_writes``.

PATCH is a JSON merge patch (RFC 7386) of ``shardTypeId``, ``structuredData`` and
``externalRelationships``: ``structuredData`` merges key by key (``null`` removes a key), the
other fields are replaced. Server fields (``id``, ``tenantId``, ``etag``, timestamps) sent by a
client are ignored, so a GET body can be edited and sent back.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import azure.durable_functions as df
import azure.functions as func
from pydantic import Field

from api.conditional import write_current
from api.http import (
    BadRequest,
    ErrorCode,
    NotFound,
    PreconditionFailed,
    api_errors,
    etag_headers,
    if_match_satisfied,
    json_response,
    no_content,
    query_int,
    read_json,
    require_object,
    route_id,
    tenant_id,
    validate,
)
from api.shard_writes import CreateShard, DeleteShard, PatchShard, apply_local_write
from core.models import CamelModel, ExternalRelationship, Identifier, Shard
from services import get_services

bp = df.Blueprint()

ONE = "tenants/{tenantId}/shards/{shardId}"
MAX_PAGE = 1000
_SERVER_KEYS = frozenset({"tenantId", "etag", "createdAt", "updatedAt", "deletedAt"})


class ShardCreate(CamelModel):
    """POST body; ``id`` is generated when absent."""

    id: Identifier | None = None
    shard_type_id: Identifier
    structured_data: dict[str, Any] = Field(default_factory=dict)
    external_relationships: list[ExternalRelationship] = Field(default_factory=list)


class ShardPatch(CamelModel):
    shard_type_id: Identifier | None = None
    structured_data: dict[str, Any] | None = None
    external_relationships: list[ExternalRelationship] | None = None


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, ``null`` removes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def _client_fields(body: Any, *, drop: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in require_object(body).items() if k not in drop}


def _found(tenant: str, shard_id: str) -> Shard:
    shard = get_services().stores.shards.get(tenant, shard_id)
    if shard is None:
        raise NotFound("no such shard")
    return shard


def _shard_response(shard: Shard, status: int = 200) -> func.HttpResponse:
    return json_response(shard.to_wire(), status, etag_headers(shard.etag))


@bp.route(route="tenants/{tenantId}/shards", methods=["GET"])
@api_errors
def shards_list(req: func.HttpRequest) -> func.HttpResponse:
    """``{"items": [...], "continuationToken": ...}``; filters ``shardTypeId``, ``externalSystem``,
    ``externalId``; ``limit`` 1-1000 (default 100)."""
    tenant = tenant_id(req)
    limit = query_int(req, "limit", 100, 1, MAX_PAGE)
    try:
        page = get_services().stores.shards.query(
            tenant,
            shard_type_id=req.params.get("shardTypeId") or None,
            external_system=req.params.get("externalSystem") or None,
            external_id=req.params.get("externalId") or None,
            limit=limit,
            continuation_token=req.params.get("continuationToken") or None,
        )
    except ValueError:
        raise BadRequest("continuationToken is not valid", code=ErrorCode.INVALID_PARAMETER,
                         details=[{"field": "continuationToken", "message": "not a token this API issued"}]
                         ) from None
    items = [s.to_wire() for s in page.items]
    return json_response({"items": items, "continuationToken": page.continuation_token})


@bp.route(route=ONE, methods=["GET"])
@api_errors
def shards_get(req: func.HttpRequest) -> func.HttpResponse:
    return _shard_response(_found(tenant_id(req), route_id(req, "shardId")))


@bp.route(route="tenants/{tenantId}/shards", methods=["POST"])
@api_errors
def shards_create(req: func.HttpRequest) -> func.HttpResponse:
    """201 with the new shard; 409 ``already_exists`` when the id is taken."""
    tenant = tenant_id(req)
    body = validate(ShardCreate, _client_fields(read_json(req), drop=_SERVER_KEYS))
    shard = Shard(id=body.id or uuid.uuid4().hex, tenant_id=tenant, shard_type_id=body.shard_type_id,
                  structured_data=body.structured_data, external_relationships=body.external_relationships)
    written = apply_local_write(get_services().stores.shards, tenant, CreateShard(shard), datetime.now(UTC))
    assert written.after is not None  # a create always returns the new shard
    return _shard_response(written.after, 201)


def _changes(patch: ShardPatch, current: Shard) -> dict[str, Any]:
    sent = patch.model_fields_set
    changes: dict[str, Any] = {}
    if "shard_type_id" in sent and patch.shard_type_id is not None:
        changes["shardTypeId"] = patch.shard_type_id
    if "structured_data" in sent:
        changes["structuredData"] = merge_patch(current.structured_data, patch.structured_data or {})
    if "external_relationships" in sent:
        changes["externalRelationships"] = [r.to_wire() for r in patch.external_relationships or []]
    return changes


@bp.route(route=ONE, methods=["PATCH"])
@api_errors
def shards_patch(req: func.HttpRequest) -> func.HttpResponse:
    """200 with the patched shard; 412 when ``If-Match`` is not the current ETag."""
    tenant, shard_id = tenant_id(req), route_id(req, "shardId")
    patch = validate(ShardPatch, _client_fields(read_json(req), drop=_SERVER_KEYS | {"id"}))

    def patched(current: Shard) -> Shard:
        written = apply_local_write(get_services().stores.shards, tenant,
                                    PatchShard(current, _changes(patch, current)), datetime.now(UTC))
        assert written.after is not None  # a patch always returns the shard
        return written.after

    return _shard_response(write_current(req, "shard", lambda: _found(tenant, shard_id), patched))


@bp.route(route=ONE, methods=["DELETE"])
@api_errors
def shards_delete(req: func.HttpRequest) -> func.HttpResponse:
    """204; 412 when an ``If-Match`` is given and stale."""
    tenant = tenant_id(req)
    current = _found(tenant, route_id(req, "shardId"))
    if not if_match_satisfied(req, current.etag):
        raise PreconditionFailed("the shard changed since it was read (If-Match)")
    apply_local_write(get_services().stores.shards, tenant, DeleteShard(current), datetime.now(UTC))
    return no_content()
