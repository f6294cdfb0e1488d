"""Map Zoom responses to the typed error tree.

Zoom errors are ``{"code": <int>, "message": "..."}`` (with ``errors`` for validation). 429 is
the rate limit; its ``Retry-After`` is seconds for per-second limits and a timestamp for the
daily limit (``X-RateLimit-Type: Daily-limit``), both handled by ``adapters.http.limits``.
An expired or invalid ``next_page_token`` (code 300, message naming the token) means the
listing must restart, which the engine does with a resync of that entity.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx

from adapters.http.status import error_for_response
from core.errors import NotFound, ResyncRequired, SyncError, ValidationFailed

PROVIDER = "zoom"

# Zoom's own codes that say more than the status (Zoom API reference, per endpoint "Error Codes").
CODE_ERRORS: dict[int, type[SyncError]] = {
    3001: NotFound,  # meeting does not exist
    1001: NotFound,  # user does not exist
    300: ValidationFailed,
}


def error_body(response: httpx.Response) -> dict[str, Any]:
    """The Zoom error body, or ``{}``."""
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def classify(response: httpx.Response, now: datetime) -> SyncError | None:
    """The typed error this response stands for; ``None`` for a 2xx."""
    if response.is_success:
        return None
    body = error_body(response)
    code, message = body.get("code"), str(body.get("message") or response.reason_phrase)
    text = f"Zoom {response.status_code} code {code}: {message}"
    cls: type[SyncError] | None = None
    if response.status_code < 500 and "next_page_token" in message.lower().replace(" ", "_"):
        cls = ResyncRequired
    elif isinstance(code, int) and response.status_code in (400, 404):
        cls = CODE_ERRORS.get(code)
    error = error_for_response(response, PROVIDER, text, now, cls)
    if isinstance(error, ValidationFailed):
        error.field_errors = {
            str(e.get("field")): str(e.get("message")) for e in body.get("errors") or [] if isinstance(e, dict)
        }
    return error
