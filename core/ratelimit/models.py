"""The budget's messages: its configuration, the operation inputs and the check it answers with.

Everything crosses the entity boundary as camelCase JSON (``to_wire()``) and is validated on entry.
Times are aware UTC datetimes; the caller passes its deterministic ``now``
(``context.current_utc_datetime``), because an entity must not read a clock.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field, NonNegativeFloat, NonNegativeInt, PositiveFloat, PositiveInt

from core.models.base import CamelModel, UtcDatetime
from core.models.enums import Provider
from core.models.integration import Integration, RateLimitOverrides
from core.models.messages import RateLimitCheck


class Risk(StrEnum):
    """Seeds' queue-or-reject rule: safe operations wait when throttled, risky ones are rejected."""

    SAFE = "safe"
    RISKY = "risky"


class ThrottleReason(StrEnum):
    """Why permits are not available right now."""

    WINDOW = "window"  # a sliding-window level is full until some earlier permits age out
    BLOCKED = "blocked"  # the provider said stop (Retry-After, 429/403 limit, remaining 0)
    DAILY_CAP = "daily_cap"  # the daily quota is used up until the UTC day boundary


class WindowLimit(CamelModel):
    """At most ``permits`` requests in any ``window_seconds`` long sliding window."""

    permits: PositiveInt
    window_seconds: PositiveFloat


class BudgetConfig(CamelModel):
    """How one budget is limited. Integration-level windows come from the provider's defaults,
    then the Integration's ``rateLimits`` overrides, then ``windows`` (which replaces them all).

    ``margin_seconds`` widens every window by the worst delay between a granted slot and the
    moment the request reaches the provider (timer and activity dispatch), so that late requests
    still never crowd the provider's own window. It also caps the achieved rate at
    ``window / (window + margin)`` of the limit: 0.05 s keeps 95% of a per-second limit and covers
    the devhost's dispatch (measured against the sandbox at 10, 15 and 25 req/s without a limit
    error); a host with slower dispatch should configure more. ``reserve_ahead_seconds`` bounds how far ahead a
    slot is reserved; beyond it the caller is told to come back (nothing is held for it).
    """

    provider: Provider | None = None
    rate_limits: RateLimitOverrides | None = None
    windows: list[WindowLimit] | None = None
    operation_defaults: bool = True
    operation_limits: dict[str, WindowLimit | None] = Field(default_factory=dict)
    tenant_limit: WindowLimit | None = None
    risky_operations: list[str] = Field(default_factory=lambda: ["delete"])
    margin_seconds: NonNegativeFloat = 0.05
    reserve_ahead_seconds: NonNegativeFloat = 5.0
    risky_max_wait_seconds: NonNegativeFloat = 1.0
    daily_reserve: NonNegativeInt = 0
    min_factor: float = Field(default=0.1, gt=0.0, le=1.0)
    recovery_seconds: PositiveFloat = 60.0
    default_backoff_seconds: PositiveFloat = 1.0
    max_log_entries: int = Field(default=64, ge=4, le=10_000)

    @classmethod
    def for_integration(cls, integration: Integration, **settings: Any) -> BudgetConfig:
        """The budget of an Integration: its provider's defaults and its ``rateLimits``."""
        return cls(provider=integration.provider, rate_limits=integration.rate_limits, **settings)


class AcquireRequest(CamelModel):
    """Ask for ``permits`` for ``operation``; at least ``min_permits`` (default: all of them).

    ``risk`` defaults to risky for the budget's ``risky_operations`` (delete). ``not_before``
    lets a caller that already holds a slot elsewhere (the tenant budget) ask for one no earlier;
    ``not_after`` bounds how late that slot may still be (a slot beyond it is not reserved: the
    answer is queued, not allowed, with ``resetAt`` the earliest slot).
    """

    operation: str = Field(min_length=1)
    permits: PositiveInt = 1
    min_permits: PositiveInt | None = None
    now: UtcDatetime
    risk: Risk | None = None
    not_before: UtcDatetime | None = None
    not_after: UtcDatetime | None = None


class ReleaseRequest(CamelModel):
    """Give back permits a grant did not use; ``slot`` is the grant's ``resetAt``."""

    operation: str = Field(min_length=1)
    permits: PositiveInt
    slot: UtcDatetime
    now: UtcDatetime


class LimitObservation(CamelModel):
    """Rate-limit signals of one provider response (the adapters' ``LimitSnapshot`` fits as is).

    ``limited`` marks a limit error (429, Salesforce 403 ``REQUEST_LIMIT_EXCEEDED``).
    ``retry_after`` is in seconds.
    """

    model_config = ConfigDict(extra="ignore")

    provider: str | None = None
    remaining: int | None = None
    limit: PositiveInt | None = None
    window_seconds: PositiveFloat | None = None
    reset_at: UtcDatetime | None = None
    retry_after: NonNegativeFloat | None = None
    daily_used: NonNegativeInt | None = None
    daily_limit: PositiveInt | None = None
    limited: bool = False


class ObserveRequest(CamelModel):
    """An observation and the caller's ``now``."""

    now: UtcDatetime
    snapshot: LimitObservation


class BudgetCheck(RateLimitCheck):
    """Seed 000's RateLimitCheck plus what a batch caller needs.

    * ``allowed`` and not ``queued``: ``granted`` permits, use them now.
    * ``allowed`` and ``queued``: ``granted`` permits reserved for ``resetAt``; wait on a durable
      timer until then and go (do not ask again).
    * not ``allowed``, ``queued``: nothing reserved; wait until ``resetAt`` and ask again.
    * neither: rejected (a risky operation while throttled); ``reason`` says why and ``resetAt``
      is the earliest time it could pass.
    """

    granted: NonNegativeInt = 0
    reason: ThrottleReason | None = None
    level: str | None = None


class ReleaseResult(CamelModel):
    """How many permits went back."""

    released: NonNegativeInt
