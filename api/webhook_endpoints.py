"""What the webhook route keeps in memory: registrations with their secrets, rate buckets, audit pacing.

A provider may deliver thousands of requests a second to one URL; reading the registration and its
secret from the stores (Key Vault in Azure) on each would cost more than the whole acknowledgement
budget. ``EndpointCache`` keeps them for ``ttl`` seconds (unknown ids for ``miss_ttl``, so a new
registration is found quickly) and the registration route calls ``forget`` when it changes one. Other
processes (language workers, other instances) see a changed or deleted registration within ``ttl``, so it is
short: a rotated secret or a removed endpoint must not keep working for long.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from stores.factory import Stores
from stores.webhook_registrations import RateLimit, WebhookRegistration, webhook_secret_name
from webhooks import AnySchemeConfig, load_scheme_config

Clock = Callable[[], float]
DEFAULT_TTL_SECONDS = 5.0
DEFAULT_MISS_TTL_SECONDS = 2.0


def secret_field(config_type: type[Any]) -> str | None:
    """The alias of the scheme's one ``SecretStr`` field (``secret``, ``clientSecret``...), if it has one."""
    for name, info in config_type.model_fields.items():
        if "SecretStr" in str(info.annotation):
            return str(info.alias or name)
    return None


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A registration and its verification config with the secrets put back (``SecretStr``)."""

    registration: WebhookRegistration
    config: AnySchemeConfig


MISSING = object()
"""``EndpointCache.cached``'s answer when the id must be loaded from the stores."""


class EndpointCache:
    """Registration id -> ``Endpoint``; thread-safe; ``None`` for unknown ids and unusable configs."""

    def __init__(self, stores: Stores, *, ttl: float = DEFAULT_TTL_SECONDS,
                 miss_ttl: float = DEFAULT_MISS_TTL_SECONDS, clock: Clock = time.monotonic) -> None:
        self._stores = stores
        self._ttl, self._miss_ttl, self._clock = ttl, miss_ttl, clock
        self._entries: dict[str, tuple[float, Endpoint | None]] = {}
        self._lock = threading.Lock()

    def cached(self, registration_id: str) -> Endpoint | None | object:
        """The cached answer for ``registration_id`` (an ``Endpoint`` or None), or ``MISSING``."""
        with self._lock:
            cached = self._entries.get(registration_id)
        return cached[1] if cached is not None and cached[0] > self._clock() else MISSING

    def get(self, registration_id: str) -> Endpoint | None:
        """The endpoint, from the cache or loaded from the stores (blocking: call it off the event loop)."""
        now = self._clock()
        with self._lock:
            cached = self._entries.get(registration_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        endpoint = self._load(registration_id)
        expires = now + (self._ttl if endpoint is not None else self._miss_ttl)
        with self._lock:
            self._entries[registration_id] = (expires, endpoint)
        return endpoint

    def forget(self, registration_id: str) -> None:
        with self._lock:
            self._entries.pop(registration_id, None)

    def _load(self, registration_id: str) -> Endpoint | None:
        registration = self._stores.webhook_registrations.find(registration_id)
        if registration is None:
            return None
        secrets: dict[str, Any] = {}
        for field in registration.secret_fields:
            value = self._stores.secrets.get(
                webhook_secret_name(registration.tenant_id, registration.registration_id, field))
            if value is not None:
                secrets[field] = value
        try:
            config = load_scheme_config({**registration.scheme, **secrets})
        except ValidationError:
            # Validated when registered; a stored config that no longer loads is treated as unknown.
            return None
        return Endpoint(registration, config)


class TokenBucket:
    """``rate`` tokens a second up to ``burst``; ``take`` spends one if there is one."""

    __slots__ = ("limit", "configured", "_tokens", "_at")

    def __init__(self, limit: RateLimit, now: float, configured: RateLimit | None = None) -> None:
        self.limit = limit
        self.configured = configured or limit  # the registration's limit this bucket enforces a share of
        self._tokens = float(limit.burst)
        self._at = now

    def take(self, now: float) -> bool:
        elapsed = max(0.0, now - self._at)
        self._tokens = min(float(self.limit.burst), self._tokens + elapsed * self.limit.requests_per_second)
        self._at = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True


class RateLimiter:
    """One in-process token bucket per registration, for this process's share of its rate.

    Each of the ``processes`` language worker processes that take deliveries enforces ``1/processes`` of the
    registration's rate and burst (burst at least 1), so together they never accept more than the
    registration allows. (On devhost the host process takes no deliveries once it has workers, so its
    workers together enforce ``(N - 1)/N`` of the rate: stricter, never looser. Several Azure instances
    each enforce the whole share of their own workers.)
    """

    def __init__(self, clock: Clock = time.monotonic, processes: int = 1) -> None:
        self._clock = clock
        self._processes = max(1, processes)
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def _share(self, limit: RateLimit) -> RateLimit:
        if self._processes == 1:
            return limit
        return limit.model_copy(update={"requests_per_second": limit.requests_per_second / self._processes,
                                        "burst": max(1, limit.burst // self._processes)})

    def allow(self, registration_id: str, limit: RateLimit) -> bool:
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(registration_id)
            if bucket is None or bucket.configured != limit:
                bucket = self._buckets[registration_id] = TokenBucket(self._share(limit), now, configured=limit)
            return bucket.take(now)


class AuditPacer:
    """At most one audit record per key per ``interval``: floods (429s, unknown ids) are audited as counts.

    ``due(key)`` returns how many occurrences the record to write now stands for, or 0 when this one
    is counted into the next record.
    """

    def __init__(self, interval: float = 1.0, clock: Clock = time.monotonic) -> None:
        self._interval, self._clock = interval, clock
        self._state: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def due(self, key: str) -> int:
        now = self._clock()
        with self._lock:
            last, pending = self._state.get(key, (float("-inf"), 0))
            if now - last >= self._interval:
                self._state[key] = (now, 0)
                return pending + 1
            self._state[key] = (last, pending + 1)
            return 0
