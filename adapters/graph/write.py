"""OneDrive driveItem writes, conditional on the eTag where Graph allows it.

- create: ``POST /drives/{drive}/items/{parent}/children`` for folders and metadata-only items
  (driveitem-post-children.md), ``PUT /drives/{drive}/items/{parent}:/{name}:/content`` for small
  files with text content (driveitem-put-content.md, up to 250 MB). Both use
  ``@microsoft.graph.conflictBehavior=fail`` so a retried create cannot make a renamed copy; with
  an idempotency key, a 409 means our earlier attempt landed and the existing item is returned.
- update: ``PATCH /drives/{drive}/items/{id}`` with ``If-Match: <eTag>`` (driveitem-update.md);
  a stale eTag gives 412, raised as ``PreconditionFailed``.
- delete: ``DELETE /drives/{drive}/items/{id}`` with ``If-Match`` (driveitem-delete.md), 204.
Teams messages are read-only here (sending needs delegated or migration permissions).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from adapters.base import WriteResult
from adapters.http.session import ProviderHttp, read_json
from core.errors import Conflict, MalformedResponse, ValidationFailed

PROVIDER = "graph"
CONFLICT_FAIL = {"@microsoft.graph.conflictBehavior": "fail"}


def _result(http: ProviderHttp, body: Any, created: bool) -> WriteResult:
    if not isinstance(body, dict) or not isinstance(body.get("id"), str):
        raise MalformedResponse("driveItem response without an id", provider=PROVIDER)
    return WriteResult(external_id=body["id"], version=body.get("eTag"), created=created,
                       limits=http.last_limits)


def _if_match(if_version: str | None) -> dict[str, str]:
    return {"If-Match": if_version} if if_version else {}


async def create_item(
    http: ProviderHttp, drive_url: str, data: dict[str, Any], idempotency_key: str | None
) -> WriteResult:
    """Create a folder / metadata item, or a small file when ``content`` is given."""
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ValidationFailed("driveItem needs a name", provider=PROVIDER, field_errors={"name": "required"})
    parent = quote(str(data.get("parentId") or "root"), safe="")
    fields = {k: v for k, v in data.items() if k not in ("parentId", "content")}
    try:
        if "content" in data:
            # https://learn.microsoft.com/graph/api/driveitem-put-content
            url = f"{drive_url}/items/{parent}:/{quote(name)}:/content"
            response = await http.request("PUT", url, params=CONFLICT_FAIL, idempotent=False,
                                          content=str(data["content"]).encode())
        else:
            # https://learn.microsoft.com/graph/api/driveitem-post-children
            body = {"folder": {}, **fields, **CONFLICT_FAIL}
            response = await http.request("POST", f"{drive_url}/items/{parent}/children", json=body)
    except Conflict:
        if idempotency_key is None:
            raise
        # https://learn.microsoft.com/graph/api/driveitem-get (path addressing under the parent)
        existing = await http.request("GET", f"{drive_url}/items/{parent}:/{quote(name)}")
        return _result(http, read_json(existing, PROVIDER), created=False)
    return _result(http, read_json(response, PROVIDER), created=True)


async def update_item(
    http: ProviderHttp, drive_url: str, item_id: str, data: dict[str, Any], if_version: str | None
) -> WriteResult:
    """PATCH the item's properties, conditional on its eTag."""
    # https://learn.microsoft.com/graph/api/driveitem-update
    response = await http.request("PATCH", f"{drive_url}/items/{quote(item_id, safe='')}", json=data,
                                  headers=_if_match(if_version))
    return _result(http, read_json(response, PROVIDER), created=False)


async def delete_item(http: ProviderHttp, drive_url: str, item_id: str, if_version: str | None) -> None:
    """DELETE the item (to the recycle bin), conditional on its eTag."""
    # https://learn.microsoft.com/graph/api/driveitem-delete
    url = f"{drive_url}/items/{quote(item_id, safe='')}"
    await http.request("DELETE", url, headers=_if_match(if_version))
