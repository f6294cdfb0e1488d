"""The HubSpot API's front door: token check, burst and daily limits with the `X-HubSpot-RateLimit-*`
headers, the search endpoint's own per-second limit, injected faults and error bodies.

https://developers.hubspot.com/docs/api/usage-details
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from sandbox.context import COUNTERS, OPTIONS
from sandbox.context import HUBSPOT as HUBSPOT_KEY
from sandbox.hubspot.errors import (
    ExpiredAuthentication,
    HubSpotError,
    InvalidAuthentication,
    ObjectNotFound,
    RateLimited,
    ServiceUnavailable,
)
from sandbox.hubspot.state import BURST_SECONDS
from sandbox.jsonio import json_response
from sandbox.limits import Faulted, QuotaExhausted, retry_after_header
from sandbox.limits import RateLimited as OverRate
from sandbox.oauth_state import TokenStatus
from sandbox.options import OperationKind
from sandbox.salesforce.gate import bearer_token

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


async def _admitted(request: web.Request, handler: Handler) -> web.StreamResponse:
    hs, options = request.config_dict[HUBSPOT_KEY], request.config_dict[OPTIONS]
    counters = request.config_dict[COUNTERS]
    token = bearer_token(request)
    status = hs.oauth.check(token) if token else TokenStatus.UNKNOWN
    if status is not TokenStatus.VALID:
        counters.auth_errors[NAME] += 1
        if status is TokenStatus.EXPIRED:
            raise ExpiredAuthentication("The OAuth token used to make this call expired.")
        raise InvalidAuthentication("Authentication credentials not found.")
    if request.path.endswith("/search") and options.hubspot_search_rate_limit is not None:
        wait = hs.search_bucket.try_take(options.hubspot_search_rate_limit)
        if wait is not None:
            counters.limit_errors[NAME] += 1
            raise RateLimited("SECONDLY", wait)
    verdict = hs.gate.admit(options, operation(request))
    if isinstance(verdict, OverRate | QuotaExhausted):
        counters.limit_errors[NAME] += 1
        raise RateLimited(_policy(verdict), verdict.retry_after)
    if isinstance(verdict, Faulted):
        counters.faults[NAME] += 1
        raise ServiceUnavailable("Service temporarily unavailable (injected fault)")
    try:
        return await handler(request)
    except web.HTTPNotFound as exc:
        raise ObjectNotFound("resource not found") from exc


@web.middleware
async def hubspot_gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Middleware of the `/crm/v3` sub-application."""
    try:
        response = await _admitted(request, handler)
    except HubSpotError as exc:
        response = json_response(exc.body(), status=exc.status)
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = retry_after_header(exc.retry_after)
    rate = request.config_dict[OPTIONS].rate_limit
    if rate is not None:
        # OAuth-authenticated calls carry only the interval headers, not the daily ones (HubSpot changelog).
        bucket = request.config_dict[HUBSPOT_KEY].gate.bucket
        response.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] = str(int(BURST_SECONDS * 1000))
        response.headers["X-HubSpot-RateLimit-Max"] = str(bucket.capacity(rate))
        response.headers["X-HubSpot-RateLimit-Remaining"] = str(bucket.remaining(rate))
    return response
