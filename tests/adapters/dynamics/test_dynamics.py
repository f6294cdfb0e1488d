"""Dataverse adapter against provider-shaped responses (fixtures from the powerapps-docs examples)."""

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
import pytest

from adapters.base import Cursor, FetchMode, FetchRequest, ProviderAdapter
from adapters.dynamics.adapter import row_id_for
from adapters.http.retry import RetryPolicy
from adapters.http.session import HttpOptions
from adapters.registry import build_adapter
from core import errors as e
from tests.adapters.support import FakeApi, Sleeps, fixture, reply

ORG = "https://contoso.crm.dynamics.com"
TOKEN_URL = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
CREDENTIAL = {"type": "oauth2_client_credentials", "clientId": "app-id", "clientSecret": "app-secret",
              "tokenUrl": TOKEN_URL}
NOW = datetime(2017, 8, 23, 12, 0, tzinfo=UTC)
ACCOUNT_ID = "00000000-0000-0000-0000-000000000001"


def dv(name: str):
    return fixture("dynamics", name)


def make(api: FakeApi, connection: dict | None = None, sleeps: Sleeps | None = None) -> ProviderAdapter:
    options = HttpOptions(policy=RetryPolicy(max_attempts=3), sleep=sleeps or Sleeps(), clock=lambda: NOW,
                          jitter=lambda: 0.0)
    api.on("POST", TOKEN_URL, reply(200, dv("token_client_credentials.json")))
    return build_adapter("dynamics", connection or {"instanceUrl": ORG}, CREDENTIAL,
                         transport=api.transport(), options=options)


async def test_initial_change_tracking_pages_to_a_delta_link() -> None:
    page1, page2 = dv("tracked_page1.json"), dv("tracked_page2.json")
    api = (FakeApi()
           .on("GET", "skiptoken", reply(200, page2))
           .on("GET", "/api/data/v9.2/accounts", reply(200, page1)))
    adapter = make(api)
    req = FetchRequest(entity="accounts", mode=FetchMode.FULL, page_size=2, fields=["name", "telephone1"])
    first = await adapter.fetch_page(req)

    token_call, sent = api.sent()[0], api.sent()[1]
    form = parse_qs(token_call.read().decode())
    assert form["grant_type"] == ["client_credentials"] and form["scope"] == [f"{ORG}/.default"]
    assert sent.headers["Authorization"].startswith("Bearer eyJ0eXAi")
    assert sent.headers["Prefer"] == "odata.track-changes, odata.maxpagesize=2"
    assert (sent.headers["OData-Version"], sent.headers["OData-MaxVersion"]) == ("4.0", "4.0")
    assert sent.url.params["$select"] == "accountid,modifiedon,name,telephone1"
    assert [r.id for r in first.records] == ["60c4e274-0d87-e711-80e5-00155db19e6d",
                                             "62c4e274-0d87-e711-80e5-00155db19e6d"]
    assert first.records[0].version == 'W/"4000062"'
    assert first.next_cursor is not None and first.next_cursor.token == page1["@odata.nextLink"]

    second = await adapter.fetch_page(req.model_copy(update={"cursor": first.next_cursor}))
    assert str(api.sent()[2].url) == page1["@odata.nextLink"]
    assert second.next_cursor is None
    assert second.checkpoint == Cursor(token=page2["@odata.deltaLink"])


async def test_delta_link_returns_changes_and_deleted_entities() -> None:
    delta = dv("tracked_page2.json")["@odata.deltaLink"]
    api = FakeApi().on("GET", "deltatoken=919042", reply(200, dv("delta_changes.json")))
    page = await make(api).fetch_page(FetchRequest(entity="accounts", cursor=Cursor(token=delta)))
    assert [r.id for r in page.records] == ["6b3aebf9-ff86-e711-80e5-00155db19e6d"]
    assert page.deleted_ids == ["60c4e274-0d87-e711-80e5-00155db19e6d"]
    assert page.checkpoint.token is not None and "deltatoken=919058" in page.checkpoint.token
    assert page.next_cursor is None


async def test_expired_delta_token_asks_for_a_full_resync() -> None:
    delta = dv("tracked_page2.json")["@odata.deltaLink"]
    api = FakeApi().on("GET", "deltatoken", reply(400, dv("error_expired_token.json")))
    page = await make(api).fetch_page(FetchRequest(entity="accounts", cursor=Cursor(token=delta)))
    assert page.resync_required and page.checkpoint == Cursor() and page.records == []


async def test_without_change_tracking_reads_a_modifiedon_window() -> None:
    api = FakeApi().on("GET", "/api/data/v9.2/accounts", reply(200, dv("windowed.json")))
    adapter = make(api, {"instanceUrl": ORG, "changeTracking": False})
    start = datetime(2017, 8, 22, 5, 13, 38, tzinfo=UTC)
    cursor = Cursor(start=start, boundary_ids=["62c4e274-0d87-e711-80e5-00155db19e6d"])
    page = await adapter.fetch_page(FetchRequest(entity="accounts", cursor=cursor, fields=["name"]))
    params = api.sent()[1].url.params
    assert params["$filter"] == "modifiedon ge 2017-08-22T05:13:38Z"
    assert params["$orderby"] == "modifiedon asc,accountid asc"
    assert api.sent()[1].headers["Prefer"] == "odata.maxpagesize=200"
    assert [r.id for r in page.records] == ["64c4e274-0d87-e711-80e5-00155db19e6d"]
    assert page.checkpoint.start == datetime(2017, 8, 22, 5, 13, 39, tzinfo=UTC)


async def test_create_returns_the_representation_and_idempotent_create_upserts() -> None:
    api = (FakeApi()
           .on("POST", "/api/data/v9.2/accounts", reply(201, dv("account.json")))
           .on("PATCH", "/api/data/v9.2/accounts(", reply(201, dv("account.json")),
               reply(200, dv("account.json"))))
    adapter = make(api)
    created = await adapter.create("accounts", {"name": "Sample Account"})
    assert (created.external_id, created.version, created.created) == (ACCOUNT_ID, 'W/"4000080"', True)
    assert api.sent("POST")[1].headers["Prefer"] == "return=representation"

    first = await adapter.create("accounts", {"name": "Sample Account"}, idempotency_key="shard-42")
    again = await adapter.create("accounts", {"name": "Sample Account"}, idempotency_key="shard-42")
    patches = api.sent("PATCH")
    assert patches[0].url == patches[1].url
    assert patches[0].url.path.endswith(f"/accounts({row_id_for('accounts', 'shard-42')})")
    assert "If-Match" not in patches[0].headers  # upsert: creates when missing
    assert (first.created, again.created) == (True, False)


async def test_update_sends_if_match_and_a_stale_etag_is_precondition_failed() -> None:
    api = FakeApi().on("PATCH", f"/accounts({ACCOUNT_ID})", reply(200, dv("account.json")),
                       reply(412, dv("error_precondition.json")))
    adapter = make(api)
    result = await adapter.update("accounts", ACCOUNT_ID, {"name": "x"}, if_version='W/"4000079"')
    assert api.sent("PATCH")[0].headers["If-Match"] == 'W/"4000079"'
    assert json.loads(api.sent("PATCH")[0].read()) == {"name": "x"}
    assert result.version == 'W/"4000080"'
    with pytest.raises(e.PreconditionFailed):
        await adapter.update("accounts", ACCOUNT_ID, {"name": "x"})
    assert api.sent("PATCH")[1].headers["If-Match"] == "*"  # never create a row by updating it


async def test_delete_and_missing_row() -> None:
    api = FakeApi().on("DELETE", "/accounts(", reply(204), reply(404, dv("error_not_found.json")))
    adapter = make(api)
    await adapter.delete("accounts", ACCOUNT_ID, if_version='W/"4000080"')
    assert api.sent("DELETE")[0].headers["If-Match"] == 'W/"4000080"'
    with pytest.raises(e.NotFound):
        await adapter.delete("accounts", ACCOUNT_ID)


async def test_401_gets_a_new_client_credentials_token_and_resends() -> None:
    api = (FakeApi()
           .on("GET", lambda r: r.headers.get("Authorization", "").endswith("stale"), reply(401))
           .on("GET", "/accounts", reply(200, dv("tracked_page2.json"))))
    credential = {**CREDENTIAL, "accessToken": "stale", "expiresAt": "2017-08-23T13:00:00Z"}
    api.on("POST", TOKEN_URL, reply(200, dv("token_client_credentials.json")))
    adapter = build_adapter("dynamics", {"instanceUrl": ORG}, credential, transport=api.transport(),
                            options=HttpOptions(clock=lambda: NOW))
    page = await adapter.fetch_page(FetchRequest(entity="accounts"))
    assert len(page.records) == 1 and len(api.sent("POST")) == 1


async def test_service_protection_429_honours_retry_after() -> None:
    sleeps = Sleeps()
    api = FakeApi().on("GET", "/accounts",
                       reply(429, dv("error_service_protection.json"), {"Retry-After": "7"}),
                       reply(200, dv("tracked_page2.json"),
                             {"x-ms-ratelimit-burst-remaining-xrm-requests": "5990"}))
    page = await make(api, sleeps=sleeps).fetch_page(FetchRequest(entity="accounts"))
    assert sleeps.waits == [7.0]
    assert page.limits is not None and page.limits.remaining == 5990


async def test_service_protection_with_a_long_wait_goes_to_the_orchestrator() -> None:
    throttled = reply(429, dv("error_service_protection.json"), {"Retry-After": "300"})
    api = FakeApi().on("GET", "/accounts", throttled)
    with pytest.raises(e.RateLimited) as info:
        await make(api).fetch_page(FetchRequest(entity="accounts"))
    assert info.value.retry_after == 300


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, content=b'{"value": [{"accountid": "60c4e274'),
        httpx.Response(200, json={"value": [{"name": "no key"}], "@odata.deltaLink": "x"}),
        httpx.Response(200, json={"value": []}),
        httpx.Response(200, json={"error": "not a collection"}),
    ],
)
async def test_malformed_bodies_are_typed_errors(response: httpx.Response) -> None:
    api = FakeApi().on("GET", "/accounts", response)
    with pytest.raises(e.MalformedResponse):
        await make(api).fetch_page(FetchRequest(entity="accounts"))


def test_primary_key_rules() -> None:
    from adapters.dynamics.spec import DATAVERSE

    assert DATAVERSE.primary_key("opportunities", {}) == "opportunityid"
    assert DATAVERSE.primary_key("new_projects", {}) == "new_projectid"
    assert DATAVERSE.primary_key("new_categories", {}) == "new_categoryid"
    assert DATAVERSE.primary_key("accounts", {"accounts": "customid"}) == "customid"
