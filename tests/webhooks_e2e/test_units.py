"""The receiver's parts without a host: rate buckets, audit pacing, group commit, intake checks, the sweep."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import azure.durable_functions as df
import pytest

from api.webhook_endpoints import AuditPacer, EndpointCache, RateLimiter, TokenBucket
from api.webhook_intake import Intake, media_allowed
from core.models import Integration, WebhookEvent, WebhookOperation
from core.settings import Settings
from services import Services, use_services
from stores.factory import SQLITE_FILE, Stores, build_stores
from stores.group_commit import GroupCommit
from stores.webhook_registrations import RateLimit, WebhookRegistration, webhook_secret_name
from stores.webhooks import InboxItem
from tests.e2e.conftest import salesforce_integration
from timers.webhook_drainer import DrainerStarter, sweep
from webhooks import RawRequest

SCHEME = {"scheme": "generic_hmac", "header": "X-Signature", "eventIdHeader": "X-Event-Id",
          "fields": {"events": "events", "entityType": "object"}}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def stores(tmp_path: Path) -> Any:
    built = build_stores(Settings(data_dir=tmp_path))
    integration = Integration.model_validate({**salesforce_integration("https://x.invalid"),
                                              "tenantId": "t1", "integrationId": "i1"})
    built.integrations.put("t1", "i1", integration)
    now = datetime.now(UTC)
    built.webhook_registrations.put(WebhookRegistration(
        tenant_id="t1", registration_id="r1", provider="acme", integration_id="i1", scheme=SCHEME,
        secret_fields=["secret"], record_path="record", rate_limit=RateLimit(requests_per_second=1000, burst=1000),
        created_at=now, updated_at=now))
    built.secrets.set(webhook_secret_name("t1", "r1", "secret"), "s3")
    yield built
    built.close()


def _request(n: int, **headers: str) -> RawRequest:
    body = json.dumps({"events": [{"id": f"00{n}", "type": "account.updated", "object": "Account",
                                   "record": {"Name": "N"}}]}).encode()
    signature = hmac.new(b"s3", body, hashlib.sha256).hexdigest()
    return RawRequest.build("POST", "http://h/api/webhooks/acme/r1",
                            {"Content-Type": "application/json", "X-Signature": signature, "X-Event-Id": f"e{n}",
                             **headers}, body)


def test_token_bucket_refills_at_its_rate_up_to_its_burst() -> None:
    bucket = TokenBucket(RateLimit(requests_per_second=2, burst=3), now=0.0)
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.take(0.5) and not bucket.take(0.5)
    assert [bucket.take(100.0) for _ in range(4)] == [True, True, True, False]
    clock = Clock()
    limiter = RateLimiter(clock)
    assert limiter.allow("a", RateLimit(requests_per_second=1, burst=1)) and not limiter.allow(
        "a", RateLimit(requests_per_second=1, burst=1))
    assert limiter.allow("b", RateLimit(requests_per_second=1, burst=1))  # per registration


def test_each_worker_process_enforces_its_share_of_a_registration_rate() -> None:
    clock = Clock()
    limit = RateLimit(requests_per_second=10, burst=10)
    shares = [RateLimiter(clock, processes=2) for _ in range(2)]  # two processes taking deliveries
    accepted = sum(limiter.allow("r", limit) for limiter in shares for _ in range(20))
    assert accepted == 10  # the registration's burst, not twice it
    clock.now = 1.0
    assert sum(limiter.allow("r", limit) for limiter in shares for _ in range(20)) == 10  # its rate per second
    assert RateLimiter(clock, processes=100).allow("tiny", RateLimit(requests_per_second=1, burst=1))


def test_audit_pacer_writes_one_record_per_interval_carrying_the_count() -> None:
    clock = Clock()
    pacer = AuditPacer(interval=1.0, clock=clock)
    assert [pacer.due("k") for _ in range(4)] == [1, 0, 0, 0]
    clock.now = 1.5
    assert pacer.due("k") == 4  # the three counted in, plus this one
    assert pacer.due("other") == 1


def test_media_types_per_scheme() -> None:
    assert media_allowed("generic_hmac", "application/json; charset=utf-8", b"{}")
    assert media_allowed("generic_hmac", "application/cloudevents+json", b"{}")
    assert not media_allowed("generic_hmac", "text/xml", b"<a/>")
    assert media_allowed("salesforce", "text/xml; charset=utf-8", b"<a/>")
    assert media_allowed("slack", "application/x-www-form-urlencoded", b"a=b")
    assert media_allowed("google_drive", "text/plain", b"")  # no body: the scheme decides
    assert media_allowed("github", None, b"{}")


async def test_group_commit_batches_concurrent_jobs_and_fails_a_batch_as_a_whole() -> None:
    opened: list[int] = []

    class Transaction:
        def __enter__(self) -> None:
            opened.append(1)

        def __exit__(self, *exc: object) -> None:
            return None

    commits = GroupCommit(Transaction)
    results = await asyncio.gather(*(commits.run(lambda n=n: n * 2) for n in range(50)))
    assert results == [n * 2 for n in range(50)]
    assert 1 <= len(opened) < 50  # batched
    assert await commits.run(threading.get_ident) == threading.get_ident()  # on the loop: no hop to a thread

    def boom() -> int:
        raise RuntimeError("store down")

    outcomes = await asyncio.gather(commits.run(lambda: 1), commits.run(boom), return_exceptions=True)
    assert all(isinstance(o, RuntimeError) for o in outcomes)  # nothing of the batch was committed
    commits.close()
    assert await GroupCommit(None).run(lambda: 7) == 7


async def test_intake_declared_length_over_the_limit_is_413_before_verification(stores: Stores) -> None:
    intake = Intake(stores, Settings(webhook_max_body_bytes=100))
    outcome = await intake.handle("acme", "r1", _request(1, **{"Content-Length": "5000"}))
    assert outcome.reply.status == 413
    ok = await Intake(stores, Settings()).handle("acme", "r1", _request(2))
    assert ok.reply.status == 200 and ok.drain == ("t1", "i1")
    again = await Intake(stores, Settings()).handle("acme", "r1", _request(2))
    assert again.reply.status == 200 and again.drain is None  # a redelivery: nothing new to drain
    assert [i.event_id for i in stores.webhooks.list_pending("t1")] == ["e2"]


def test_endpoint_cache_puts_secrets_back_and_forgets(stores: Stores) -> None:
    clock = Clock()
    cache = EndpointCache(stores, ttl=10, miss_ttl=1, clock=clock)
    endpoint = cache.get("r1")
    assert endpoint is not None and endpoint.config.secret.get_secret_value() == "s3"  # type: ignore[union-attr]
    assert "s3" not in repr(endpoint)
    assert cache.get("nope") is None
    stores.webhook_registrations.delete("t1", "r1")
    assert cache.get("r1") is not None  # cached
    cache.forget("r1")
    assert cache.get("r1") is None


class FakeClient:
    def __init__(self, running: set[str]) -> None:
        self.running = running
        self.started: list[str] = []
        self.status_reads = 0

    async def get_status(self, instance_id: str) -> Any:
        self.status_reads += 1
        running = instance_id in self.running
        return SimpleNamespace(runtime_status=df.OrchestrationRuntimeStatus.Running if running else None)

    async def start_new(self, name: str, instance_id: str | None = None, client_input: Any = None) -> str:
        assert instance_id is not None
        self.started.append(instance_id)
        self.running.add(instance_id)
        return instance_id


async def test_starter_starts_once_and_trusts_its_memo_briefly() -> None:
    clock = Clock()
    starter = DrainerStarter(memo_seconds=0.5, clock=clock)
    client = FakeClient(set())
    assert await starter.ensure(client, "t1", "i1")
    assert not await starter.ensure(client, "t1", "i1")
    assert client.started == ["webhooks:t1:i1"] and client.status_reads == 1
    clock.now = 1.0
    assert not await starter.ensure(client, "t1", "i1")
    assert client.status_reads == 2


async def test_concurrent_deliveries_share_one_status_read() -> None:
    clock = Clock()
    starter = DrainerStarter(memo_seconds=0.5, clock=clock)
    client = FakeClient({"webhooks:t1:i1"})
    results = await asyncio.gather(*(starter.ensure(client, "t1", "i1") for _ in range(50)))
    assert results == [False] * 50 and client.status_reads == 1 and client.started == []
    clock.now = 1.0
    client.running.clear()  # the drainer stopped: one of the next burst starts it, once
    results = await asyncio.gather(*(starter.ensure(client, "t1", "i1") for _ in range(50)))
    assert results.count(True) == 1 and client.status_reads == 2 and client.started == ["webhooks:t1:i1"]


async def test_sweep_starts_drainers_of_integrations_with_pending_events(stores: Stores) -> None:
    use_services(Services(settings=Settings(), stores=stores))
    try:
        client = FakeClient(set())
        assert await sweep(client, DrainerStarter()) == []
        await Intake(stores, Settings()).handle("acme", "r1", _request(3))
        assert await sweep(client, DrainerStarter()) == ["webhooks:t1:i1"]
        assert await sweep(client, DrainerStarter()) == []  # already running
    finally:
        use_services(None)


def test_listed_events_are_marked_processed_without_a_second_read(stores: Stores) -> None:
    now = datetime.now(UTC)
    event = WebhookEvent(integration_id="i1", tenant_id="t1", event_type="account.updated", entity_type="Account",
                         entity_id="001", operation=WebhookOperation.UPDATE, data={"a": 1}, timestamp=now)
    for n in range(3):
        assert stores.webhooks.insert_if_absent(InboxItem(tenant_id="t1", registration_id="r1", event_id=f"e{n}",
                                                          event=event, received_at=now))
    listed = stores.webhooks.list_pending("t1", "r1")
    stores.webhooks.mark_listed_processed(listed[:2], now)
    left = [i.event_id for i in stores.webhooks.list_pending("t1", "r1")]
    assert left == [listed[2].event_id]
    assert not stores.webhooks.insert_if_absent(listed[0])  # still there: a redelivery stays a duplicate
    stores.webhooks.mark_listed_processed(listed[:1], now)  # marking twice is harmless
    stores.webhooks.mark_processed("t1", "r1", left[0], now)
    assert stores.webhooks.list_pending("t1") == []


async def test_group_commit_waits_out_a_busy_write_lock_by_polling(tmp_path: Path, monkeypatch: Any) -> None:
    import sqlite3

    from stores import group_commit as module
    from stores.errors import StoreUnavailable

    built = build_stores(Settings(data_dir=tmp_path))
    commits = GroupCommit(built.transaction)
    try:
        def busy_timeout() -> int:
            assert built.transaction is not None
            with built.transaction() as conn:  # joins the batch's transaction, on the writer's connection
                return int(conn.execute("PRAGMA busy_timeout").fetchone()[0])

        assert await commits.run(busy_timeout) == 0  # polled by the writer, not slept on by SQLite
        other = sqlite3.connect(tmp_path / SQLITE_FILE, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")  # another connection (the drainer) holds the write lock
        threading.Timer(0.2, other.execute, ("COMMIT",)).start()
        assert await commits.run(lambda: 2) == 2  # not StoreUnavailable: it waited for the lock
        monkeypatch.setattr(module, "LOCK_WAIT_SECONDS", 0.05)
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreUnavailable):
            await commits.run(lambda: 3)
        other.execute("COMMIT")
        other.close()
    finally:
        commits.close()
        built.close()


def test_sweep_purges_processed_events_past_the_retention_only(stores: Stores, monkeypatch: Any) -> None:
    from datetime import timedelta

    from timers import webhook_drainer

    now = datetime.now(UTC)
    event = WebhookEvent(integration_id="i1", tenant_id="t1", event_type="account.updated", entity_type="Account",
                         entity_id="001", operation=WebhookOperation.UPDATE, data={}, timestamp=now)
    ages = {"old-done": 8, "old-done-2": 9, "old-pending": 10, "new-done": 1}
    for event_id, days in ages.items():
        stores.webhooks.insert_if_absent(InboxItem(tenant_id="t1", registration_id="r1", event_id=event_id,
                                                   event=event, received_at=now - timedelta(days=days)))
    done = [i for i in stores.webhooks.list_pending("t1", "r1") if i.event_id != "old-pending"]
    stores.webhooks.mark_listed_processed(done, now)
    monkeypatch.setattr(webhook_drainer, "PURGE_BATCH", 1)  # two batches of one
    use_services(Services(settings=Settings(), stores=stores))
    try:
        assert webhook_drainer.purge_inbox(now) == 2
        assert webhook_drainer.purge_inbox(now) == 0
    finally:
        use_services(None)
    assert [i.event_id for i in stores.webhooks.list_pending("t1")] == ["old-pending"]
    assert not stores.webhooks.insert_if_absent(done[-1])  # "new-done" is still there for deduplication
    assert stores.webhooks.insert_if_absent(InboxItem(tenant_id="t1", registration_id="r1", event_id="old-done",
                                                      event=event, received_at=now))  # purged: new again
