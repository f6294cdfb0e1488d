"""Admission control shared by the simulated providers: a per-second rate, a daily quota, injected faults.

    Gate.admit(options, operation)  ->  Admitted | RateLimited(retry_after) | QuotaExhausted | Faulted

The rate is a token bucket (average `rate` req/s, bursts up to `rate * burst_seconds`); optional
per-operation limits (read, create, update, delete per minute, the engine's own budget levels) are
buckets holding one minute's worth; the quota counts
calls per UTC day, and faults are drawn from a seeded generator: the n-th admitted call of a provider
faults or not identically on every run with the same seed.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from sandbox.clock import Clock
from sandbox.options import OperationKind, SandboxOptions


@dataclass(frozen=True)
class Admitted:
    """The call may proceed."""


@dataclass(frozen=True)
class RateLimited:
    """Over the per-second rate (`operation` None) or an operation's per-minute limit; a token will be
    available after `retry_after` seconds."""

    retry_after: float
    operation: str | None = None


@dataclass(frozen=True)
class QuotaExhausted:
    """The daily quota is used up until the next UTC midnight."""

    retry_after: float


@dataclass(frozen=True)
class Faulted:
    """An injected transient failure (the provider answers 503)."""


Verdict = Admitted | RateLimited | QuotaExhausted | Faulted


class TokenBucket:
    """Average `rate` tokens per second, holding at most `rate * burst_seconds`."""

    def __init__(self, clock: Clock, burst_seconds: float) -> None:
        self._clock = clock
        self._burst_seconds = burst_seconds
        self._tokens: float | None = None
        self._stamp = 0.0

    def _refill(self, rate: float) -> float:
        capacity = rate * self._burst_seconds
        now = self._clock.time()
        if self._tokens is None:
            self._tokens = capacity
        else:
            self._tokens = min(capacity, self._tokens + (now - self._stamp) * rate)
        self._stamp = now
        return self._tokens

    def try_take(self, rate: float) -> float | None:
        """Take one token; None when taken, else the seconds until one is available."""
        tokens = self._refill(rate)
        if tokens >= 1.0:
            self._tokens = tokens - 1.0
            return None
        return (1.0 - tokens) / rate

    def remaining(self, rate: float) -> int:
        return int(self._refill(rate))

    def capacity(self, rate: float) -> int:
        return max(1, int(rate * self._burst_seconds))


class DailyQuota:
    """Calls per UTC day against a limit read at each call (it may change at runtime)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._day = -1
        self.used = 0

    def _roll(self) -> float:
        now = self._clock.time()
        day = int(now // 86_400)
        if day != self._day:
            self._day, self.used = day, 0
        return (day + 1) * 86_400 - now

    def try_take(self, limit: int) -> float | None:
        """Count one call; None when within the quota, else the seconds until the quota resets."""
        until_reset = self._roll()
        if self.used >= limit:
            return until_reset
        self.used += 1
        return None

    def current(self) -> int:
        self._roll()
        return self.used


TIMELINE_SECONDS = 3_600


class Gate:
    """One provider's admission: rate first, then quota, then the fault draw.

    `timeline` counts verdicts per wall-clock second (the last hour), so a benchmark can tell the achieved
    request rate and whether limit errors happened only in the first second."""

    def __init__(self, clock: Clock, seed: int, name: str, burst_seconds: float) -> None:
        self._clock = clock
        self.bucket = TokenBucket(clock, burst_seconds)
        self.quota = DailyQuota(clock)
        self._faults = random.Random(f"{seed}:faults:{name}")
        self.timeline: dict[int, list[int]] = {}  # second -> [admitted, limited, faulted]
        self._operations: dict[str, TokenBucket] = {}

    def _decide(self, options: SandboxOptions, operation: OperationKind) -> Verdict:
        if options.rate_limit is not None:
            wait = self.bucket.try_take(options.rate_limit)
            if wait is not None:
                return RateLimited(retry_after=wait)
        per_minute = options.operation_limits.get(operation)
        if per_minute is not None:
            bucket = self._operations.setdefault(operation, TokenBucket(self._clock, burst_seconds=60.0))
            wait = bucket.try_take(per_minute / 60.0)
            if wait is not None:
                return RateLimited(retry_after=wait, operation=operation)
        wait = self.quota.try_take(options.daily_limit)
        if wait is not None:
            return QuotaExhausted(retry_after=wait)
        # Always draw, so the sequence of faults depends only on the seed and the call count.
        if self._faults.random() < options.fault_rate:
            return Faulted()
        return Admitted()

    def admit(self, options: SandboxOptions, operation: OperationKind) -> Verdict:
        """Decide on one call of kind `operation` (read, create, update, delete) under `options`."""
        verdict = self._decide(options, operation)
        second = int(self._clock.time())
        slot = self.timeline.get(second)
        if slot is None:
            slot = self.timeline[second] = [0, 0, 0]
            if len(self.timeline) > TIMELINE_SECONDS:
                del self.timeline[min(self.timeline)]
        slot[0 if isinstance(verdict, Admitted) else 2 if isinstance(verdict, Faulted) else 1] += 1
        return verdict


def retry_after_header(seconds: float) -> str:
    """Whole seconds, at least 1, as HTTP's Retry-After wants."""
    return str(max(1, math.ceil(seconds)))
