"""OData error objects (``{"error": {"code": "0x80040217", "message": ...}}``) to the typed tree.

Codes: powerapps-docs reference/web-service-error-codes and api-limits.md (service protection).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from adapters.http.status import error_class_for_status, error_for_response
from core import errors

ERROR_CODES: dict[str, type[errors.SyncError]] = {
    # Service protection: requests, execution time, concurrency (hex and decimal forms).
    "0x80072322": errors.RateLimited, "-2147015902": errors.RateLimited,
    "0x80072321": errors.RateLimited, "-2147015903": errors.RateLimited,
    "0x80072326": errors.RateLimited, "-2147015898": errors.RateLimited,
    "0x80040217": errors.NotFound,  # ObjectDoesNotExist
    "0x80040237": errors.Conflict,  # DuplicateRecord
    "0x80040220": errors.PermissionDenied,  # PrivilegeDenied
    "0x80040265": errors.ValidationFailed,  # InvalidArgument / business process error
    "0x80048d19": errors.ValidationFailed,  # payload does not match the entity
    "0x8006088a": errors.ConfigError,  # resource not found for the segment (wrong entity set)
    "0x80060888": errors.ConfigError,  # unknown property in $select/$filter
    "0x80044352": errors.ResyncRequired,  # ExpiredVersionStamp: the change-tracking token is too old
}


def _error(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    inner = body.get("error") if isinstance(body, dict) else None
    return inner if isinstance(inner, dict) else {}


def _expired_delta(response: httpx.Response, message: str) -> bool:
    """A 4xx to a deltaLink that talks of expiry is a dead change-tracking token [U: exact code]."""
    try:
        url = str(response.request.url)
    except RuntimeError:  # a response built without a request (tests)
        url = ""
    return response.status_code in (400, 410) and "deltatoken" in url.lower() and "expire" in message.lower()


def classify(response: httpx.Response, now: datetime) -> errors.SyncError | None:
    """The typed error for a Dataverse response, ``None`` on success."""
    if response.status_code < 300:
        return None
    error = _error(response)
    code = str(error.get("code") or "").lower()
    message = str(error.get("message") or f"HTTP {response.status_code}")
    cls = ERROR_CODES.get(code) or error_class_for_status(response.status_code) or errors.PermanentError
    if response.status_code == 429:
        cls = errors.RateLimited
    if _expired_delta(response, message):
        cls = errors.ResyncRequired
    return error_for_response(response, "dynamics", message, now, cls)
