"""The Dataverse Web API's front door: bearer token, service protection (429 + Retry-After over a
5-minute window), injected faults, OData error bodies.

https://learn.microsoft.com/power-apps/developer/data-platform/api-limits
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from sandbox.context import COUNTERS, DATAVERSE, OPTIONS
from sandbox.dataverse.errors import DataverseError, SegmentNotFound, ServiceProtection, ServiceUnavailable
from sandbox.dataverse.state import WINDOW_SECONDS
from sandbox.jsonio import json_response
from sandbox.limits import Faulted, QuotaExhausted, RateLimited, retry_after_header
from sandbox.oauth_state import TokenStatus
from sandbox.options import OperationKind
from sandbox.salesforce.gate import bearer_token

NAME = "dataverse"


def operation(request: web.Request) -> OperationKind:
    kinds: dict[str, OperationKind] = {"POST": "create", "PATCH": "update", "DELETE": "delete"}
    return kinds.get(request.method, "read")


async def _admitted(request: web.Request, handler: Handler) -> web.StreamResponse:
    dv, options, counters = request.config_dict[DATAVERSE], request.config_dict[OPTIONS], request.config_dict[COUNTERS]
    token = bearer_token(request)
    if token is None or dv.oauth.check(token) is not TokenStatus.VALID:
        counters.auth_errors[NAME] += 1
        # Dataverse answers an invalid or expired token with an empty 401 and a challenge.
        return web.Response(status=401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    verdict = dv.gate.admit(options, operation(request))
    if isinstance(verdict, RateLimited | QuotaExhausted):
        counters.limit_errors[NAME] += 1
        limit = int((options.rate_limit or 0) * WINDOW_SECONDS)
        raise ServiceProtection(f"Number of requests exceeded the limit of {limit} over time window of "
                                f"{int(WINDOW_SECONDS)} seconds.", verdict.retry_after)
    if isinstance(verdict, Faulted):
        counters.faults[NAME] += 1
        raise ServiceUnavailable("Service temporarily unavailable (injected fault)")
    try:
        return await handler(request)
    except web.HTTPNotFound as exc:
        raise SegmentNotFound("Resource not found for the segment.") from exc


@web.middleware
async def dataverse_gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Middleware of the `/api/data` sub-application."""
    try:
        response = await _admitted(request, handler)
    except DataverseError as exc:
        response = json_response(exc.body(), status=exc.status)
        if isinstance(exc, ServiceProtection):
            response.headers["Retry-After"] = retry_after_header(exc.retry_after)
    rate = request.config_dict[OPTIONS].rate_limit
    if rate is not None:
        remaining = request.config_dict[DATAVERSE].gate.bucket.remaining(rate)
        response.headers["x-ms-ratelimit-burst-remaining-xrm-requests"] = str(remaining)
    return response
