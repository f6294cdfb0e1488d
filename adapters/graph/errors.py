"""Map Graph responses to the typed error tree.

Graph errors are ``{"error": {"code", "message", "innerError": {...}}}`` (concepts/errors.md).
Resync signals (driveitem-delta.md, delta-query-overview.md): ``410 Gone`` with a fresh
enumeration link in ``Location``, or a 40x with code ``syncStateNotFound`` / ``resyncRequired``
when a delta token expired. Both become ``ResyncRequired``: the engine runs a full sync.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx

from adapters.http.status import error_for_response
from core.errors import ResyncRequired, SyncError

PROVIDER = "graph"

# Error codes that mean "the stored delta/skip token is dead", whatever the status.
RESYNC_CODES = frozenset({"syncStateNotFound", "resyncRequired", "syncStateInvalid"})


def error_body(response: httpx.Response) -> dict[str, Any]:
    """The ``error`` object of a Graph error response, or ``{}`` when the body is not one."""
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _codes(error: dict[str, Any]) -> set[str]:
    inner = error.get("innerError") or error.get("innererror") or {}
    codes = {str(error.get("code") or "")}
    if isinstance(inner, dict):
        codes.add(str(inner.get("code") or ""))
    return codes - {""}


def classify(response: httpx.Response, now: datetime) -> SyncError | None:
    """The typed error this response stands for; ``None`` for a 2xx."""
    if response.is_success:
        return None
    error = error_body(response)
    code = str(error.get("code") or "error")
    message = f"Graph {response.status_code} {code}: {error.get('message') or response.reason_phrase}"
    resync = response.status_code == 410 or bool(_codes(error) & RESYNC_CODES)
    return error_for_response(response, PROVIDER, message, now, ResyncRequired if resync else None)
