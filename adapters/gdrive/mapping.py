"""Drive files and changes as engine records and deletion ids.

A change reports a deletion when ``removed`` is true (deleted, or access lost) or when its file
is in the trash (``file.trashed``), per the manage-changes guide. ``changeType: drive`` entries
describe shared drives, not files, and are skipped. ``version`` is Drive's monotonically
increasing file version: the value update() compares before writing.
"""

from __future__ import annotations

from typing import Any

from adapters.base import ExternalRecord
from adapters.incremental import parse_timestamp
from core.errors import MalformedResponse

PROVIDER = "gdrive"


def file_record(item: Any) -> ExternalRecord:
    """A Drive file resource as a record."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        raise MalformedResponse("Drive file without an id", provider=PROVIDER)
    version = item.get("version")
    return ExternalRecord(
        id=item["id"],
        version=str(version) if version is not None else None,
        modified_at=parse_timestamp(item.get("modifiedTime")),
        data=item,
    )


def files_page(body: dict[str, Any]) -> list[ExternalRecord]:
    """The records of a files.list page."""
    files = body.get("files")
    if not isinstance(files, list):
        raise MalformedResponse("files.list page has no 'files' array", provider=PROVIDER)
    return [file_record(f) for f in files]


def changes_page(body: dict[str, Any]) -> tuple[list[ExternalRecord], list[str]]:
    """Records and deleted file ids of a changes.list page; the last change of a file wins."""
    changes = body.get("changes")
    if not isinstance(changes, list):
        raise MalformedResponse("changes.list page has no 'changes' array", provider=PROVIDER)
    latest: dict[str, dict[str, Any]] = {}
    for change in changes:
        if not isinstance(change, dict):
            raise MalformedResponse("change is not an object", provider=PROVIDER)
        if change.get("changeType", "file") != "file":
            continue
        file_id = change.get("fileId")
        if not isinstance(file_id, str):
            raise MalformedResponse("file change without a fileId", provider=PROVIDER)
        latest.pop(file_id, None)
        latest[file_id] = change
    records: list[ExternalRecord] = []
    deleted: list[str] = []
    for file_id, change in latest.items():
        file = change.get("file")
        if change.get("removed") or (isinstance(file, dict) and file.get("trashed")):
            deleted.append(file_id)
        elif file is None:
            raise MalformedResponse("change without a file and not removed", provider=PROVIDER)
        else:
            records.append(file_record(file))
    return records, deleted
