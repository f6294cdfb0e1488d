"""The Dataverse Web API's front door (the order is ``sandbox.front_door``'s): an empty 401 with a bearer
challenge, service protection (429 + ``Retry-After`` over a 5-minute window), injected 503s, OData error bodies,
and the remaining burst on every answer.

https://learn.microsoft.com/power-apps/developer/data-platform/api-limits
"""

from __future__ import annotations

from aiohttp import web

from sandbox.context import DATAVERSE, OPTIONS
from sandbox.dataverse.errors import DataverseError, SegmentNotFound, ServiceProtection, ServiceUnavailable
from sandbox.dataverse.state import WINDOW_SECONDS
from sandbox.front_door import Door, Refusal, front_door
from sandbox.limits import QuotaExhausted, RateLimited
from sandbox.oauth_state import TokenStatus
from sandbox.options import OperationKind, SandboxOptions

NAME = "dataverse"


def operation(request: web.Request) -> OperationKind:
    kinds: dict[str, OperationKind] = {"POST": "create", "PATCH": "update", "DELETE": "delete"}
    return kinds.get(request.method, "read")


def _unauthorized(status: TokenStatus) -> Refusal:
    # Dataverse answers an invalid or expired token with an empty 401 and a challenge.
    return web.Response(status=401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def _over_limit(verdict: RateLimited | QuotaExhausted, options: SandboxOptions) -> Refusal:
    limit = int((options.rate_limit or 0) * WINDOW_SECONDS)
    return ServiceProtection(f"Number of requests exceeded the limit of {limit} over time window of "
                             f"{int(WINDOW_SECONDS)} seconds.", verdict.retry_after)


def _burst_remaining(request: web.Request, response: web.StreamResponse) -> None:
    rate = request.config_dict[OPTIONS].rate_limit
    if rate is not None:
        remaining = request.config_dict[DATAVERSE].gate.bucket.remaining(rate)
        response.headers["x-ms-ratelimit-burst-remaining-xrm-requests"] = str(remaining)


dataverse_gate = front_door(Door(
    name=NAME,
    state=DATAVERSE,
    error=DataverseError,
    operation=operation,
    unauthorized=_unauthorized,
    over_limit=_over_limit,
    faulted=lambda: ServiceUnavailable("Service temporarily unavailable (injected fault)"),
    not_found=lambda: SegmentNotFound("Resource not found for the segment."),
    limit_headers=_burst_remaining,
))
"""Middleware of the `/api/data` sub-application."""
