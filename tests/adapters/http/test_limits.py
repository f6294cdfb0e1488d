"""Every provider's rate-limit headers land in the same LimitSnapshot."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from adapters.http import limits

NOW = datetime(2024, 5, 30, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("-5", 0.0),
        ("Thu, 30 May 2024 12:01:00 GMT", 60.0),
        ("2024-05-31T00:00:00Z", 12 * 3600.0),
        ("Thu, 30 May 2024 11:00:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_forms(value, seconds) -> None:
    assert limits.parse_retry_after(value, NOW) == seconds


def test_salesforce_daily_usage() -> None:
    snap = limits.salesforce(httpx.Headers({"Sforce-Limit-Info": "api-usage=10018/100000"}), NOW)
    assert snap is not None and (snap.daily_used, snap.daily_limit) == (10018, 100000)


def test_salesforce_usage_with_bursts_suffix() -> None:
    snap = limits.salesforce(httpx.Headers({"Sforce-Limit-Info": "api-usage=18/5000; api-bursts=1/750"}), NOW)
    assert snap is not None and (snap.daily_used, snap.daily_limit) == (18, 5000)


def test_hubspot_interval_and_daily() -> None:
    headers = httpx.Headers({
        "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
        "X-HubSpot-RateLimit-Max": "100",
        "X-HubSpot-RateLimit-Remaining": "97",
        "X-HubSpot-RateLimit-Daily": "250000",
        "X-HubSpot-RateLimit-Daily-Remaining": "249000",
    })
    snap = limits.hubspot(headers, NOW)
    assert snap is not None
    assert (snap.limit, snap.remaining, snap.window_seconds) == (100, 97, 10.0)
    assert (snap.daily_limit, snap.daily_used) == (250000, 1000)


def test_hubspot_oauth_calls_have_no_daily_headers() -> None:
    snap = limits.hubspot(httpx.Headers({"X-HubSpot-RateLimit-Secondly": "10",
                                         "X-HubSpot-RateLimit-Secondly-Remaining": "9"}), NOW)
    assert snap is not None and (snap.limit, snap.remaining, snap.window_seconds) == (10, 9, 1.0)
    assert snap.daily_limit is None


def test_dataverse_burst_remaining_and_retry_after() -> None:
    headers = httpx.Headers({"x-ms-ratelimit-burst-remaining-xrm-requests": "5998", "Retry-After": "20"})
    snap = limits.dataverse(headers, NOW)
    assert snap is not None and (snap.remaining, snap.window_seconds, snap.retry_after) == (5998, 300.0, 20.0)


def test_zoom_daily_limit_with_datetime_retry_after() -> None:
    headers = httpx.Headers({"X-RateLimit-Type": "Daily-limit", "X-RateLimit-Limit": "6000",
                             "X-RateLimit-Remaining": "0", "Retry-After": "2024-05-31T00:00:00Z"})
    snap = limits.zoom(headers, NOW)
    assert snap is not None and (snap.daily_limit, snap.daily_used) == (6000, 6000)
    assert snap.retry_after == 12 * 3600 and snap.reset_at == NOW + timedelta(hours=12)


def test_graph_and_gong_retry_after_only() -> None:
    assert limits.gong(httpx.Headers({"Retry-After": "3"}), NOW).retry_after == 3.0
    snap = limits.graph(httpx.Headers({"Retry-After": "10", "RateLimit-Reset": "5"}), NOW)
    assert snap.retry_after == 10.0 and snap.reset_at == NOW + timedelta(seconds=5)


@pytest.mark.parametrize("provider", sorted(limits.LIMIT_PARSERS))
def test_no_signal_gives_none_and_garbage_is_ignored(provider) -> None:
    parse = limits.LIMIT_PARSERS[provider]
    assert parse(httpx.Headers({}), NOW) is None
    assert parse(httpx.Headers({"X-HubSpot-RateLimit-Max": "lots", "Sforce-Limit-Info": "??"}), NOW) is None
