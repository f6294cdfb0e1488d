"""Map Gong responses to the typed error tree.

Gong errors are ``{"requestId": "...", "errors": ["..."]}``. 429 carries ``Retry-After`` in
seconds (API Introduction). The empty-window 404 is not an error at all: ``classify`` lets it
through and the reader turns it into an empty page.
"""

from __future__ import annotations

import json
from datetime import datetime

import httpx

from adapters.gong.spec import EMPTY_RESULT_MESSAGE
from adapters.http.status import error_for_response
from core.errors import ResyncRequired, SyncError

PROVIDER = "gong"


def error_messages(response: httpx.Response) -> list[str]:
    """The ``errors`` strings of a Gong error body."""
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return []
    items = body.get("errors") if isinstance(body, dict) else None
    return [str(e) for e in items] if isinstance(items, list) else []


def is_empty_result(response: httpx.Response) -> bool:
    """Gong's 404 for a filter that matched no calls."""
    return response.status_code == 404 and EMPTY_RESULT_MESSAGE in error_messages(response)


def classify(response: httpx.Response, now: datetime) -> SyncError | None:
    """The typed error this response stands for; ``None`` for a 2xx."""
    if response.is_success or is_empty_result(response):
        return None
    messages = error_messages(response)
    text = f"Gong {response.status_code}: {'; '.join(messages) or response.reason_phrase}"
    cls: type[SyncError] | None = None
    if response.status_code == 400 and any(m.lower().startswith("cursor") for m in messages):
        cls = ResyncRequired  # a stale cursor: restart the listing
    return error_for_response(response, PROVIDER, text, now, cls)
