"""The one HTTP retry policy: short waits in the adapter, long waits raised to the orchestrator.

``decide`` is a pure function ("retry? why? how long?"), table-tested; ``retrying`` wires it
into tenacity. A ``Retry-After`` longer than ``RetryPolicy.max_wait`` is never slept here: the
``RateLimited`` error propagates so the orchestrator can wait on a durable timer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import BaseModel, ConfigDict
from tenacity import AsyncRetrying, RetryCallState

from core.errors import RateLimited, ServiceUnavailable, SyncError

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class RetryPolicy(BaseModel):
    """Attempts and waits for in-process retries (seconds)."""

    model_config = ConfigDict(frozen=True)

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_wait: float = 30.0


class RetryDecision(BaseModel):
    """What to do after a failed attempt."""

    model_config = ConfigDict(frozen=True)

    retry: bool
    wait: float = 0.0
    reason: str


def _unprocessed(error: SyncError) -> bool:
    """A 429 or 503 means the provider did not act on the request, so even a POST may be resent."""
    return isinstance(error, RateLimited) or (isinstance(error, ServiceUnavailable) and error.status == 503)


def decide(
    error: BaseException,
    attempt: int,
    policy: RetryPolicy,
    *,
    idempotent: bool = True,
    jitter: float = 0.0,
) -> RetryDecision:
    """Decide on a retry after attempt number ``attempt`` (1-based) failed with ``error``.

    ``jitter`` in [0, 1) spreads exponential back-off between half and all of its value;
    a provider's ``retry_after`` is honoured exactly.
    """
    if not isinstance(error, SyncError) or not error.retryable:
        return RetryDecision(retry=False, reason="not retryable")
    if attempt >= policy.max_attempts:
        return RetryDecision(retry=False, reason="attempts exhausted")
    if not idempotent and not _unprocessed(error):
        return RetryDecision(retry=False, reason="non-idempotent request may have been applied")
    if error.retry_after is not None:
        if error.retry_after > policy.max_wait:
            return RetryDecision(retry=False, reason="retry-after beyond the in-process cap")
        return RetryDecision(retry=True, wait=max(0.0, error.retry_after), reason="retry-after")
    backoff = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
    return RetryDecision(retry=True, wait=backoff * (0.5 + jitter / 2), reason="backoff")


def retrying(
    policy: RetryPolicy,
    *,
    idempotent: bool,
    sleep: Callable[[float], Awaitable[None]],
    jitter: Callable[[], float],
) -> AsyncRetrying:
    """A tenacity controller driven by ``decide``; the last error is re-raised as itself."""

    def _decision(state: RetryCallState, spread: float = 0.0) -> RetryDecision:
        error = state.outcome.exception() if state.outcome else None
        if error is None:
            return RetryDecision(retry=False, reason="succeeded")
        return decide(error, state.attempt_number, policy, idempotent=idempotent, jitter=spread)

    return AsyncRetrying(
        retry=lambda state: _decision(state).retry,
        wait=lambda state: _decision(state, jitter()).wait,
        sleep=sleep,
        reraise=True,
    )
