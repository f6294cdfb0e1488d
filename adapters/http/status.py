"""HTTP status to error class: the fallback every provider's ``classify`` starts from.

Providers refine it with their error bodies (Salesforce ``errorCode``, OData ``error.code``,
HubSpot ``category``); this table only knows the status line.
"""

from __future__ import annotations

from datetime import datetime

import httpx

from adapters.http.limits import parse_retry_after
from core import errors

STATUS_ERRORS: dict[int, type[errors.SyncError]] = {
    400: errors.ValidationFailed,
    401: errors.AuthenticationFailed,
    403: errors.PermissionDenied,
    404: errors.NotFound,
    408: errors.Timeout,
    409: errors.Conflict,
    410: errors.NotFound,
    412: errors.PreconditionFailed,
    422: errors.ValidationFailed,
    429: errors.RateLimited,
    500: errors.ServiceUnavailable,
    502: errors.ServiceUnavailable,
    503: errors.ServiceUnavailable,
    504: errors.Timeout,
}


def error_class_for_status(status: int) -> type[errors.SyncError] | None:
    """The error class for a status, ``None`` for success; unknown 5xx are transient, unknown 4xx not."""
    if status < 400:
        return None
    if status in STATUS_ERRORS:
        return STATUS_ERRORS[status]
    return errors.ServiceUnavailable if status >= 500 else errors.PermanentError


def error_for_response(
    response: httpx.Response,
    provider: str,
    message: str,
    now: datetime,
    cls: type[errors.SyncError] | None = None,
) -> errors.SyncError | None:
    """Build the typed error for a failed response; ``cls`` overrides the status table."""
    cls = cls or error_class_for_status(response.status_code)
    if cls is None:
        return None
    return cls(
        message,
        provider=provider,
        status=response.status_code,
        retry_after=parse_retry_after(response.headers.get("Retry-After"), now),
    )
