"""Salesforce adapter against provider-shaped responses (fixtures from the REST API guide)."""

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

INSTANCE = "https://acme.my.salesforce.com"
TOKEN_URL = "https://login.salesforce.com/services/oauth2/token"
CONNECTION = {"instanceUrl": INSTANCE, "apiVersion": "v60.0", "tokenUrl": TOKEN_URL,
              "externalIdFields": {"Account": "Castiel_Id__c"}}
CREDENTIAL = {"type": "oauth2", "accessToken": "old-token", "refreshToken": "rt-1", "clientId": "cid",
              "clientSecret": "cs", "tokenUrl": TOKEN_URL}
NOW = datetime(2024, 3, 3, 12, 0, tzinfo=UTC)
LIMIT_HEADERS = {"Sforce-Limit-Info": "api-usage=18/100000"}


def sf(name: str):
    return fixture("salesforce", name)


def make(
    api: FakeApi, saved: list[OAuthToken] | None = None, sleeps: Sleeps | None = None
) -> ProviderAdapter:
    async def persist(token: OAuthToken) -> None:
        (saved if saved is not None else []).append(token)

    options = HttpOptions(policy=RetryPolicy(max_attempts=3), sleep=sleeps or Sleeps(), clock=lambda: NOW,
                          jitter=lambda: 0.0)
    return build_adapter("salesforce", CONNECTION, CREDENTIAL, on_token=persist, transport=api.transport(),
                         options=options)


def soql(request: httpx.Request) -> str:
    return parse_qs(request.url.query.decode())["q"][0]


async def test_full_fetch_follows_next_records_url_and_checkpoints_each_page() -> None:
    api = (FakeApi()
           .on("GET", "/query/01gRO0000016PIAYA2-2", reply(200, sf("query_page2.json"), LIMIT_HEADERS))
           .on("GET", "/services/data/v60.0/query?", reply(200, sf("query_page1.json"), LIMIT_HEADERS)))
    adapter = make(api)
    req = FetchRequest(entity="Account", mode=FetchMode.FULL, page_size=500, fields=["Name", "Owner.Email"])
    first = await adapter.fetch_page(req)

    sent = api.sent("GET")[0]
    assert soql(sent) == ("SELECT Id, SystemModstamp, LastModifiedDate, Name, Owner.Email FROM Account "
                          "ORDER BY SystemModstamp ASC, Id ASC")
    assert sent.headers["Sforce-Query-Options"] == "batchSize=500"
    assert sent.headers["Authorization"] == "Bearer old-token"
    assert [r.id for r in first.records] == ["001RO000001aAAAYA2", "001RO000001bBBBYA2"]
    assert first.records[0].data["Owner"]["Email"] == "owner@acme.example"
    assert first.records[0].version == "2024-03-01T10:00:00.000+0000"
    assert first.next_cursor is not None
    assert first.next_cursor.token == "/services/data/v60.0/query/01gRO0000016PIAYA2-2"
    assert first.checkpoint == Cursor(start=datetime(2024, 3, 1, 11, 30, tzinfo=UTC),
                                      boundary_ids=["001RO000001bBBBYA2"])
    assert first.limits is not None and (first.limits.daily_used, first.limits.daily_limit) == (18, 100000)

    second = await adapter.fetch_page(req.model_copy(update={"cursor": first.next_cursor}))
    assert str(api.sent("GET")[1].url) == f"{INSTANCE}/services/data/v60.0/query/01gRO0000016PIAYA2-2"
    assert [r.id for r in second.records] == ["001RO000001cCCCYA2"]
    assert second.next_cursor is None
    # Two records share the boundary timestamp: both are remembered for the closed boundary.
    assert second.checkpoint.boundary_ids == ["001RO000001bBBBYA2", "001RO000001cCCCYA2"]
    await adapter.aclose()


async def test_incremental_uses_query_all_skips_the_boundary_and_reports_deletions() -> None:
    api = FakeApi().on("GET", "/queryAll?", reply(200, sf("queryall_incremental.json")))
    adapter = make(api)
    cursor = Cursor(start=datetime(2024, 3, 1, 11, 30, tzinfo=UTC),
                    boundary_ids=["001RO000001bBBBYA2", "001RO000001cCCCYA2"], lag_seconds=60)
    page = await adapter.fetch_page(FetchRequest(entity="Account", cursor=cursor, fields=["Name"]))

    assert soql(api.sent()[0]) == (
        "SELECT Id, SystemModstamp, LastModifiedDate, IsDeleted, Name FROM Account "
        "WHERE SystemModstamp >= 2024-03-01T11:29:00Z ORDER BY SystemModstamp ASC, Id ASC")
    assert [r.id for r in page.records] == ["001RO000001aAAAYA2"]  # 001...c is at the boundary: seen
    assert page.deleted_ids == ["001RO000001bBBBYA2"]
    assert page.next_cursor is None
    assert page.checkpoint == Cursor(start=datetime(2024, 3, 2, 9, 0, tzinfo=UTC),
                                     boundary_ids=["001RO000001bBBBYA2"], lag_seconds=60)


async def test_expired_query_locator_restarts_from_the_high_water_mark() -> None:
    api = (FakeApi()
           .on("GET", "/query/01gRO0000016PIAYA2-2", reply(400, sf("error_invalid_query_locator.json")))
           .on("GET", "/queryAll?", reply(200, sf("queryall_incremental.json"))))
    adapter = make(api)
    cursor = Cursor(start=datetime(2024, 3, 1, 11, 30, tzinfo=UTC), boundary_ids=["001RO000001cCCCYA2"],
                    token="/services/data/v60.0/query/01gRO0000016PIAYA2-2", phase="queryAll")
    page = await adapter.fetch_page(FetchRequest(entity="Account", cursor=cursor))
    assert "SystemModstamp >= 2024-03-01T11:30:00Z" in soql(api.sent()[1])
    assert [r.id for r in page.records] == ["001RO000001aAAAYA2"]


async def test_get_deleted_lists_ids_in_the_window() -> None:
    api = FakeApi().on("GET", "/sobjects/Account/deleted/", reply(200, sf("get_deleted.json")))
    adapter = make(api)
    ids = await adapter.get_deleted("Account", datetime(2024, 3, 1, tzinfo=UTC), NOW)  # type: ignore[attr-defined]
    assert ids == ["001RO000001bBBBYA2", "001RO000001zZZZYA2"]
    assert api.sent()[0].url.params["start"] == "2024-03-01T00:00:00+00:00"


async def test_create_posts_and_reads_back_the_version() -> None:
    api = (FakeApi()
           .on("POST", "/sobjects/Account/", reply(201, sf("create_response.json")))
           .on("GET", "/sobjects/Account/001RO000001dDDDYA2", reply(200, sf("record_version.json"))))
    result = await make(api).create("Account", {"Name": "New Co"})
    assert (result.external_id, result.version, result.created) == (
        "001RO000001dDDDYA2", "2024-03-03T12:00:00.000+0000", True)
    assert api.sent("POST")[0].read() == b'{"Name":"New Co"}'


async def test_create_with_idempotency_key_upserts_by_external_id() -> None:
    api = (FakeApi()
           .on("PATCH", "/sobjects/Account/Castiel_Id__c/shard-42", reply(201, sf("upsert_created.json")),
               reply(200, sf("upsert_updated.json")))
           .on("GET", "/sobjects/Account/001RO000001eEEEYA2", reply(200, sf("record_version.json"))))
    adapter = make(api)
    first = await adapter.create("Account", {"Name": "New Co", "Castiel_Id__c": "shard-42"}, "shard-42")
    again = await adapter.create("Account", {"Name": "New Co"}, "shard-42")
    assert first.external_id == again.external_id == "001RO000001eEEEYA2"
    assert (first.created, again.created) == (True, False)
    assert api.sent("PATCH")[0].read() == b'{"Name":"New Co"}'  # the key lives in the URL, not the body


async def test_update_is_conditional_and_a_stale_version_is_precondition_failed() -> None:
    api = (FakeApi()
           .on("PATCH", "/sobjects/Account/001RO000001aAAAYA2", reply(204), reply(412))
           .on("GET", "/sobjects/Account/001RO000001aAAAYA2", reply(200, sf("record_version.json"))))
    adapter = make(api)
    result = await adapter.update("Account", "001RO000001aAAAYA2", {"Name": "Acme"},
                                  if_version="2024-03-01T10:00:00.000+0000")
    assert api.sent("PATCH")[0].headers["If-Unmodified-Since"] == "Fri, 01 Mar 2024 10:00:00 GMT"
    assert result.version == "2024-03-03T12:00:00.000+0000"
    with pytest.raises(e.PreconditionFailed):
        await adapter.update("Account", "001RO000001aAAAYA2", {"Name": "Acme"},
                             if_version="2024-03-01T10:00:00.000+0000")


async def test_delete_and_delete_of_a_missing_row() -> None:
    api = FakeApi().on("DELETE", "/sobjects/Account/", reply(204), reply(404, sf("error_not_found.json")))
    adapter = make(api)
    await adapter.delete("Account", "001RO000001aAAAYA2")
    with pytest.raises(e.NotFound):
        await adapter.delete("Account", "001RO000001aAAAYA2")


async def test_401_invalid_session_refreshes_once_and_persists_the_token() -> None:
    api = (FakeApi()
           .on("POST", TOKEN_URL, reply(200, sf("token_refresh.json")))
           .on("GET", lambda r: r.headers.get("Authorization") == "Bearer old-token",
               reply(401, sf("error_invalid_session.json")))
           .on("GET", "/query?", reply(200, sf("query_page2.json"))))
    saved: list[OAuthToken] = []
    page = await make(api, saved).fetch_page(FetchRequest(entity="Account", mode=FetchMode.FULL))
    assert [r.id for r in page.records] == ["001RO000001cCCCYA2"]
    assert [t.access_token for t in saved] == ["00DRO000000abcd!AQ0AQFresh"]
    assert saved[0].refresh_token == "rt-1"  # Salesforce without rotation returns no new refresh token
    assert parse_qs(api.sent("POST")[0].read().decode())["grant_type"] == ["refresh_token"]


async def test_401_after_refresh_is_auth_expired() -> None:
    api = (FakeApi()
           .on("POST", TOKEN_URL, reply(200, sf("token_refresh.json")))
           .on("GET", "/query?", reply(401, sf("error_invalid_session.json"))))
    with pytest.raises(e.AuthExpired):
        await make(api).fetch_page(FetchRequest(entity="Account"))
    assert len(api.sent("POST")) == 1


async def test_revoked_refresh_token_is_invalid_grant() -> None:
    api = (FakeApi()
           .on("POST", TOKEN_URL, reply(400, {"error": "invalid_grant",
                                              "error_description": "expired access/refresh token"}))
           .on("GET", "/query?", reply(401, sf("error_invalid_session.json"))))
    with pytest.raises(e.InvalidGrant):
        await make(api).fetch_page(FetchRequest(entity="Account"))


async def test_503_with_retry_after_is_retried_then_succeeds() -> None:
    sleeps = Sleeps()
    api = FakeApi().on("GET", "/query?", reply(503, None, {"Retry-After": "3"}),
                       reply(200, sf("query_page2.json")))
    page = await make(api, sleeps=sleeps).fetch_page(FetchRequest(entity="Account"))
    assert sleeps.waits == [3.0] and len(page.records) == 1


async def test_429_with_a_long_retry_after_is_raised_for_the_orchestrator() -> None:
    sleeps = Sleeps()
    api = FakeApi().on("GET", "/query?", reply(429, None, {"Retry-After": "120"}))
    with pytest.raises(e.RateLimited) as info:
        await make(api, sleeps=sleeps).fetch_page(FetchRequest(entity="Account"))
    assert info.value.retry_after == 120 and sleeps.waits == []


async def test_daily_limit_is_rate_limited_for_an_hour() -> None:
    api = FakeApi().on("GET", "/query?", reply(403, sf("error_request_limit.json")))
    with pytest.raises(e.RateLimited) as info:
        await make(api).fetch_page(FetchRequest(entity="Account"))
    assert info.value.retry_after == 3600 and info.value.status == 403


async def test_validation_errors_name_their_fields() -> None:
    api = FakeApi().on("POST", "/sobjects/Account/", reply(400, sf("error_required_field.json")))
    with pytest.raises(e.ValidationFailed) as info:
        await make(api).create("Account", {})
    assert info.value.field_errors == {"Name": "Required fields are missing: [Name]"}


async def test_bad_field_in_mapping_is_a_config_error() -> None:
    api = FakeApi().on("GET", "/query?", reply(400, sf("error_malformed_query.json")))
    with pytest.raises(e.ConfigError):
        await make(api).fetch_page(FetchRequest(entity="Account", fields=["Nmae"]))


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, content=b'{"totalSize": 3, "done": false, "records": [{"Id": "001'),
        httpx.Response(200, json={"totalSize": 1, "done": True}),
        httpx.Response(200, json={"totalSize": 1, "done": True, "records": [{"Name": "no id"}]}),
        httpx.Response(200, json={"totalSize": 2, "done": True, "records": [{"Id": "001A"}, "001B"]}),
        httpx.Response(200, json={"totalSize": 1, "done": True, "records": [[{"Id": "001A"}]]}),
        httpx.Response(200, json={"totalSize": 1, "done": True, "records": {"Id": "001A"}}),
        httpx.Response(200, json={"totalSize": 1, "done": True, "records": [{"Id": 1}]}),
        httpx.Response(200, content=b"<html>Service Unavailable</html>"),
    ],
)
async def test_malformed_bodies_are_typed_errors(response: httpx.Response) -> None:
    api = FakeApi().on("GET", "/query?", response)
    with pytest.raises(e.MalformedResponse):
        await make(api).fetch_page(FetchRequest(entity="Account"))


def test_query_rows_are_kept_as_decoded() -> None:
    from adapters.salesforce.paginate import QueryResult

    rows = [{"Id": "001A", "Owner": {"Email": "a@b.c"}}, {"Id": "001B"}]
    result = QueryResult.model_validate({"totalSize": 2, "done": True, "records": rows})
    assert result.records == rows and all(kept is row for kept, row in zip(result.records, rows, strict=True))


def test_injection_through_field_names_is_refused() -> None:
    from adapters.salesforce.soql import build_query

    with pytest.raises(e.ConfigError):
        build_query("Account", ["Name FROM User --"], "SystemModstamp", None, None, False)


def test_bad_connection_is_a_config_error() -> None:
    with pytest.raises(e.ConfigError):
        build_adapter("salesforce", {"instanceUrl": "acme"}, CREDENTIAL)


@pytest.mark.parametrize(
    ("connection", "message"),
    [
        ({"instanceUrl": "acme"}, "invalid Salesforce connection: Value error, instanceUrl must be an http(s) URL"),
        ({}, "invalid Salesforce connection: Field required"),
    ],
)
def test_bad_connection_names_the_problem(connection: dict[str, str], message: str) -> None:
    with pytest.raises(e.ConfigError) as info:
        build_adapter("salesforce", connection, CREDENTIAL)
    assert str(info.value) == message and info.value.provider == "salesforce"


def test_connection_urls_lose_the_trailing_slash_and_versions_gain_a_v() -> None:
    adapter = build_adapter("salesforce", {"instance_url": "https://acme.my.salesforce.com/", "apiVersion": "61.0"},
                            CREDENTIAL)
    assert adapter.connection.data_url("/query") == "https://acme.my.salesforce.com/services/data/v61.0/query"
