"""Adapting a budget to what the provider says in its responses (``observe``).

* ``Retry-After`` (any response) blocks the budget until then.
* A limit error (429, Salesforce 403 ``REQUEST_LIMIT_EXCEEDED``) or ``remaining`` at 0 blocks it
  until ``reset_at``, the next UTC day when the daily quota is spent, or a short back-off; and it
  halves the adaptive factor.
* ``remaining`` below a tenth of ``limit`` halves the adaptive factor (slow down), which then
  recovers linearly over ``recovery_seconds``.
* A ``limit`` for a window the budget also counts lowers that level if the provider's is tighter.
* ``daily_used``/``daily_limit`` replace the local day count and cap when they say more was used.
"""

from __future__ import annotations

from core.ratelimit.budget import advance, current_factor
from core.ratelimit.clock import US_PER_DAY, day_start, seconds_to_us, to_us
from core.ratelimit.models import LimitObservation, ObserveRequest, ThrottleReason
from core.ratelimit.state import BudgetState, DailyBudget

LOW_WATER = 0.1
"""Share of the provider's window left below which the budget slows down."""
REPORT_EVERY = 10
"""A caller making many requests reports every n-th response's signals, and every one under pressure."""


def worth_reporting(snap: LimitObservation, response_no: int) -> bool:
    """Whether the ``response_no``-th response of a series should reach the budget (an entity signal).

    Pressure always does: a limit error, ``Retry-After``, a window or the daily quota nearly spent.
    Otherwise every ``REPORT_EVERY``-th does (daily usage and provider limits stay in sync without an
    entity operation per request); the budget counts its own grants in between.
    """
    window_low = snap.remaining is not None and (
        snap.remaining <= 0 or (snap.limit is not None and snap.remaining < LOW_WATER * snap.limit))
    daily_low = (snap.daily_used is not None and snap.daily_limit is not None
                 and snap.daily_used >= (1 - LOW_WATER) * snap.daily_limit)
    pressure = snap.limited or snap.retry_after is not None or window_low or daily_low
    return pressure or response_no % REPORT_EVERY == 0


def _slow_down(state: BudgetState, now: int) -> None:
    state.factor = max(state.config.min_factor, current_factor(state, now) / 2)
    state.pressure_at_us = now


def _block(state: BudgetState, until: int) -> None:
    if until > state.blocked_until_us:
        state.blocked_until_us, state.block_reason = until, ThrottleReason.BLOCKED


def _daily_spent(state: BudgetState) -> bool:
    daily = state.daily
    return daily is not None and daily.used >= daily.cap - state.config.daily_reserve


def _update_daily(state: BudgetState, snap: LimitObservation, now: int) -> None:
    if snap.daily_limit is None and snap.daily_used is None:
        return
    if state.daily is None:
        if snap.daily_limit is None:
            return  # usage without a cap tells nothing to enforce
        state.daily = DailyBudget(cap=snap.daily_limit, day_us=day_start(now))
    daily = state.daily
    if day_start(now) > daily.day_us:
        daily.day_us, daily.used = day_start(now), 0
    if snap.daily_limit is not None:
        daily.cap = snap.daily_limit
    if snap.daily_used is not None:
        # The provider counts other clients of the same org too; our count includes reservations
        # it has not seen yet. The larger of the two is the safe one.
        daily.used = max(daily.used, snap.daily_used)


def _tighten_levels(state: BudgetState, snap: LimitObservation) -> None:
    if snap.limit is None or snap.window_seconds is None:
        return
    window_us = seconds_to_us(snap.window_seconds)
    for level in state.levels:
        if level.adaptive and level.window_us == window_us and snap.limit < level.permits:
            level.permits = snap.limit


def _blocked_until(state: BudgetState, snap: LimitObservation, now: int) -> int | None:
    if snap.retry_after is not None:
        return now + seconds_to_us(snap.retry_after)
    exhausted = snap.remaining is not None and snap.remaining <= 0
    if not (snap.limited or exhausted):
        return None
    if snap.reset_at is not None and to_us(snap.reset_at) > now:
        return to_us(snap.reset_at)
    if _daily_spent(state):
        return day_start(now) + US_PER_DAY
    if exhausted and snap.window_seconds is not None:
        return now + seconds_to_us(snap.window_seconds)
    return now + seconds_to_us(state.config.default_backoff_seconds)


def observe(state: BudgetState, req: ObserveRequest) -> BudgetState:
    """Fold one response's rate-limit signals into the budget."""
    state = state.model_copy(deep=True)
    now = advance(state, to_us(req.now))
    snap = req.snapshot
    _update_daily(state, snap, now)
    _tighten_levels(state, snap)
    until = _blocked_until(state, snap, now)
    if until is not None:
        _block(state, until)
    low = snap.remaining is not None and snap.limit is not None and snap.remaining < LOW_WATER * snap.limit
    if snap.limited or low or (snap.remaining is not None and snap.remaining <= 0):
        _slow_down(state, now)
    return state
