"""Turn Graph collection items into engine records and deletion ids.

Deletion signals: ``@removed`` (delta-query-overview.md: ``changed`` = soft-deleted, ``deleted`` =
gone; both leave our store), the ``deleted`` facet on driveItems (driveitem-delta.md), and a
non-null ``deletedDateTime`` on Teams messages (chatMessage resource). The same item can appear
more than once in a delta feed; the last occurrence wins (driveitem-delta.md, Remarks).
"""

from __future__ import annotations

from typing import Any

from adapters.base import ExternalRecord
from adapters.graph.spec import EntitySpec
from adapters.incremental import parse_timestamp
from core.errors import MalformedResponse


def is_deleted(item: dict[str, Any], spec: EntitySpec) -> bool:
    """Whether this item reports a deletion rather than a live record."""
    if "@removed" in item:
        return True
    if spec.deleted_facet and item.get(spec.deleted_facet) is not None:
        return True
    return bool(spec.deleted_marker_field and item.get(spec.deleted_marker_field))


def to_record(item: dict[str, Any], spec: EntitySpec) -> ExternalRecord:
    """A live item as an engine record; version is what If-Match needs back."""
    version = item.get(spec.version_field)
    return ExternalRecord(
        id=str(item["id"]),
        version=str(version) if version is not None else None,
        modified_at=parse_timestamp(item.get("lastModifiedDateTime")),
        data=item,
    )


def split_items(items: Any, spec: EntitySpec) -> tuple[list[ExternalRecord], list[str]]:
    """Records and deleted ids of one page, last occurrence of an id winning."""
    if not isinstance(items, list):
        raise MalformedResponse("Graph page has no 'value' array", provider="graph")
    latest: dict[str, dict[str, Any]] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str | int):
            raise MalformedResponse("Graph item without an id", provider="graph")
        latest.pop(str(item["id"]), None)  # re-insert so order follows the last occurrence
        latest[str(item["id"])] = item
    records = [to_record(i, spec) for i in latest.values() if not is_deleted(i, spec)]
    deleted = [key for key, i in latest.items() if is_deleted(i, spec)]
    return records, deleted
