"""HubSpot error bodies (``{"status", "message", "category", "errors": [...]}``) to the typed tree.

https://developers.hubspot.com/docs/api/usage-details (error responses; 429 ``policyName``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from adapters.http.status import error_class_for_status, error_for_response
from adapters.hubspot.spec import HUBSPOT
from core import errors

CATEGORIES: dict[str, type[errors.SyncError]] = {
    "RATE_LIMITS": errors.RateLimited,
    "EXPIRED_AUTHENTICATION": errors.AuthExpired,
    "INVALID_AUTHENTICATION": errors.AuthenticationFailed,
    "MISSING_SCOPES": errors.PermissionDenied,
    "OBJECT_NOT_FOUND": errors.NotFound,
    "OBJECT_ALREADY_EXISTS": errors.Conflict,
    "CONFLICT": errors.Conflict,
    "VALIDATION_ERROR": errors.ValidationFailed,
    "INVALID_PARAMS": errors.ValidationFailed,
}


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _field_errors(body: dict[str, Any]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in body.get("errors") or []:
        if not isinstance(item, dict):
            continue
        context = item.get("context")
        if not isinstance(context, dict):
            context = {}
        names = context.get("propertyName") or item.get("in") or []
        for name in names if isinstance(names, list) else [names]:
            fields[str(name)] = str(item.get("message"))
    return fields


def classify(response: httpx.Response, now: datetime) -> errors.SyncError | None:
    """The typed error for a HubSpot response, ``None`` on success."""
    if response.status_code < 300:
        return None
    body = _body(response)
    category = str(body.get("category") or body.get("errorType") or "")
    cls = CATEGORIES.get(category) or error_class_for_status(response.status_code) or errors.PermanentError
    if response.status_code == 429:
        cls = errors.RateLimited
    message = str(body.get("message") or f"HTTP {response.status_code}")
    error = error_for_response(response, "hubspot", message, now, cls)
    if isinstance(error, errors.ValidationFailed):
        error.field_errors = _field_errors(body)
    if isinstance(error, errors.RateLimited) and error.retry_after is None:
        error.retry_after = HUBSPOT.policy_retry_after.get(str(body.get("policyName")), 10.0)
    return error
