"""The Salesforce API's front door (the order is ``sandbox.front_door``'s): ``INVALID_SESSION_ID``,
``REQUEST_LIMIT_EXCEEDED`` (403, or 429 with ``Retry-After`` in the sandbox's 429 mode), injected 503s,
``NOT_FOUND`` for unknown routes, and ``Sforce-Limit-Info`` on every answer.
"""

from __future__ import annotations

from aiohttp import web

from sandbox.context import OPTIONS, SALESFORCE
from sandbox.front_door import Door, Refusal, front_door
from sandbox.limits import QuotaExhausted, RateLimited
from sandbox.oauth_state import TokenStatus
from sandbox.options import OperationKind, SandboxOptions
from sandbox.salesforce.errors import (
    InvalidSession,
    NotFound,
    RequestLimitExceeded,
    SalesforceError,
    ServerUnavailable,
)

NAME = "salesforce"


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


def _unauthorized(status: TokenStatus) -> Refusal:
    return InvalidSession("Session expired or invalid")


def _over_limit(verdict: RateLimited | QuotaExhausted, options: SandboxOptions) -> Refusal:
    message = ("TotalRequests Limit exceeded." if isinstance(verdict, QuotaExhausted)
               else "Request rate limit exceeded.")
    return RequestLimitExceeded(message, verdict.retry_after if options.salesforce_limit_status == 429 else None)


def _limit_info(request: web.Request, response: web.StreamResponse) -> None:
    sf, options = request.config_dict[SALESFORCE], request.config_dict[OPTIONS]
    response.headers["Sforce-Limit-Info"] = f"api-usage={sf.gate.quota.current()}/{options.daily_limit}"


salesforce_gate = front_door(Door(
    name=NAME,
    state=SALESFORCE,
    error=SalesforceError,
    operation=operation,
    unauthorized=_unauthorized,
    over_limit=_over_limit,
    faulted=lambda: ServerUnavailable("Server temporarily unavailable (injected fault)"),
    not_found=lambda: NotFound("The requested resource does not exist"),
    limit_headers=_limit_info,
))
"""Middleware of the `/services/data` sub-application."""
