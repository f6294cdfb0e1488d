"""ProviderHttp: typed errors for every failure, limits recorded, short waits retried."""

from datetime import UTC, datetime

import httpx
import pytest
from pydantic import BaseModel

from adapters.http.limits import salesforce
from adapters.http.retry import RetryPolicy
from adapters.http.session import HttpOptions, ProviderHttp, parse_model, read_json
from adapters.http.status import error_for_response
from core import errors as e

NOW = datetime(2024, 5, 30, 12, 0, tzinfo=UTC)
URL = "https://acme.my.salesforce.com/services/data/v60.0/limits"


def make(handler, slept: list[float]) -> ProviderHttp:
    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    options = HttpOptions(policy=RetryPolicy(max_attempts=3), sleep=sleep, clock=lambda: NOW,
                          jitter=lambda: 0.0)
    return ProviderHttp(
        client, provider="salesforce", parse_limits=salesforce, options=options,
        classify=lambda r: error_for_response(r, "salesforce", "failed", NOW),
    )


def sequence(*responses: httpx.Response | Exception):
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler


async def test_429_with_retry_after_is_slept_then_succeeds_and_limits_are_recorded() -> None:
    slept: list[float] = []
    http = make(sequence(
        httpx.Response(429, headers={"Retry-After": "2"}),
        httpx.Response(200, json={"ok": 1}, headers={"Sforce-Limit-Info": "api-usage=5/100000"}),
    ), slept)
    assert await http.json("GET", URL) == {"ok": 1}
    assert slept == [2.0]
    assert http.last_limits is not None and http.last_limits.daily_used == 5


async def test_long_retry_after_goes_to_the_orchestrator_unslept() -> None:
    slept: list[float] = []
    http = make(sequence(httpx.Response(503, headers={"Retry-After": "600"})), slept)
    with pytest.raises(e.ServiceUnavailable) as info:
        await http.request("GET", URL)
    assert slept == [] and info.value.retry_after == 600 and info.value.status == 503


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (httpx.ReadTimeout("slow"), e.Timeout),
        (httpx.ConnectTimeout("slow"), e.Timeout),
        (httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
         e.ConnectionReset),
        (httpx.ConnectError("refused"), e.ConnectionReset),
    ],
)
async def test_transport_failures_are_typed_and_retried(failure, error) -> None:
    slept: list[float] = []
    http = make(sequence(failure, failure, failure), slept)
    with pytest.raises(error):
        await http.request("GET", URL)
    assert slept == [0.25, 0.5]


async def test_post_is_not_resent_after_a_500() -> None:
    slept: list[float] = []
    http = make(sequence(httpx.Response(500), httpx.Response(201)), slept)
    with pytest.raises(e.ServiceUnavailable):
        await http.request("POST", URL, json={})
    assert slept == []


async def test_post_is_resent_after_a_429() -> None:
    slept: list[float] = []
    http = make(sequence(httpx.Response(429, headers={"Retry-After": "1"}), httpx.Response(201)), slept)
    assert (await http.request("POST", URL, json={})).status_code == 201


@pytest.mark.parametrize("body", [b'{"records": [{"Id": "001', b"<html>maintenance</html>", b"\xff\xfe"])
async def test_truncated_or_foreign_bodies_are_malformed_responses(body: bytes) -> None:
    http = make(sequence(httpx.Response(200, content=body)), [])
    with pytest.raises(e.MalformedResponse):
        await http.json("GET", URL)


def test_empty_body_reads_as_none_and_shape_is_checked() -> None:
    assert read_json(httpx.Response(204), "x") is None

    class Shape(BaseModel):
        done: bool

    assert parse_model({"done": True}, Shape, "x").done is True
    with pytest.raises(e.MalformedResponse):
        parse_model({"done": "perhaps"}, Shape, "x")
