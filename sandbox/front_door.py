"""The front door of every simulated API, in the order the real services keep.

    token  ->  the provider's own limit, if any  ->  Gate.admit (rate, then daily quota, then the fault draw)
           ->  the route (an unknown one is the provider's 404)

An invalid session is refused before it counts against any limit, and a call over the rate before it counts
against the daily quota. Each refusal is counted under the provider's name (``auth_errors``, ``limit_errors``,
``faults``). What differs per provider (its errors, how it answers a limit, its limit headers) is a ``Door``;
``front_door(door)`` is the provider sub-application's middleware.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from sandbox.context import COUNTERS, OPTIONS
from sandbox.errors import ProviderError
from sandbox.jsonio import json_response
from sandbox.limits import Faulted, Gate, QuotaExhausted, RateLimited, retry_after_header
from sandbox.oauth_state import OAuthState, TokenStatus
from sandbox.options import OperationKind, SandboxOptions

Refusal = ProviderError | web.StreamResponse
"""What a door does instead of running the route: raise the provider's error, or answer with this response."""


class Guarded(Protocol):
    """A provider's state as its door sees it."""

    oauth: OAuthState
    gate: Gate


@dataclass(frozen=True)
class Door:
    """What one provider's front door does differently."""

    name: str  # the provider's key in ``Counters``
    state: web.AppKey[Any]  # where its ``Guarded`` state lives
    error: type[ProviderError]  # the base of its errors, each rendered as its body and status
    operation: Callable[[web.Request], OperationKind]  # the kind of call, for per-operation limits
    unauthorized: Callable[[TokenStatus], Refusal]  # no token (UNKNOWN), an unknown one or an expired one
    over_limit: Callable[[RateLimited | QuotaExhausted, SandboxOptions], Refusal]
    faulted: Callable[[], ProviderError]
    not_found: Callable[[], ProviderError]
    limit_headers: Callable[[web.Request, web.StreamResponse], None]  # added to every answer, refusals included
    # A limit of the provider's own, checked after the token and before the gate (HubSpot's search rate).
    own_limit: Callable[[web.Request, Any, SandboxOptions], ProviderError | None] | None = None


def bearer_token(request: web.Request) -> str | None:
    """The token of `Authorization: Bearer x` (Salesforce also accepts the older `OAuth x`)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() in ("bearer", "oauth") and token.strip() else None


def _refuse(refusal: Refusal) -> web.StreamResponse:
    if isinstance(refusal, ProviderError):
        raise refusal
    return refusal


async def _admitted(request: web.Request, handler: Handler, door: Door) -> web.StreamResponse:
    state: Guarded = request.config_dict[door.state]
    options, counters = request.config_dict[OPTIONS], request.config_dict[COUNTERS]
    token = bearer_token(request)
    status = state.oauth.check(token) if token is not None else TokenStatus.UNKNOWN
    if status is not TokenStatus.VALID:
        counters.auth_errors[door.name] += 1
        return _refuse(door.unauthorized(status))
    own = door.own_limit(request, state, options) if door.own_limit is not None else None
    if own is not None:
        counters.limit_errors[door.name] += 1
        raise own
    verdict = state.gate.admit(options, door.operation(request))
    if isinstance(verdict, RateLimited | QuotaExhausted):
        counters.limit_errors[door.name] += 1
        return _refuse(door.over_limit(verdict, options))
    if isinstance(verdict, Faulted):
        counters.faults[door.name] += 1
        raise door.faulted()
    try:
        return await handler(request)
    except web.HTTPNotFound as exc:
        raise door.not_found() from exc


def front_door(door: Door) -> Middleware:
    """The middleware of one provider's sub-application."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await _admitted(request, handler, door)
        except door.error as exc:
            response = json_response(exc.body(), status=exc.status)
            if exc.retry_after is not None:
                response.headers["Retry-After"] = retry_after_header(exc.retry_after)
        door.limit_headers(request, response)
        return response

    return middleware
