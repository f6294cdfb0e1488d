"""Zoom 401 renewal, 429 per-second and daily limits, 503, token errors, writes."""

import json

import pytest

from adapters.base import FetchRequest
from core.errors import ConfigError, InvalidCredentials, NotFound, RateLimited, ValidationFailed
from tests.adapters.zoom.conftest import Harness, reply


async def test_401_renews_the_token_and_resends(harness: Harness) -> None:
    route = harness.route("GET", "/users")
    sent = harness.script(route, reply(401, "error_401.json"), reply(200, "users_page2.json"))
    page = await harness.adapter().fetch_page(FetchRequest(entity="users"))
    assert len(page.records) == 1
    assert [header[-13:] for header in sent] == ["zoom-access-1", "zoom-access-2"]
    assert harness.token_route.call_count == 2


async def test_per_second_429_waits_retry_after(harness: Harness) -> None:
    headers = {
        "Retry-After": "1",
        "X-RateLimit-Category": "Light",
        "X-RateLimit-Type": "QPS",
        "X-RateLimit-Limit": "30",
        "X-RateLimit-Remaining": "0",
    }
    route = harness.route("GET", "/users")
    route.side_effect = [reply(429, "error_429.json", headers=headers), reply(200, "users_page2.json")]
    adapter = harness.adapter()
    await adapter.fetch_page(FetchRequest(entity="users"))
    assert harness.sleeps == [1.0]


async def test_daily_429_goes_to_the_orchestrator_with_the_reset_time(harness: Harness) -> None:
    headers = {
        "Retry-After": "2026-12-01T00:00:00Z",
        "X-RateLimit-Category": "Heavy",
        "X-RateLimit-Type": "Daily-limit",
        "X-RateLimit-Limit": "30000",
        "X-RateLimit-Remaining": "0",
    }
    harness.route("GET", "/users").mock(return_value=reply(429, "error_429_daily.json", headers=headers))
    adapter = harness.adapter()
    with pytest.raises(RateLimited) as caught:
        await adapter.fetch_page(FetchRequest(entity="users"))
    assert caught.value.retry_after == 12 * 3600.0
    snapshot = adapter.http.last_limits
    assert snapshot is not None and (snapshot.daily_limit, snapshot.daily_used) == (30000, 30000)
    assert harness.sleeps == []


async def test_503_then_success(harness: Harness) -> None:
    route = harness.route("GET", "/users")
    route.side_effect = [reply(503, headers={"Retry-After": "2"}), reply(200, "users_page2.json")]
    await harness.adapter().fetch_page(FetchRequest(entity="users"))
    assert harness.sleeps == [2.0]


async def test_rejected_app_credentials(harness: Harness) -> None:
    harness.token_route.side_effect = [reply(401, "token_error_invalid_client.json")]
    with pytest.raises(InvalidCredentials):
        await harness.adapter().fetch_page(FetchRequest(entity="users"))


async def test_meeting_create_update_delete(harness: Harness) -> None:
    post = harness.route("POST", "/users/me/meetings").mock(return_value=reply(201, "meeting_created.json"))
    patch = harness.route("PATCH", "/meetings/92674392836").mock(return_value=reply(204))
    delete = harness.route("DELETE", "/meetings/92674392836").mock(return_value=reply(204))
    adapter = harness.adapter()
    created = await adapter.create("meetings", {"topic": "Customer call", "type": 2})
    assert (created.external_id, created.version, created.created) == ("92674392836", None, True)
    assert json.loads(post.calls[0].request.content) == {"topic": "Customer call", "type": 2}
    updated = await adapter.update("meetings", "92674392836", {"duration": 45})
    assert (updated.external_id, updated.created) == ("92674392836", False)
    assert json.loads(patch.calls[0].request.content) == {"duration": 45}
    await adapter.delete("meetings", "92674392836")
    assert delete.call_count == 1


async def test_write_errors(harness: Harness) -> None:
    harness.route("DELETE", "/meetings/85746065499").mock(return_value=reply(404, "error_404_meeting.json"))
    harness.route("PATCH", "/meetings/1").mock(return_value=reply(400, "error_400_validation.json"))
    adapter = harness.adapter()
    with pytest.raises(NotFound):
        await adapter.delete("meetings", "85746065499")
    with pytest.raises(ValidationFailed) as caught:
        await adapter.update("meetings", "1", {"start_time": "soon"})
    assert caught.value.field_errors == {"start_time": "Invalid field."}
    with pytest.raises(ConfigError):
        await adapter.update("meetings", "1", {}, if_version="3")
    with pytest.raises(ConfigError):
        await adapter.create("users", {"email": "x@example.com"})


def test_limits(harness: Harness) -> None:
    limits = harness.adapter().limits()
    assert (limits.requests_per_second, limits.requests_per_day) == (4, 6000)
