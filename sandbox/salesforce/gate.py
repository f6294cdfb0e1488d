"""The Salesforce API's front door: session check, limits, injected faults, error bodies, limit header.

Order matters and follows the real service: an invalid session is refused before it counts against any
limit; a call over the rate is refused before it counts against the daily quota.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from sandbox.context import COUNTERS, OPTIONS, SALESFORCE
from sandbox.jsonio import json_response
from sandbox.limits import Faulted, QuotaExhausted, RateLimited, retry_after_header
from sandbox.oauth_state import TokenStatus
from sandbox.options import OperationKind
from sandbox.salesforce.errors import (
    InvalidSession,
    NotFound,
    RequestLimitExceeded,
    SalesforceError,
    ServerUnavailable,
)

NAME = "salesforce"


def bearer_token(request: web.Request) -> str | None:
    """The token of `Authorization: Bearer x` (Salesforce also accepts the older `OAuth x`)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() in ("bearer", "oauth") and token.strip() else None


def operation(request: web.Request) -> OperationKind:
    """The kind of call, for per-operation limits. An upsert by external id is the engine's idempotent
    create, so it counts as a create even when it updates."""
    if request.method in ("GET", "HEAD"):
        return "read"
    if request.method == "DELETE":
        return "delete"
    if request.method == "POST" or "field" in request.match_info:
        return "create"
    return "update"


async def _admitted(request: web.Request, handler: Handler) -> web.StreamResponse:
    sf, options, counters = request.config_dict[SALESFORCE], request.config_dict[OPTIONS], request.config_dict[COUNTERS]
    token = bearer_token(request)
    if token is None or sf.oauth.check(token) is not TokenStatus.VALID:
        counters.auth_errors[NAME] += 1
        raise InvalidSession("Session expired or invalid")
    verdict = sf.gate.admit(options, operation(request))
    if isinstance(verdict, RateLimited | QuotaExhausted):
        counters.limit_errors[NAME] += 1
        message = ("TotalRequests Limit exceeded." if isinstance(verdict, QuotaExhausted)
                   else "Request rate limit exceeded.")
        error = RequestLimitExceeded(message)
        if options.salesforce_limit_status == 429:
            return json_response(error.body(), status=429,
                                 headers={"Retry-After": retry_after_header(verdict.retry_after)})
        raise error
    if isinstance(verdict, Faulted):
        counters.faults[NAME] += 1
        raise ServerUnavailable("Server temporarily unavailable (injected fault)")
    try:
        return await handler(request)
    except web.HTTPNotFound as exc:
        raise NotFound("The requested resource does not exist") from exc


@web.middleware
async def salesforce_gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Middleware of the `/services/data` sub-application."""
    try:
        response = await _admitted(request, handler)
    except SalesforceError as exc:
        response = json_response(exc.body(), status=exc.status)
    sf, options = request.config_dict[SALESFORCE], request.config_dict[OPTIONS]
    response.headers["Sforce-Limit-Info"] = f"api-usage={sf.gate.quota.current()}/{options.daily_limit}"
    return response
