"""Default limits: the providers' documented budgets and the seeds' operation and tenant levels.

Sources: providers.md (Salesforce 25 req/s and 100,000/day; Dataverse 6,000 per 5-minute sliding
window; HubSpot OAuth apps 100 per 10 s; Zoom Free "light" 4/s and 6,000/day; Gong 3/s and
10,000/day; Graph/Teams 30 req/s from seed 002), aligned with ``adapters.base.DEFAULT_LIMITS``.
Google Drive's quota is not in providers.md: 10 req/s is a conservative guess. Seeds 000-001:
fetch 200/min, create 100/min, update 150/min, tenant 5,000/min; delete (not in the seeds) gets
create's 100/min. Response headers refine these at run time (``observe``).
"""

from __future__ import annotations

from core.models.enums import Provider
from core.models.integration import RateLimitOverrides
from core.ratelimit.clock import seconds_to_us
from core.ratelimit.models import BudgetConfig, WindowLimit
from core.ratelimit.state import DailyBudget, Level


def _per_second(permits: int) -> WindowLimit:
    return WindowLimit(permits=permits, window_seconds=1.0)


PROVIDER_WINDOWS: dict[Provider, list[WindowLimit]] = {
    Provider.SALESFORCE: [_per_second(25)],
    Provider.DYNAMICS: [WindowLimit(permits=6_000, window_seconds=300.0)],
    Provider.HUBSPOT: [WindowLimit(permits=100, window_seconds=10.0)],
    Provider.GRAPH: [_per_second(30)],
    Provider.GDRIVE: [_per_second(10)],
    Provider.ZOOM: [_per_second(4)],
    Provider.GONG: [_per_second(3)],
}

PROVIDER_DAILY: dict[Provider, int] = {
    Provider.SALESFORCE: 100_000,
    Provider.HUBSPOT: 250_000,
    Provider.ZOOM: 6_000,
    Provider.GONG: 10_000,
}

OPERATION_DEFAULTS: dict[str, WindowLimit] = {
    "fetch": WindowLimit(permits=200, window_seconds=60.0),
    "create": WindowLimit(permits=100, window_seconds=60.0),
    "update": WindowLimit(permits=150, window_seconds=60.0),
    "delete": WindowLimit(permits=100, window_seconds=60.0),
}

TENANT_DEFAULT = WindowLimit(permits=5_000, window_seconds=60.0)

TENANT_SLOT_HORIZON_SECONDS = 5.0
"""How long after a tenant slot an integration slot may still use it: the tenant budget's margin covers it."""


def rate_window(requests_per_second: float) -> WindowLimit:
    """A requests-per-second figure as a window: 25 → 25 per 1 s, 0.5 → 1 per 2 s."""
    if requests_per_second >= 1:
        return _per_second(int(requests_per_second))
    return WindowLimit(permits=1, window_seconds=1.0 / requests_per_second)


def integration_windows(config: BudgetConfig) -> list[WindowLimit]:
    """Provider defaults, with the Integration's overrides replacing the window of the same length."""
    if config.windows is not None:
        return list(config.windows)
    provider_windows = PROVIDER_WINDOWS.get(config.provider, []) if config.provider else []
    by_window = {w.window_seconds: w for w in provider_windows}
    overrides = config.rate_limits or RateLimitOverrides()
    if overrides.requests_per_second is not None:
        window = rate_window(overrides.requests_per_second)
        by_window[window.window_seconds] = window
    longer = ((overrides.requests_per_minute, 60.0), (overrides.requests_per_five_minutes, 300.0))
    for permits, seconds in longer:
        if permits is not None:
            by_window[seconds] = WindowLimit(permits=permits, window_seconds=seconds)
    return [by_window[s] for s in sorted(by_window)]


def daily_cap(config: BudgetConfig) -> int | None:
    """The daily quota: the Integration's ``requestsPerDay`` or the provider's default."""
    if config.rate_limits and config.rate_limits.requests_per_day is not None:
        return config.rate_limits.requests_per_day
    return PROVIDER_DAILY.get(config.provider) if config.provider else None


def operation_windows(config: BudgetConfig) -> dict[str, WindowLimit]:
    """Seeds' per-operation levels, then ``operationsPerMinute``, then ``operation_limits`` (None drops)."""
    merged: dict[str, WindowLimit | None] = dict(OPERATION_DEFAULTS) if config.operation_defaults else {}
    per_minute = (config.rate_limits.operations_per_minute if config.rate_limits else None) or {}
    for operation, permits in per_minute.items():
        merged[operation.value] = WindowLimit(permits=permits, window_seconds=60.0)
    merged.update(config.operation_limits)
    return {op: limit for op, limit in merged.items() if limit is not None}


def build_levels(config: BudgetConfig) -> tuple[list[Level], DailyBudget | None]:
    """The levels a config asks for, with empty logs; names are stable so reconfiguring keeps logs."""

    def level(name: str, limit: WindowLimit, operations: list[str] | None, adaptive: bool) -> Level:
        return Level(
            name=name,
            operations=operations,
            permits=limit.permits,
            window_us=seconds_to_us(limit.window_seconds),
            adaptive=adaptive,
        )

    levels = [level(f"integration/{w.window_seconds:g}s", w, None, True) for w in integration_windows(config)]
    for op, limit in sorted(operation_windows(config).items()):
        levels.append(level(f"operation:{op}/{limit.window_seconds:g}s", limit, [op], False))
    tenant = config.tenant_limit
    if tenant is not None:
        levels.append(level(f"tenant/{tenant.window_seconds:g}s", tenant, None, False))
    cap = daily_cap(config)
    return levels, (DailyBudget(cap=cap) if cap is not None else None)


def tenant_budget_config(
    limit: WindowLimit = TENANT_DEFAULT,
    *,
    integration_reserve_ahead_seconds: float = TENANT_SLOT_HORIZON_SECONDS,
    margin_seconds: float = 0.1,
) -> BudgetConfig:
    """The tenant-wide budget shared by all of a tenant's integrations.

    Its margin covers the integration's reservation horizon: the helper takes the tenant slot
    first and the integration slot may land up to that horizon later.
    """
    return BudgetConfig(
        operation_defaults=False,
        windows=[],
        tenant_limit=limit,
        margin_seconds=integration_reserve_ahead_seconds + margin_seconds,
        reserve_ahead_seconds=integration_reserve_ahead_seconds,
    )
