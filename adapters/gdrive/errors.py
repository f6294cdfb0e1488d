"""Map Drive responses to the typed error tree.

Drive errors are ``{"error": {"code", "message", "errors": [{"domain", "reason", "message",
"location", "locationType"}], "status"}}`` (handle-errors guide). Drive throttles with 403
``userRateLimitExceeded``/``rateLimitExceeded`` as well as 429, so the reason decides, not the
status. A rejected ``pageToken`` on changes.list means the stored start token is dead: resync.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx

from adapters.gdrive.spec import PAGE_TOKEN_PARAM, RATE_LIMIT_REASONS
from adapters.http.status import error_for_response
from core.errors import RateLimited, ResyncRequired, SyncError

PROVIDER = "gdrive"


def error_details(response: httpx.Response) -> tuple[str, list[dict[str, Any]]]:
    """The top-level message and the ``errors`` list of a Drive error body (empty when absent)."""
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return response.reason_phrase, []
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return response.reason_phrase, []
    items = [e for e in error.get("errors") or [] if isinstance(e, dict)]
    return str(error.get("message") or response.reason_phrase), items


def classify(response: httpx.Response, now: datetime) -> SyncError | None:
    """The typed error this response stands for; ``None`` for a 2xx."""
    if response.is_success:
        return None
    message, items = error_details(response)
    reasons = {str(e.get("reason")) for e in items}
    text = f"Drive {response.status_code} {','.join(sorted(reasons)) or 'error'}: {message}"
    cls: type[SyncError] | None = None
    if reasons & RATE_LIMIT_REASONS:
        cls = RateLimited
    elif response.status_code in (400, 404, 410) and any(
        e.get("location") == PAGE_TOKEN_PARAM for e in items
    ):
        cls = ResyncRequired
    return error_for_response(response, PROVIDER, text, now, cls)
