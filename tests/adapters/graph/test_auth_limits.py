"""Client credentials, 401 then refresh, throttling with Retry-After, limits and config errors."""

import httpx
import pytest

from adapters.base import FetchRequest
from core.errors import ConfigError, RateLimited, ServiceUnavailable, Timeout
from tests.adapters.graph.conftest import Harness, reply

DRIVE_DELTA = "/v1.0/drives/b!drive1/root/delta"


async def test_401_renews_the_token_once_and_resends(harness: Harness) -> None:
    route = harness.router.get(host="graph.microsoft.com", path=DRIVE_DELTA)
    sent = harness.script(route, reply(401, "error_401.json"), reply(200, "drive_delta_page2.json"))
    page = await harness.adapter().fetch_page(FetchRequest(entity="driveItems"))
    assert page.next_cursor is None
    assert harness.token_route.call_count == 2
    assert sent == [
        "Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.graph-access-1",
        "Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.graph-access-2",
    ]
    assert [t.access_token[-14:] for t in harness.tokens] == ["graph-access-1", "graph-access-2"]


@pytest.mark.parametrize(("status", "fixture"), [(429, "error_429.json"), (503, "error_503.json")])
async def test_throttled_then_served_after_retry_after(harness: Harness, status: int, fixture: str) -> None:
    route = harness.router.get(host="graph.microsoft.com", path=DRIVE_DELTA)
    route.side_effect = [
        reply(status, fixture, headers={"Retry-After": "3"}),
        reply(200, "drive_delta_page2.json"),
    ]
    adapter = harness.adapter()
    page = await adapter.fetch_page(FetchRequest(entity="driveItems"))
    assert len(page.records) == 1
    assert harness.sleeps == [3.0]
    assert route.call_count == 2


async def test_long_retry_after_goes_to_the_orchestrator(harness: Harness) -> None:
    harness.router.get(host="graph.microsoft.com", path=DRIVE_DELTA).mock(
        return_value=reply(429, "error_429.json", headers={"Retry-After": "120"})
    )
    adapter = harness.adapter()
    with pytest.raises(RateLimited) as caught:
        await adapter.fetch_page(FetchRequest(entity="driveItems"))
    assert caught.value.retry_after == 120.0 and caught.value.status == 429
    assert harness.sleeps == []
    assert adapter.http.last_limits is not None and adapter.http.last_limits.retry_after == 120.0


async def test_persistent_503_is_retried_then_raised(harness: Harness) -> None:
    route = harness.router.get(host="graph.microsoft.com", path=DRIVE_DELTA)
    route.mock(return_value=reply(503, "error_503.json"))
    with pytest.raises(ServiceUnavailable):
        await harness.adapter().fetch_page(FetchRequest(entity="driveItems"))
    assert route.call_count == 4 and len(harness.sleeps) == 3


async def test_config_errors(harness: Harness) -> None:
    with pytest.raises(ConfigError):
        await harness.adapter(driveId=None).fetch_page(FetchRequest(entity="driveItems"))
    with pytest.raises(ConfigError):
        await harness.adapter().fetch_page(FetchRequest(entity="calendarEvents"))


def test_limits_default_and_overrides(harness: Harness) -> None:
    assert harness.adapter().limits().requests_per_second == 30
    harness.rate_limits = {"requestsPerSecond": 5}
    assert harness.adapter().limits().requests_per_second == 5


async def test_dropped_connection_is_retried(harness: Harness) -> None:
    route = harness.router.get(host="graph.microsoft.com", path=DRIVE_DELTA)
    route.side_effect = [httpx.ReadError("connection reset by peer"), reply(200, "drive_delta_page2.json")]
    page = await harness.adapter().fetch_page(FetchRequest(entity="driveItems"))
    assert len(page.records) == 1 and len(harness.sleeps) == 1


async def test_timeouts_end_as_a_typed_timeout(harness: Harness) -> None:
    harness.router.get(host="graph.microsoft.com", path=DRIVE_DELTA).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(Timeout):
        await harness.adapter().fetch_page(FetchRequest(entity="driveItems"))
