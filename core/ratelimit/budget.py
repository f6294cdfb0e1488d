"""The budget state machine: acquire, release and configure (observe lives in ``adapt``).

Every function is pure: it takes a state and a request (with the caller's ``now``) and returns a
new state and an answer. The same inputs always give the same outputs, as a Durable entity needs.
"""

from __future__ import annotations

from core.ratelimit import windows
from core.ratelimit.clock import US_PER_DAY, US_PER_SECOND, day_start, from_us, seconds_to_us, to_us
from core.ratelimit.defaults import build_levels
from core.ratelimit.models import (
    AcquireRequest,
    BudgetCheck,
    BudgetConfig,
    ReleaseRequest,
    ReleaseResult,
    Risk,
    ThrottleReason,
)
from core.ratelimit.state import BudgetState, Level

_UNLIMITED = 2**31 - 1  # "no limit" that stays a plain JSON number


def configure(state: BudgetState, config: BudgetConfig) -> BudgetState:
    """Apply a config; levels that keep their name keep their grant log, the day keeps its count."""
    levels, daily = build_levels(config)
    old_logs = {level.name: level.log for level in state.levels}
    for level in levels:
        level.log = list(old_logs.get(level.name, []))
    if daily is not None and state.daily is not None:
        daily.used, daily.day_us = state.daily.used, state.daily.day_us
    return state.model_copy(update={"config": config, "configured": True, "levels": levels, "daily": daily})


def new_state(config: BudgetConfig | None = None) -> BudgetState:
    """A fresh budget with ``config`` (default: the seeds' operation levels only)."""
    return configure(BudgetState(), config or BudgetConfig())


def span_us(state: BudgetState, level: Level) -> int:
    """How long a grant occupies ``level``: its window plus the dispatch margin."""
    return level.window_us + seconds_to_us(state.config.margin_seconds)


def current_factor(state: BudgetState, now: int) -> float:
    """The adaptive slow-down at ``now``: it recovers linearly to 1 over ``recovery_seconds``."""
    if state.factor >= 1.0:
        return 1.0
    recovered = (now - state.pressure_at_us) / (state.config.recovery_seconds * US_PER_SECOND)
    return min(1.0, state.factor + max(0.0, recovered))


def advance(state: BudgetState, now: int) -> int:
    """Move the budget's clock (never backwards), drop aged-out grants; returns the effective now."""
    now = max(now, state.clock_us)
    state.clock_us = now
    for level in state.levels:
        windows.prune(level, now, span_us(state, level))
    if state.blocked_until_us <= now:
        state.blocked_until_us, state.block_reason = 0, None
    return now


def _daily_left(state: BudgetState, slot: int) -> int:
    daily = state.daily
    if daily is None:
        return _UNLIMITED
    used = daily.used if day_start(slot) <= daily.day_us else 0
    return daily.cap - state.config.daily_reserve - used


def _earliest_slot(
    state: BudgetState, levels: list[Level], need: int, start: int, factor: float
) -> tuple[int, ThrottleReason | None, str | None]:
    reason: ThrottleReason | None = None
    name: str | None = None
    if state.blocked_until_us > start:
        start, reason = state.blocked_until_us, ThrottleReason.BLOCKED
    slot = start
    for level in levels:
        fit = windows.earliest_fit(
            level, need, max(start, windows.last_slot(level)), span_us(state, level), factor
        )
        if fit > slot:
            # A window that ends after a provider block still leaves the block as the reason.
            slot, reason, name = fit, reason or ThrottleReason.WINDOW, level.name
    if _daily_left(state, slot) < need:
        slot = max(slot, day_start(slot) + US_PER_DAY)
        reason, name = ThrottleReason.DAILY_CAP, "daily"
    return slot, reason, name


def _capacity(state: BudgetState, levels: list[Level], slot: int, factor: float) -> int:
    room = [
        windows.effective_permits(level, factor) - windows.used_at(level, slot, span_us(state, level))
        for level in levels
    ]
    return min([*room, _daily_left(state, slot)])


def _grant(state: BudgetState, levels: list[Level], slot: int, permits: int) -> None:
    for level in levels:
        windows.record(level, slot, permits, state.config.max_log_entries)
    daily = state.daily
    if daily is not None:
        if day_start(slot) > daily.day_us:
            daily.day_us, daily.used = day_start(slot), 0
        daily.used += permits


def acquire(state: BudgetState, req: AcquireRequest) -> tuple[BudgetState, BudgetCheck]:
    """Grant, reserve, queue or reject ``req`` (see ``BudgetCheck`` for the four answers).

    A batch larger than any level could ever hold is cut to that size, so ``granted`` may be
    less than asked even when allowed.
    """
    state = state.model_copy(deep=True)
    now = advance(state, to_us(req.now))
    config = state.config
    levels = [level for level in state.levels if level.applies_to(req.operation)]
    factor = current_factor(state, now)
    ceilings = [windows.effective_permits(level, factor) for level in levels]
    daily_ceiling = state.daily.cap - config.daily_reserve if state.daily else _UNLIMITED
    ceiling = max(1, min([*ceilings, daily_ceiling]))
    permits = min(req.permits, ceiling)
    need = min(req.min_permits or permits, permits)
    start = max(now, to_us(req.not_before) if req.not_before else 0)
    slot, reason, name = _earliest_slot(state, levels, need, start, factor)
    wait = slot - now
    risk = req.risk or (Risk.RISKY if req.operation in config.risky_operations else Risk.SAFE)
    hard_stop = reason in (ThrottleReason.BLOCKED, ThrottleReason.DAILY_CAP)

    def answer(allowed: bool, queued: bool, granted: int = 0, remaining: int = 0) -> BudgetCheck:
        return BudgetCheck(
            allowed=allowed,
            queued=queued,
            granted=granted,
            remaining=max(0, remaining),
            reset_at=from_us(slot),
            retry_after_seconds=max(0, wait) / US_PER_SECOND,
            reason=(reason or ThrottleReason.WINDOW) if wait > 0 else None,
            level=name if wait > 0 else None,
        )

    if wait > 0 and risk is Risk.RISKY and (hard_stop or wait > seconds_to_us(config.risky_max_wait_seconds)):
        return state, answer(allowed=False, queued=False)
    too_late = req.not_after is not None and slot > to_us(req.not_after)
    if too_late or (wait > 0 and (hard_stop or wait > seconds_to_us(config.reserve_ahead_seconds))):
        return state, answer(allowed=False, queued=True)
    granted = max(need, min(permits, _capacity(state, levels, slot, factor)))
    _grant(state, levels, slot, granted)
    return state, answer(True, wait > 0, granted, _capacity(state, levels, slot, factor))


def release(state: BudgetState, req: ReleaseRequest) -> tuple[BudgetState, ReleaseResult]:
    """Return permits a grant did not use (a batch that ended early); old grants are left alone."""
    state = state.model_copy(deep=True)
    now = advance(state, to_us(req.now))
    slot = to_us(req.slot)
    levels = [level for level in state.levels if level.applies_to(req.operation)]
    # A grant whose window has passed may have been pruned; later entries are someone else's.
    live = [level for level in levels if slot > now - span_us(state, level)]
    taken = [windows.release(level, slot, req.permits) for level in live]
    released = max(taken, default=0) if levels else req.permits
    daily = state.daily
    if daily is not None and day_start(slot) == daily.day_us:
        daily.used -= min(daily.used, released)
    return state, ReleaseResult(released=released)
