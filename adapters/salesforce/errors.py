"""Salesforce error bodies (``[{"message", "errorCode", "fields"}]``) to the typed error tree.

Codes from developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm and
the SOAP API's StatusCode list.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from adapters.http.status import error_class_for_status, error_for_response
from adapters.salesforce.spec import SALESFORCE
from core import errors

ERROR_CODES: dict[str, type[errors.SyncError]] = {
    "INVALID_SESSION_ID": errors.AuthExpired,
    "INVALID_AUTH_HEADER": errors.AuthenticationFailed,
    "REQUEST_LIMIT_EXCEEDED": errors.RateLimited,
    "SERVER_UNAVAILABLE": errors.ServiceUnavailable,
    "UNABLE_TO_LOCK_ROW": errors.ServiceUnavailable,
    "QUERY_TIMEOUT": errors.Timeout,
    "NOT_FOUND": errors.NotFound,
    "ENTITY_IS_DELETED": errors.NotFound,
    "INVALID_CROSS_REFERENCE_KEY": errors.NotFound,
    "INVALID_QUERY_LOCATOR": errors.ResyncRequired,
    "MALFORMED_QUERY": errors.ConfigError,
    "INVALID_FIELD": errors.ConfigError,
    "INVALID_TYPE": errors.ConfigError,
    "NOT_ACCEPTABLE": errors.ConfigError,
    "API_DISABLED_FOR_ORG": errors.PermissionDenied,
    "API_CURRENTLY_DISABLED": errors.PermissionDenied,
    "INSUFFICIENT_ACCESS_OR_READONLY": errors.PermissionDenied,
    "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY": errors.PermissionDenied,
    "DUPLICATE_VALUE": errors.Conflict,
    "DUPLICATES_DETECTED": errors.Conflict,
    "DUPLICATE_EXTERNAL_ID": errors.Conflict,
    "PRECONDITION_FAILED": errors.PreconditionFailed,
    "REQUIRED_FIELD_MISSING": errors.ValidationFailed,
    "FIELD_CUSTOM_VALIDATION_EXCEPTION": errors.ValidationFailed,
    "FIELD_INTEGRITY_EXCEPTION": errors.ValidationFailed,
    "INVALID_FIELD_FOR_INSERT_UPDATE": errors.ValidationFailed,
    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST": errors.ValidationFailed,
    "INVALID_EMAIL_ADDRESS": errors.ValidationFailed,
    "STRING_TOO_LONG": errors.ValidationFailed,
    "JSON_PARSER_ERROR": errors.ValidationFailed,
}


def error_items(response: httpx.Response) -> list[dict[str, Any]]:
    """The error objects of a failed response; OAuth-style ``{"error": ...}`` bodies become one item."""
    try:
        body = response.json()
    except ValueError:
        return []
    if isinstance(body, dict):
        body = [{"errorCode": body.get("error") or body.get("errorCode"),
                 "message": body.get("error_description") or body.get("message")}]
    return [item for item in body if isinstance(item, dict)] if isinstance(body, list) else []


def classify(response: httpx.Response, now: datetime) -> errors.SyncError | None:
    """The typed error for a Salesforce response, ``None`` on success."""
    status = response.status_code
    if status < 300:
        return None
    if status == 300:  # upsert matched several records by external id
        return errors.Conflict("external id matches several records", provider="salesforce", status=300)
    items = error_items(response)
    code = str(items[0].get("errorCode") or "") if items else ""
    message = "; ".join(f"{i.get('errorCode')}: {i.get('message')}" for i in items) or f"HTTP {status}"
    cls = ERROR_CODES.get(code) or error_class_for_status(status) or errors.PermanentError
    error = error_for_response(response, "salesforce", message, now, cls)
    if isinstance(error, errors.ValidationFailed):
        error.field_errors = {
            str(field): str(item.get("message")) for item in items for field in item.get("fields") or []
        }
    if isinstance(error, errors.RateLimited) and error.retry_after is None and "TotalRequests" in message:
        error.retry_after = SALESFORCE.daily_quota_retry_after
    return error
