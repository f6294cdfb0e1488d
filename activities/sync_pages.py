"""The page activities of a pull sync: fetch, transform, save; and deletion detection after a full read.

Records never travel through orchestration history: `fetch_page` stages the provider's page under a key,
`transform_page` maps it and stages the result, `save_page` deduplicates and upserts it, checkpoints the
cursor and drops the staged data. Each activity is safe to run twice (activities run at least once): keys
are derived from the run, mapping and page, and writes are upserts by deterministic shard ids.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import azure.durable_functions as df

from activities.contracts import (
    DetectDeletionsInput,
    ErrorInfo,
    FetchPageInput,
    FetchPageResult,
    PageRef,
    SavePageInput,
    SavePageResult,
    TransformPageInput,
    TransformPageResult,
)
from activities.heap import release_free_memory
from activities.page_store import plan_records, unit_of_work, write_plan
from activities.provider import open_adapter
from adapters.base import Cursor, ExternalRecord, FetchMode, FetchRequest
from adapters.incremental import format_timestamp
from core.errors import SyncError
from core.hashing import content_hash
from core.mapping import compile_mapping
from core.models import EntityMapping, Integration, RunError, RunMode
from services import get_services
from stores.errors import StaleETag
from stores.syncstate import SyncCheckpoint

bp = df.Blueprint()


def _load(ref: PageRef) -> tuple[Integration, EntityMapping]:
    integration = get_services().stores.integrations.get(ref.tenant_id, ref.integration_id)
    if integration is None or ref.mapping_index >= len(integration.entity_mappings):
        raise LookupError(f"integration {ref.integration_id!r} or its mapping #{ref.mapping_index} is gone")
    return integration, integration.entity_mappings[ref.mapping_index]


def mapping_key(mapping: EntityMapping) -> str:
    return f"{mapping.external_entity}:{mapping.shard_type_id}"


def _key(ref: PageRef, stage: str) -> str:
    return f"{ref.run_id}/{ref.mapping_index}/{ref.page_no}/{stage}"


class _GcPause:
    """Suspends the cyclic garbage collector while any page activity of this process runs.

    A page allocates a few hundred thousand objects that live until the activity ends (decoded records,
    mapped records, shards), so the collector's thresholds trip over and over and each full collection
    walks the whole heap again: about a fifth of a page's CPU time. Those objects hold no reference cycles
    and are freed by reference counting. Collection resumes as soon as no page activity runs (the gaps
    between a page's activities); should activities overlap without a gap for long, a backlog of
    ``backlog`` uncollected objects still forces a collection.
    """

    def __init__(self, backlog: int = 2_000_000) -> None:
        self._lock = threading.Lock()
        self._active = 0
        self._resume = False
        self._backlog = backlog

    @contextmanager
    def paused(self) -> Iterator[None]:
        with self._lock:
            if self._active == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._active += 1
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1
                resume = self._active == 0 and self._resume
                if resume:
                    gc.enable()
            if not resume and gc.get_count()[0] > self._backlog:
                gc.collect()
            release_free_memory()  # the page's objects are gone: their pages need not stay in this thread's arena


_gc = _GcPause()


def _error(exc: SyncError) -> ErrorInfo:
    data = exc.to_dict()
    return ErrorInfo(code=exc.code.value, message=exc.message, retryable=exc.retryable, retry_after=exc.retry_after,
                     data={k: v for k, v in data.items() if k not in ("code", "message", "retryable")})


def _staged(record: ExternalRecord) -> dict[str, Any]:
    """A fetched record as staged: the shape the save reads, so the transform only swaps in the mapped data."""
    when = record.modified_at
    return {"externalId": record.id, "version": record.version,
            "modifiedAt": format_timestamp(when) if when else None, "data": record.data}


def _fetched(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A staged provider page; one staged by an earlier version (``id``, ``modified_at``) is read in today's shape."""
    if not raw or "externalId" in raw[0]:
        return raw
    return [{"externalId": r["id"], "version": r.get("version"), "modifiedAt": r.get("modified_at"),
             "data": r["data"]} for r in raw]


@bp.activity_trigger(input_name="payload")
async def fetch_page(payload: dict[str, Any]) -> dict[str, Any]:
    """Read one page from the provider and stage it; provider errors come back typed, not raised."""
    with _gc.paused():
        return await _fetch(payload)


async def _fetch(payload: dict[str, Any]) -> dict[str, Any]:
    inp = FetchPageInput.model_validate(payload)
    integration, mapping = _load(inp)
    stores = get_services().stores
    cursor = inp.cursor
    if cursor is None and inp.mode == RunMode.INCREMENTAL and inp.page_no == 0:
        stored = stores.sync_state.get(inp.tenant_id, inp.integration_id, mapping_key(mapping))
        cursor = stored.cursor if stored else None
    request = FetchRequest(
        entity=mapping.external_entity, mode=FetchMode(inp.mode.value), page_size=inp.page_size,
        cursor=Cursor.model_validate(cursor) if cursor else None,
        fields=[f.source for f in mapping.field_mappings],
    )
    try:
        async with open_adapter(integration) as adapter:
            page = await adapter.fetch_page(request)
    except SyncError as exc:
        return FetchPageResult(error=_error(exc)).to_wire()
    key = _key(inp, "raw")
    stores.staging.put(inp.tenant_id, key, [_staged(r) for r in page.records])
    if page.deleted_ids:
        stores.staging.put(inp.tenant_id, _key(inp, "deleted"), [{"id": i} for i in page.deleted_ids])
    return FetchPageResult(
        staging_key=key, fetched=len(page.records), deleted=len(page.deleted_ids),
        next_cursor=page.next_cursor.model_dump(mode="json") if page.next_cursor else None,
        checkpoint=page.checkpoint.model_dump(mode="json"),
        limits=page.limits.model_dump(mode="json") if page.limits else None,
        resync_required=page.resync_required,
    ).to_wire()


@bp.activity_trigger(input_name="payload")
def transform_page(payload: dict[str, Any]) -> dict[str, Any]:
    """Map the staged provider records to shard fields; a record that fails is reported, not fatal."""
    with _gc.paused():
        return _transform(payload)


def _transform(payload: dict[str, Any]) -> dict[str, Any]:
    inp = TransformPageInput.model_validate(payload)
    _, mapping = _load(inp)
    staging = get_services().stores.staging
    raw = staging.get(inp.tenant_id, inp.staging_key)
    out_key = _key(inp, "mapped")
    if raw is None:  # a re-run after the page was already transformed
        return TransformPageResult(staging_key=out_key).to_wire()
    fetched = _fetched(raw)
    mapped = compile_mapping(mapping).map_page([r["data"] for r in fetched])
    staged: list[dict[str, Any]] = []
    for item, data in zip(fetched, mapped.records, strict=True):
        if data is not None:
            item["data"] = data  # the decoded page is this activity's own: no copy per record
            item["contentHash"] = content_hash(data)  # here, not in the save, which runs one page at a time
            staged.append(item)
    errors = [
        RunError(error_type="VALIDATION_ERROR", message="; ".join(str(e) for e in errs)[:500],
                 external_entity=mapping.external_entity, external_id=fetched[i]["externalId"])
        for i, errs in list(mapped.errors.items())[:20]
    ]
    staging.put(inp.tenant_id, out_key, staged)  # then the input: a re-run after a crash in between maps again
    staging.delete(inp.tenant_id, inp.staging_key)
    return TransformPageResult(staging_key=out_key, transformed=len(staged), failed=mapped.failed,
                               errors=errors).to_wire()


@bp.activity_trigger(input_name="payload")
def save_page(payload: dict[str, Any]) -> dict[str, Any]:
    """Dedup and upsert the mapped page, apply deletions, checkpoint the cursor, drop the staged data."""
    with _gc.paused():
        return _save(payload)


def _save(payload: dict[str, Any]) -> dict[str, Any]:
    inp = SavePageInput.model_validate(payload)
    integration, mapping = _load(inp)
    stores = get_services().stores
    items = stores.staging.get(inp.tenant_id, inp.staging_key)
    deleted = stores.staging.get(inp.tenant_id, _key(inp, "deleted")) or []
    save = plan_records(integration, mapping, inp, items or [], [d["id"] for d in deleted],
                        expect_changes=inp.mode == RunMode.INCREMENTAL)
    with unit_of_work(stores):  # the page's writes and its checkpoint commit together
        stats = write_plan(save)
        _checkpoint(inp, mapping, inp.checkpoint)
    # Then the staged input (another database): a re-run after a crash in between writes the same again.
    stores.staging.delete(inp.tenant_id, inp.staging_key)
    stores.staging.delete(inp.tenant_id, _key(inp, "deleted"))
    return SavePageResult(stats=stats, errors=save.refused[:20]).to_wire()


def _checkpoint(inp: SavePageInput, mapping: EntityMapping, cursor: dict[str, Any] | None) -> None:
    """Persist where the next run resumes (compare-and-swap on the checkpoint's version)."""
    if cursor is None:
        return
    state = get_services().stores.sync_state
    key = mapping_key(mapping)
    for _ in range(5):
        current = state.get(inp.tenant_id, inp.integration_id, key)
        checkpoint = SyncCheckpoint(
            tenant_id=inp.tenant_id, integration_id=inp.integration_id, mapping_key=key, cursor=cursor,
            run_id=inp.run_id, pages=inp.page_no + 1, updated_at=datetime.now(UTC),
        )
        try:
            state.put(inp.tenant_id, checkpoint, current.version if current else 0)
            return
        except StaleETag:
            continue


@bp.activity_trigger(input_name="payload")
def detect_deletions(payload: dict[str, Any]) -> int:
    """After a full read: soft-delete this mapping's shards the run did not see."""
    inp = DetectDeletionsInput.model_validate(payload)
    integration = get_services().stores.integrations.get(inp.tenant_id, inp.integration_id)
    if integration is None or inp.mapping_index >= len(integration.entity_mappings):
        return 0
    mapping = integration.entity_mappings[inp.mapping_index]
    return get_services().stores.shards.mark_deleted_except(
        inp.tenant_id, inp.integration_id, mapping.shard_type_id, inp.run_id, datetime.now(UTC)
    )
