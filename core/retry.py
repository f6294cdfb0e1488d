"""The retry policy of the user's design (seed 002) as a pure, deterministic decision.

``decide(error, attempt)`` answers "retry? after how long? why?" from the error's type in
``core.errors``: transient errors (RATE_LIMIT, TIMEOUT, SERVICE_UNAVAILABLE, CONNECTION_RESET)
are retried with exponential back-off (5 s doubling to 5 min, 10 attempts in all); permanent
ones (AUTHENTICATION_FAILED, INVALID_CREDENTIALS, NOT_FOUND, VALIDATION_ERROR...) are not.
A ``retry_after`` given by the provider wins over the back-off.

No jitter: orchestrators replay, so the same inputs must give the same delay. Short delays
may be slept in an adapter (``RetryDecision.is_short``); longer ones belong on a durable timer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.errors import SyncError


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Seed 002's RETRY_CONFIG: maxAttempts 10, initialDelay 5 s, maxDelay 300 s, multiplier 2."""

    max_attempts: int = 10
    initial_delay_seconds: float = 5.0
    max_delay_seconds: float = 300.0
    multiplier: float = 2.0
    # A provider's Retry-After is honoured up to this (a day); beyond it the value is suspect.
    max_retry_after_seconds: float = 86_400.0

    def backoff(self, attempt: int) -> float:
        """The delay after failed attempt number ``attempt`` (1-based), without Retry-After."""
        exponent = max(attempt - 1, 0)
        # A huge exponent would overflow the float; the result is capped anyway.
        if self.multiplier > 1 and exponent > 64:
            return self.max_delay_seconds
        return min(self.initial_delay_seconds * self.multiplier**exponent, self.max_delay_seconds)


DEFAULT_POLICY = RetryPolicy()


@dataclass(frozen=True, slots=True)
class RetryDecision:
    retry: bool
    delay_seconds: float
    reason: str

    def is_short(self, threshold_seconds: float = 5.0) -> bool:
        """Whether the wait is short enough to sleep in place rather than on a durable timer."""
        return self.retry and self.delay_seconds <= threshold_seconds


def decide(
    error: BaseException | Mapping[str, Any], attempt: int, policy: RetryPolicy = DEFAULT_POLICY
) -> RetryDecision:
    """Whether to retry after failed attempt number ``attempt`` (1-based), and after how long.

    ``error`` is a ``SyncError`` or its ``to_dict()`` form (after crossing an activity
    boundary; ``retryAfter`` is read too). Any other exception is unclassified, hence not retried: retrying a bug only
    repeats it, and adapters classify every provider failure.
    """
    if isinstance(error, Mapping):
        fields = dict(error)
        # Models on the wire are camelCase; to_dict() is snake_case. Accept both spellings.
        if fields.get("retry_after") is None and fields.get("retryAfter") is not None:
            fields["retry_after"] = fields["retryAfter"]
        error = SyncError.from_dict(fields)
    if not isinstance(error, SyncError):
        return RetryDecision(False, 0.0, f"unclassified error {type(error).__name__}: not retried")
    code = error.code.value
    if not error.retryable:
        return RetryDecision(False, 0.0, f"{code} is not retryable")
    if attempt >= policy.max_attempts:
        return RetryDecision(False, 0.0, f"{code}: gave up after {attempt} attempts")
    if error.retry_after is not None and error.retry_after >= 0:
        delay = min(float(error.retry_after), policy.max_retry_after_seconds)
        return RetryDecision(True, delay, f"{code}: provider asked to wait {delay:g}s")
    delay = policy.backoff(attempt)
    return RetryDecision(True, delay, f"{code}: back-off {delay:g}s after attempt {attempt}")
