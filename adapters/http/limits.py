"""Rate-limit headers of every provider, parsed into one ``LimitSnapshot``.

Header names and formats from providers.md (Part 2): Salesforce ``Sforce-Limit-Info``,
HubSpot ``X-HubSpot-RateLimit-*``, Dataverse ``x-ms-ratelimit-*``, Zoom ``X-RateLimit-*``,
Graph's ``RateLimit-*``, and ``Retry-After`` everywhere (seconds, an HTTP date, or for Zoom's
daily limit an ISO timestamp).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from adapters.base import LimitSnapshot

Headers = Mapping[str, str]
LimitParser = Callable[[Headers, datetime], LimitSnapshot | None]

_SF_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")


def _int(headers: Headers, name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(value.strip()) if value is not None else None
    except ValueError:
        return None


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds, an HTTP date or an ISO timestamp."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _snapshot(provider: str, **fields: object) -> LimitSnapshot | None:
    """None when the response carried no limit signal at all."""
    present = {k: v for k, v in fields.items() if v is not None}
    return LimitSnapshot.model_validate({"provider": provider, **present}) if present else None


def salesforce(headers: Headers, now: datetime) -> LimitSnapshot | None:
    """``Sforce-Limit-Info: api-usage=10018/100000`` is the org's daily usage and limit."""
    used = limit = None
    match = _SF_USAGE.search(headers.get("Sforce-Limit-Info", ""))
    if match:
        used, limit = int(match.group(1)), int(match.group(2))
    return _snapshot(
        "salesforce",
        daily_used=used,
        daily_limit=limit,
        retry_after=parse_retry_after(headers.get("Retry-After"), now),
    )


def hubspot(headers: Headers, now: datetime) -> LimitSnapshot | None:
    """Per-interval ``-Max``/``-Remaining``/``-Interval-Milliseconds``; ``-Daily`` only for private apps."""
    interval_ms = _int(headers, "X-HubSpot-RateLimit-Interval-Milliseconds")
    limit = _int(headers, "X-HubSpot-RateLimit-Max")
    remaining = _int(headers, "X-HubSpot-RateLimit-Remaining")
    if limit is None and remaining is None:
        limit = _int(headers, "X-HubSpot-RateLimit-Secondly")
        remaining = _int(headers, "X-HubSpot-RateLimit-Secondly-Remaining")
        interval_ms = 1000 if limit is not None or remaining is not None else interval_ms
    daily = _int(headers, "X-HubSpot-RateLimit-Daily")
    daily_remaining = _int(headers, "X-HubSpot-RateLimit-Daily-Remaining")
    daily_used = daily - daily_remaining if daily is not None and daily_remaining is not None else None
    return _snapshot(
        "hubspot",
        limit=limit,
        remaining=remaining,
        window_seconds=interval_ms / 1000 if interval_ms is not None else None,
        daily_limit=daily,
        daily_used=daily_used,
        retry_after=parse_retry_after(headers.get("Retry-After"), now),
    )


def dataverse(headers: Headers, now: datetime) -> LimitSnapshot | None:
    """Requests left in the 5-minute service-protection window (a debug header: advisory only)."""
    remaining = _int(headers, "x-ms-ratelimit-burst-remaining-xrm-requests")
    return _snapshot(
        "dynamics",
        remaining=remaining,
        window_seconds=300.0 if remaining is not None else None,
        retry_after=parse_retry_after(headers.get("Retry-After"), now),
    )


def graph(headers: Headers, now: datetime) -> LimitSnapshot | None:
    """``Retry-After`` on 429/503, plus ``RateLimit-Limit/-Remaining/-Reset`` where Graph sends them."""
    reset = _int(headers, "RateLimit-Reset")
    return _snapshot(
        "graph",
        limit=_int(headers, "RateLimit-Limit"),
        remaining=_int(headers, "RateLimit-Remaining"),
        reset_at=now + timedelta(seconds=reset) if reset is not None else None,
        retry_after=parse_retry_after(headers.get("Retry-After"), now),
    )


def zoom(headers: Headers, now: datetime) -> LimitSnapshot | None:
    """``X-RateLimit-Type: Daily-limit`` makes Limit/Remaining daily figures; otherwise per second."""
    limit = _int(headers, "X-RateLimit-Limit")
    remaining = _int(headers, "X-RateLimit-Remaining")
    retry_after = parse_retry_after(headers.get("Retry-After"), now)
    if "daily" in headers.get("X-RateLimit-Type", "").lower():
        used = limit - remaining if limit is not None and remaining is not None else None
        reset_at = now + timedelta(seconds=retry_after) if retry_after is not None else None
        return _snapshot(
            "zoom", daily_limit=limit, daily_used=used, retry_after=retry_after, reset_at=reset_at
        )
    return _snapshot(
        "zoom",
        limit=limit,
        remaining=remaining,
        window_seconds=1.0 if limit is not None else None,
        retry_after=retry_after,
    )


def gong(headers: Headers, now: datetime) -> LimitSnapshot | None:
    """Gong publishes no budget headers: only ``Retry-After`` (seconds) on 429."""
    return _snapshot("gong", retry_after=parse_retry_after(headers.get("Retry-After"), now))


def generic(provider: str) -> LimitParser:
    """``Retry-After`` only, for providers without budget headers."""

    def parse(headers: Headers, now: datetime) -> LimitSnapshot | None:
        return _snapshot(provider, retry_after=parse_retry_after(headers.get("Retry-After"), now))

    return parse


LIMIT_PARSERS: dict[str, LimitParser] = {
    "salesforce": salesforce,
    "hubspot": hubspot,
    "dynamics": dataverse,
    "graph": graph,
    "gdrive": generic("gdrive"),
    "zoom": zoom,
    "gong": gong,
}
