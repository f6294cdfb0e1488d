"""HubSpot adapter against provider-shaped responses (fixtures from the CRM v3 reference)."""

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
import pytest

from adapters.base import Cursor, FetchMode, FetchRequest, ProviderAdapter
from adapters.http.oauth import OAuthToken
from adapters.http.retry import RetryPolicy
from adapters.http.session import HttpOptions
from adapters.registry import build_adapter
from core import errors as e
from tests.adapters.support import FakeApi, Sleeps, fixture, reply

BASE = "https://api.hubapi.com"
TOKEN_URL = "https://api.hubapi.com/oauth/v1/token"
CREDENTIAL = {"type": "oauth2", "accessToken": "old-token", "refreshToken": "rt-1", "clientId": "cid",
              "clientSecret": "cs", "tokenUrl": TOKEN_URL}
CONNECTION = {"uniqueProperties": {"contacts": "castiel_id"}}
NOW = datetime(2024, 3, 3, 12, 0, tzinfo=UTC)
T = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def hs(name: str):
    return fixture("hubspot", name)


def make(
    api: FakeApi, saved: list[OAuthToken] | None = None, sleeps: Sleeps | None = None
) -> ProviderAdapter:
    async def persist(token: OAuthToken) -> None:
        (saved if saved is not None else []).append(token)

    options = HttpOptions(policy=RetryPolicy(max_attempts=3), sleep=sleeps or Sleeps(), clock=lambda: NOW,
                          jitter=lambda: 0.0)
    return build_adapter("hubspot", CONNECTION, CREDENTIAL, on_token=persist, transport=api.transport(),
                         options=options)


def body(request: httpx.Request) -> dict:
    return json.loads(request.read())


async def test_full_fetch_pages_the_object_list_with_after() -> None:
    api = (FakeApi()
           .on("GET", "after=514", reply(200, hs("list_page2.json")))
           .on("GET", "/crm/v3/objects/contacts", reply(200, hs("list_page1.json"))))
    adapter = make(api)
    req = FetchRequest(entity="contacts", mode=FetchMode.FULL, page_size=500, fields=["email", "firstname"])
    first = await adapter.fetch_page(req)
    params = api.sent()[0].url.params
    assert (params["limit"], params["archived"], params["properties"]) == ("100", "false", "email,firstname")
    assert [r.id for r in first.records] == ["512", "513"]
    assert first.records[0].data["properties"]["email"] == "bcooper@biglytics.net"
    assert first.next_cursor is not None and first.next_cursor.token == "514"
    assert first.checkpoint == Cursor(token="514", phase="list")  # resumable, no partial high-water

    second = await adapter.fetch_page(req.model_copy(update={"cursor": first.next_cursor}))
    assert api.sent()[1].url.params["after"] == "514"
    assert second.next_cursor is None
    # The newest updatedAt over the whole list, with the search-index lag.
    assert second.checkpoint == Cursor(start=T, boundary_ids=["513"], lag_seconds=60)


async def test_incremental_reads_archived_then_searches_past_the_boundary() -> None:
    api = (FakeApi()
           .on("GET", "archived=true", reply(200, hs("archived.json")))
           .on("POST", lambda r: r.url.path.endswith("/search") and b'"after"' in r.read(),
               reply(200, hs("search_page2.json")))
           .on("POST", "/crm/v3/objects/contacts/search", reply(200, hs("search_page1.json"))))
    adapter = make(api)
    req = FetchRequest(entity="contacts", cursor=Cursor(start=T, boundary_ids=["513"]), fields=["email"])

    deletions = await adapter.fetch_page(req)
    assert deletions.deleted_ids == ["515"]  # 401 was archived before the floor
    assert deletions.records == []
    assert deletions.checkpoint == Cursor(start=T, boundary_ids=["513"])
    assert deletions.next_cursor is not None and deletions.next_cursor.phase == "search"

    first = await adapter.fetch_page(req.model_copy(update={"cursor": deletions.next_cursor}))
    sent = body(api.sent("POST")[0])
    assert sent["filterGroups"] == [{"filters": [
        {"propertyName": "lastmodifieddate", "operator": "GTE", "value": "1709294400000"}]}]
    assert sent["sorts"] == [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}]
    assert sent["properties"] == ["email"] and "after" not in sent
    assert [r.id for r in first.records] == ["512"]  # 513 sits on the boundary: already delivered
    assert first.next_cursor is not None and first.next_cursor.token == "NTI1Cg%3D%3D"

    second = await adapter.fetch_page(req.model_copy(update={"cursor": first.next_cursor}))
    assert body(api.sent("POST")[1])["after"] == "NTI1Cg%3D%3D"
    assert [r.id for r in second.records] == ["516"]
    assert second.next_cursor is None
    assert second.checkpoint == Cursor(start=datetime(2024, 3, 2, 9, 0, tzinfo=UTC), boundary_ids=["516"],
                                       lag_seconds=60)


async def test_search_rewindows_before_the_10000_result_cap() -> None:
    api = FakeApi().on("POST", "/search", reply(200, hs("search_page1.json")))
    cursor = Cursor(start=T, boundary_ids=["513"], phase="search", query_start=T, token="9900", offset=9900)
    page = await make(api).fetch_page(FetchRequest(entity="contacts", cursor=cursor, page_size=100))
    nxt = page.next_cursor
    assert nxt is not None
    assert (nxt.token, nxt.offset, nxt.query_start) == (None, 0, datetime(2024, 3, 2, 8, 30, tzinfo=UTC))
    assert nxt.boundary_ids == ["512"]


async def test_create_and_idempotent_create_by_unique_property() -> None:
    api = (FakeApi()
           .on("POST", "/batch/upsert", reply(200, hs("batch_upsert.json")))
           .on("POST", "/crm/v3/objects/deals", reply(201, hs("object.json"))))
    adapter = make(api)
    plain = await adapter.create("deals", {"dealname": "Big"})
    assert (plain.external_id, plain.version, plain.created) == ("512", "2024-03-03T12:00:00.000Z", True)
    assert body(api.sent("POST")[0]) == {"properties": {"dealname": "Big"}}

    upserted = await adapter.create("contacts", {"email": "new@biglytics.net"}, idempotency_key="shard-42")
    assert (upserted.external_id, upserted.created) == ("517", True)
    expected = {"email": "new@biglytics.net", "castiel_id": "shard-42"}
    assert body(api.sent("POST")[1]) == {
        "inputs": [{"idProperty": "castiel_id", "id": "shard-42", "properties": expected}]}


async def test_update_checks_the_version_first() -> None:
    api = (FakeApi()
           .on("GET", "/crm/v3/objects/contacts/512", reply(200, hs("object.json")))
           .on("PATCH", "/crm/v3/objects/contacts/512", reply(200, hs("object.json"))))
    adapter = make(api)
    result = await adapter.update("contacts", "512", {"firstname": "B"},
                                  if_version="2024-03-03T12:00:00.000Z")
    assert result.version == "2024-03-03T12:00:00.000Z"
    assert body(api.sent("PATCH")[0]) == {"properties": {"firstname": "B"}}
    with pytest.raises(e.PreconditionFailed) as info:
        await adapter.update("contacts", "512", {"firstname": "B"}, if_version="2024-03-01T10:00:00.000Z")
    assert info.value.current_version == "2024-03-03T12:00:00.000Z"
    assert len(api.sent("PATCH")) == 1


async def test_delete_archives_and_a_missing_object_is_not_found() -> None:
    api = FakeApi().on("DELETE", "/crm/v3/objects/contacts/", reply(204),
                       reply(404, hs("error_not_found.json")))
    adapter = make(api)
    await adapter.delete("contacts", "512")
    with pytest.raises(e.NotFound):
        await adapter.delete("contacts", "999")


async def test_expired_token_refreshes_and_the_new_token_is_handed_back() -> None:
    api = (FakeApi()
           .on("POST", TOKEN_URL, reply(200, hs("token_refresh.json")))
           .on("GET", lambda r: r.headers.get("Authorization") == "Bearer old-token",
               reply(401, hs("error_expired.json")))
           .on("GET", "/crm/v3/objects/contacts", reply(200, hs("list_page2.json"))))
    saved: list[OAuthToken] = []
    page = await make(api, saved).fetch_page(FetchRequest(entity="contacts"))
    assert [r.id for r in page.records] == ["514"]
    assert saved[0].refresh_token == "6f18f21e-a743-4509-b7fd-1a5e632fffa1"
    form = parse_qs(api.sent("POST")[0].read().decode())
    assert form == {"grant_type": ["refresh_token"], "refresh_token": ["rt-1"], "client_id": ["cid"],
                    "client_secret": ["cs"]}


async def test_429_without_retry_after_waits_the_ten_second_window() -> None:
    sleeps = Sleeps()
    headers = {"X-HubSpot-RateLimit-Max": "100", "X-HubSpot-RateLimit-Remaining": "0",
               "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"}
    api = FakeApi().on("GET", "/crm/v3/objects/contacts", reply(429, hs("error_rate_limit.json"), headers),
                       reply(200, hs("list_page2.json")))
    page = await make(api, sleeps=sleeps).fetch_page(FetchRequest(entity="contacts"))
    assert sleeps.waits == [10.0] and len(page.records) == 1


async def test_503_with_retry_after_is_retried() -> None:
    sleeps = Sleeps()
    api = FakeApi().on("GET", "/crm/v3/objects/contacts", reply(503, None, {"Retry-After": "5"}),
                       reply(200, hs("list_page2.json")))
    await make(api, sleeps=sleeps).fetch_page(FetchRequest(entity="contacts"))
    assert sleeps.waits == [5.0]


async def test_validation_error_names_the_property() -> None:
    api = FakeApi().on("POST", "/crm/v3/objects/contacts", reply(400, hs("error_validation.json")))
    with pytest.raises(e.ValidationFailed) as info:
        await make(api).create("contacts", {"email": "bad"})
    assert info.value.field_errors == {"email": "Email address bad is invalid"}


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, content=b'{"results": [{"id": "512", "properties": {"email": "bc'),
        httpx.Response(200, json={"paging": {}}),
        httpx.Response(200, json={"results": [{"properties": {}}]}),
        httpx.Response(200, json=["not", "an", "object"]),
    ],
)
async def test_malformed_bodies_are_typed_errors(response: httpx.Response) -> None:
    api = FakeApi().on("GET", "/crm/v3/objects/contacts", response)
    with pytest.raises(e.MalformedResponse):
        await make(api).fetch_page(FetchRequest(entity="contacts", mode=FetchMode.FULL))


async def test_private_app_token_is_sent_as_bearer() -> None:
    api = FakeApi().on("GET", "/crm/v3/objects/contacts", reply(200, hs("list_page2.json")))
    credential = {"type": "bearer", "token": "pat-na1-123"}
    adapter = build_adapter("hubspot", {}, credential, transport=api.transport())
    await adapter.fetch_page(FetchRequest(entity="contacts"))
    assert api.sent()[0].headers["Authorization"] == "Bearer pat-na1-123"
