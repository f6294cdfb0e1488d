"""Gong throttling (3/s, 10,000/day; 429 with Retry-After), 401, 503, and read-only writes."""

import pytest

from adapters.base import FetchRequest
from core.errors import AuthenticationFailed, ConfigError, RateLimited
from tests.adapters.gong.conftest import Harness, reply


async def test_429_waits_retry_after_then_succeeds(harness: Harness) -> None:
    route = harness.route("GET", "/v2/users")
    route.side_effect = [reply(429, "error_429.json", headers={"Retry-After": "2"}), reply(200, "users_page2.json")]
    page = await harness.adapter().fetch_page(FetchRequest(entity="users"))
    assert len(page.records) == 1 and harness.sleeps == [2.0]


async def test_daily_quota_goes_to_the_orchestrator(harness: Harness) -> None:
    harness.route("GET", "/v2/users").mock(return_value=reply(429, "error_429.json", headers={"Retry-After": "3600"}))
    adapter = harness.adapter()
    with pytest.raises(RateLimited) as caught:
        await adapter.fetch_page(FetchRequest(entity="users"))
    assert caught.value.retry_after == 3600.0 and harness.sleeps == []
    assert adapter.http.last_limits is not None and adapter.http.last_limits.retry_after == 3600.0


async def test_503_with_retry_after_then_success(harness: Harness) -> None:
    route = harness.route("GET", "/v2/users")
    route.side_effect = [reply(503, headers={"Retry-After": "1"}), reply(200, "users_page2.json")]
    await harness.adapter().fetch_page(FetchRequest(entity="users"))
    assert harness.sleeps == [1.0]


async def test_rejected_key_is_authentication_failed_without_retry(harness: Harness) -> None:
    route = harness.route("GET", "/v2/users").mock(return_value=reply(401, "error_401.json"))
    with pytest.raises(AuthenticationFailed):
        await harness.adapter().fetch_page(FetchRequest(entity="users"))
    assert route.call_count == 1  # Basic auth has nothing to refresh


async def test_gong_is_read_only(harness: Harness) -> None:
    adapter = harness.adapter()
    with pytest.raises(ConfigError):
        await adapter.create("calls", {"title": "x"})
    with pytest.raises(ConfigError):
        await adapter.update("users", "1", {"title": "x"})
    with pytest.raises(ConfigError):
        await adapter.delete("calls", "1")
    with pytest.raises(ConfigError):
        await adapter.fetch_page(FetchRequest(entity="deals"))


def test_limits(harness: Harness) -> None:
    limits = harness.adapter().limits()
    assert (limits.requests_per_second, limits.requests_per_day) == (3, 10_000)
