"""Drive file writes (metadata), and what stands in for conditional writes.

Drive v3 ignores ``If-Match`` (v2 honoured ETags; v3 dropped them), so a conditional write is a
read-compare-write: ``GET files/{id}?fields=version``, then the write if the version still equals
``if_version``. A change landing between the two requests is not detected: a narrow window,
documented rather than hidden. ``version`` only grows, so a mismatch is always a real change.

- create: ``POST /files`` (metadata only). With an idempotency key the key is stored in the
  file's ``appProperties`` and looked up first, so a retried create returns the earlier file.
- update: ``PATCH /files/{id}``.
- delete: ``PATCH /files/{id}`` with ``{"trashed": true}`` (recoverable for 30 days), or
  ``DELETE /files/{id}`` (permanent) when the connection says so.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from adapters.base import WriteResult
from adapters.gdrive.mapping import file_record
from adapters.gdrive.spec import FILE_FIELDS, DriveConnection
from adapters.http.session import ProviderHttp, read_json
from core.errors import MalformedResponse, PreconditionFailed

PROVIDER = "gdrive"
IDEMPOTENCY_PROPERTY = "castielIdempotencyKey"
WRITE_PARAMS = {"fields": FILE_FIELDS, "supportsAllDrives": "true"}


def _result(http: ProviderHttp, body: Any, created: bool) -> WriteResult:
    record = file_record(body)
    return WriteResult(
        external_id=record.id, version=record.version, created=created, limits=http.last_limits
    )


def _file_url(conn: DriveConnection, file_id: str) -> str:
    return f"{conn.base_url}/files/{quote(file_id, safe='')}"


async def check_version(
    http: ProviderHttp, conn: DriveConnection, file_id: str, if_version: str | None
) -> None:
    """Raise PreconditionFailed when the file's version is no longer ``if_version``."""
    if if_version is None:
        return
    # https://developers.google.com/workspace/drive/api/reference/rest/v3/files/get
    response = await http.request(
        "GET", _file_url(conn, file_id), params={"fields": "id,version", "supportsAllDrives": "true"}
    )
    body = read_json(response, PROVIDER)
    current = body.get("version") if isinstance(body, dict) else None
    if current is None:
        raise MalformedResponse("files.get returned no version", provider=PROVIDER)
    if str(current) != if_version:
        raise PreconditionFailed(
            f"Drive file {file_id} is at version {current}, not {if_version}",
            provider=PROVIDER,
            current_version=str(current),
        )


async def _find_by_key(http: ProviderHttp, conn: DriveConnection, key: str) -> dict[str, Any] | None:
    escaped = key.replace("\\", "\\\\").replace("'", "\\'")
    query = f"appProperties has {{ key='{IDEMPOTENCY_PROPERTY}' and value='{escaped}' }}"
    # https://developers.google.com/workspace/drive/api/reference/rest/v3/files/list
    response = await http.request(
        "GET",
        f"{conn.base_url}/files",
        params={
            "q": query,
            "fields": f"files({FILE_FIELDS})",
            "supportsAllDrives": "true",
            "includeItemsFromAllDrives": "true",
        },
    )
    body = read_json(response, PROVIDER)
    files = body.get("files") if isinstance(body, dict) else None
    if not isinstance(files, list):
        raise MalformedResponse("files.list page has no 'files' array", provider=PROVIDER)
    return files[0] if files else None


async def create_file(
    http: ProviderHttp, conn: DriveConnection, data: dict[str, Any], idempotency_key: str | None
) -> WriteResult:
    """Create a file from metadata (name, mimeType, parents, ...)."""
    body = dict(data)
    if idempotency_key is not None:
        existing = await _find_by_key(http, conn, idempotency_key)
        if existing is not None:
            return _result(http, existing, created=False)
        body["appProperties"] = {**(data.get("appProperties") or {}), IDEMPOTENCY_PROPERTY: idempotency_key}
    # https://developers.google.com/workspace/drive/api/reference/rest/v3/files/create
    response = await http.request("POST", f"{conn.base_url}/files", params=WRITE_PARAMS, json=body)
    return _result(http, read_json(response, PROVIDER), created=True)


async def update_file(
    http: ProviderHttp, conn: DriveConnection, file_id: str, data: dict[str, Any], if_version: str | None
) -> WriteResult:
    """Update a file's metadata after the version check."""
    await check_version(http, conn, file_id, if_version)
    # https://developers.google.com/workspace/drive/api/reference/rest/v3/files/update
    response = await http.request("PATCH", _file_url(conn, file_id), params=WRITE_PARAMS, json=data)
    return _result(http, read_json(response, PROVIDER), created=False)


async def delete_file(
    http: ProviderHttp, conn: DriveConnection, file_id: str, if_version: str | None
) -> None:
    """Trash the file (or delete it permanently) after the version check."""
    await check_version(http, conn, file_id, if_version)
    if conn.delete_permanently:
        # https://developers.google.com/workspace/drive/api/reference/rest/v3/files/delete
        await http.request("DELETE", _file_url(conn, file_id), params={"supportsAllDrives": "true"})
        return
    # https://developers.google.com/workspace/drive/api/reference/rest/v3/files/update (trashed)
    await http.request("PATCH", _file_url(conn, file_id), params=WRITE_PARAMS, json={"trashed": True})
