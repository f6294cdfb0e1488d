"""Rate, daily quota and injected faults, with the providers' limit responses and headers."""

from tests.sandbox.conftest import Sandbox, SandboxFactory

Q = {"q": "SELECT Id FROM Account LIMIT 1"}


async def _statuses(sandbox: Sandbox, n: int) -> list[int]:
    return [(await sandbox.sf("GET", "/query", params=Q)).status for _ in range(n)]


async def test_over_the_rate_gives_403_request_limit_exceeded(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(rate_limit=5)
    assert await _statuses(sandbox, 5) == [200] * 5
    response = await sandbox.sf("GET", "/query", params=Q)
    assert response.status == 403
    assert (await response.json())[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    sandbox.clock.advance(0.2)  # one token back at 5/s
    assert await _statuses(sandbox, 2) == [200, 403]
    sandbox.clock.advance(1.0)
    assert await _statuses(sandbox, 5) == [200] * 5
    counters = await sandbox.admin("GET", "/counters")
    assert counters["limit_errors"]["salesforce"] == 2
    assert counters["api_usage"]["salesforce"] == 11  # refused calls do not count against the quota
    start = int(sandbox.clock.now) - 1
    assert counters["timeline"]["salesforce"] == [[start, 6, 2, 0], [start + 1, 5, 0, 0]]


async def test_429_mode_sends_retry_after(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(rate_limit=2, salesforce_limit_status=429)
    await _statuses(sandbox, 2)
    response = await sandbox.sf("GET", "/query", params=Q)
    assert response.status == 429
    assert response.headers["Retry-After"] == "1"
    assert (await response.json())[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"


async def test_limit_info_header_and_daily_quota(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(daily_limit=3, token_lifetime=200_000)
    seen = []
    for _ in range(4):
        response = await sandbox.sf("GET", "/query", params=Q)
        seen.append((response.status, response.headers["Sforce-Limit-Info"]))
    assert seen == [(200, "api-usage=1/3"), (200, "api-usage=2/3"), (200, "api-usage=3/3"),
                    (403, "api-usage=3/3")]
    sandbox.clock.advance(86_400)
    assert (await sandbox.sf("GET", "/query", params=Q)).status == 200
    limits = await (await sandbox.sf("GET", "/limits")).json()
    assert limits == {"DailyApiRequests": {"Max": 3, "Remaining": 1}}


async def test_faults_are_deterministic_with_the_seed(make_sandbox: SandboxFactory) -> None:
    runs = []
    for seed in (7, 7, 8):
        sandbox = await make_sandbox(seed=seed, fault_rate=0.3)
        runs.append(await _statuses(sandbox, 60))
    assert runs[0] == runs[1] != runs[2]
    assert set(runs[0]) == {200, 503} and 8 <= runs[0].count(503) <= 30
    sandbox = await make_sandbox(fault_rate=1.0)
    response = await sandbox.sf("GET", "/query", params=Q)
    assert (await response.json())[0]["errorCode"] == "SERVER_UNAVAILABLE"
    assert (await sandbox.admin("GET", "/counters"))["faults"]["salesforce"] == 1


async def test_hubspot_burst_limit_headers_and_429(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(rate_limit=2)  # HubSpot counts bursts per 10 s: 20 calls per interval
    remaining = []
    for _ in range(20):
        response = await sandbox.hs("GET", "/objects/contacts")
        assert response.status == 200
        remaining.append(int(response.headers["X-HubSpot-RateLimit-Remaining"]))
    assert remaining == list(range(19, -1, -1))
    assert response.headers["X-HubSpot-RateLimit-Max"] == "20"
    assert response.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert "X-HubSpot-RateLimit-Daily" not in response.headers  # OAuth calls carry no daily headers
    response = await sandbox.hs("GET", "/objects/contacts")
    assert response.status == 429
    body = await response.json()
    assert (body["status"], body["category"], body["errorType"]) == ("error", "RATE_LIMITS", "RATE_LIMIT")
    assert body["policyName"] == "TEN_SECONDLY_ROLLING" and int(response.headers["Retry-After"]) >= 1


async def test_hubspot_search_has_its_own_limit(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(hubspot_search_rate_limit=4)
    statuses = [(await sandbox.hs("POST", "/objects/contacts/search", json={})).status for _ in range(5)]
    assert statuses == [200] * 4 + [429]
    assert (await sandbox.hs("GET", "/objects/contacts")).status == 200


async def test_per_operation_limits(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(operation_limits={"update": 3})
    record_id = (await (await sandbox.sf("POST", "/sobjects/Account", json={"Name": "Op"})).json())["id"]

    async def update() -> int:
        return (await sandbox.sf("PATCH", f"/sobjects/Account/{record_id}", json={"Phone": "1"})).status

    assert [await update() for _ in range(4)] == [204, 204, 204, 403]
    assert (await sandbox.sf("GET", "/query", params=Q)).status == 200  # reads have no limit here
    sandbox.clock.advance(20)  # 3 per minute: one more after 20 s
    assert [await update() for _ in range(2)] == [204, 403]
    await sandbox.admin("PATCH", "/options", {"operation_limits": {"create": 1}})
    assert (await sandbox.hs("POST", "/objects/companies", json={"properties": {"name": "a"}})).status == 201
    refused = await sandbox.hs("POST", "/objects/companies", json={"properties": {"name": "b"}})
    assert refused.status == 429
    assert (await refused.json())["policyName"] == "PER_OPERATION"
