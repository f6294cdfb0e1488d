"""Drive auth renewal, throttling (403 reasons as well as 429), permission and token errors."""

import pytest

from adapters.base import Cursor, FetchRequest
from core.errors import ConfigError, InvalidGrant, PermissionDenied, RateLimited
from tests.adapters.gdrive.conftest import Harness, reply


def changes_request() -> FetchRequest:
    return FetchRequest(entity="files", cursor=Cursor(token="1001"))


async def test_401_signs_a_new_assertion_and_resends(harness: Harness) -> None:
    route = harness.route("GET", "/changes")
    sent = harness.script(route, reply(401, "error_401.json"), reply(200, "changes_page2.json"))
    page = await harness.adapter().fetch_page(changes_request())
    assert page.checkpoint == Cursor(token="1010")
    assert sent == [
        "Bearer ya29.c.service-account-access-1",
        "Bearer ya29.c.service-account-access-2",
    ]
    assert len(harness.tokens) == 2


@pytest.mark.parametrize("fixture", ["error_403_user_rate.json", "error_403_rate.json"])
async def test_403_rate_reasons_are_rate_limits_and_back_off(harness: Harness, fixture: str) -> None:
    route = harness.route("GET", "/changes")
    route.side_effect = [reply(403, fixture), reply(200, "changes_page2.json")]
    adapter = harness.adapter()
    page = await adapter.fetch_page(changes_request())
    assert page.checkpoint == Cursor(token="1010")
    assert len(harness.sleeps) == 1 and 0 < harness.sleeps[0] <= 0.5  # exponential back-off, first step
    assert isinstance(adapter.classify(reply(403, fixture)), RateLimited)


async def test_429_with_retry_after(harness: Harness) -> None:
    route = harness.route("GET", "/changes")
    route.side_effect = [
        reply(429, "error_429.json", headers={"Retry-After": "5"}),
        reply(200, "changes_page2.json"),
    ]
    await harness.adapter().fetch_page(changes_request())
    assert harness.sleeps == [5.0]


async def test_503_with_retry_after(harness: Harness) -> None:
    route = harness.route("GET", "/changes")
    route.side_effect = [
        reply(503, "error_500.json", headers={"Retry-After": "2"}),
        reply(200, "changes_page2.json"),
    ]
    await harness.adapter().fetch_page(changes_request())
    assert harness.sleeps == [2.0]


async def test_other_403_is_permission_denied_and_not_retried(harness: Harness) -> None:
    route = harness.route("GET", "/changes").mock(return_value=reply(403, "error_403_forbidden.json"))
    with pytest.raises(PermissionDenied):
        await harness.adapter().fetch_page(changes_request())
    assert route.call_count == 1 and harness.sleeps == []


async def test_revoked_service_account_key_is_invalid_grant(harness: Harness) -> None:
    harness.token_route.side_effect = [reply(400, "token_error_invalid_grant.json")]
    harness.route("GET", "/changes").mock(return_value=reply(200, "changes_page2.json"))
    with pytest.raises(InvalidGrant):
        await harness.adapter().fetch_page(changes_request())


async def test_unknown_entity_and_unusable_key(harness: Harness) -> None:
    with pytest.raises(ConfigError):
        await harness.adapter().fetch_page(FetchRequest(entity="drives"))
    with pytest.raises(ConfigError):
        await harness.adapter(key="not a pem").fetch_page(changes_request())


def test_limits(harness: Harness) -> None:
    assert harness.adapter().limits().requests_per_second == 10
