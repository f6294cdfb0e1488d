"""The HubSpot API's front door (the order is ``sandbox.front_door``'s): token check, the search endpoint's own
per-second limit, burst and daily limits with the `X-HubSpot-RateLimit-*` headers, injected faults and error
bodies.

https://developers.hubspot.com/docs/api/usage-details
"""

from __future__ import annotations

from aiohttp import web

from sandbox.context import HUBSPOT, OPTIONS
from sandbox.front_door import Door, Refusal, front_door
from sandbox.hubspot.errors import (
    ExpiredAuthentication,
    HubSpotError,
    InvalidAuthentication,
    ObjectNotFound,
    RateLimited,
    ServiceUnavailable,
)
from sandbox.hubspot.state import BURST_SECONDS, HubSpotState
from sandbox.limits import QuotaExhausted
from sandbox.limits import RateLimited as OverRate
from sandbox.oauth_state import TokenStatus
from sandbox.options import OperationKind, SandboxOptions

NAME = "hubspot"


def operation(request: web.Request) -> OperationKind:
    """The kind of call, for per-operation limits (search is a read; batch upsert is a create)."""
    if request.method == "GET" or request.path.endswith("/search"):
        return "read"
    kinds: dict[str, OperationKind] = {"POST": "create", "PATCH": "update", "DELETE": "delete"}
    return kinds.get(request.method, "read")


def _policy(verdict: OverRate | QuotaExhausted) -> str:
    if isinstance(verdict, QuotaExhausted):
        return "DAILY"
    # PER_OPERATION is the sandbox's own policy name: HubSpot has no per-operation limits.
    return "TEN_SECONDLY_ROLLING" if verdict.operation is None else "PER_OPERATION"


def _unauthorized(status: TokenStatus) -> Refusal:
    if status is TokenStatus.EXPIRED:
        return ExpiredAuthentication("The OAuth token used to make this call expired.")
    return InvalidAuthentication("Authentication credentials not found.")


def _search_limit(request: web.Request, hs: HubSpotState, options: SandboxOptions) -> RateLimited | None:
    """The search endpoints' own per-second limit."""
    if not request.path.endswith("/search") or options.hubspot_search_rate_limit is None:
        return None
    wait = hs.search_bucket.try_take(options.hubspot_search_rate_limit)
    return RateLimited("SECONDLY", wait) if wait is not None else None


def _over_limit(verdict: OverRate | QuotaExhausted, options: SandboxOptions) -> Refusal:
    return RateLimited(_policy(verdict), verdict.retry_after)


def _rate_headers(request: web.Request, response: web.StreamResponse) -> None:
    rate = request.config_dict[OPTIONS].rate_limit
    if rate is not None:
        # OAuth-authenticated calls carry only the interval headers, not the daily ones (HubSpot changelog).
        bucket = request.config_dict[HUBSPOT].gate.bucket
        response.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] = str(int(BURST_SECONDS * 1000))
        response.headers["X-HubSpot-RateLimit-Max"] = str(bucket.capacity(rate))
        response.headers["X-HubSpot-RateLimit-Remaining"] = str(bucket.remaining(rate))


hubspot_gate = front_door(Door(
    name=NAME,
    state=HUBSPOT,
    error=HubSpotError,
    operation=operation,
    unauthorized=_unauthorized,
    over_limit=_over_limit,
    faulted=lambda: ServiceUnavailable("Service temporarily unavailable (injected fault)"),
    not_found=lambda: ObjectNotFound("resource not found"),
    limit_headers=_rate_headers,
    own_limit=_search_limit,
))
"""Middleware of the `/crm/v3` sub-application."""
