"""Webhook receiver load test: signed deliveries at increasing rates against devhost, then a loss check.

Run: `.venv/bin/python bench/webhooks.py [--rates 250,500,1000] [--seconds 5] [--events-per-delivery 1]
[--duplicates 0.05] [--workers 1]`. Starts devhost on the webhook app with a fresh task hub and data dir, registers a
generic HMAC-SHA256 endpoint (timestamped, hex) for one integration through the API, and posts deliveries
from this process over loopback (open loop: sends are scheduled at the offered rate, at most
``--in-flight`` outstanding, over keep-alive HTTP/1.1 connections). Each delivery carries
``--events-per-delivery`` record events (providers batch: HubSpot up to 100 per request, Salesforce
outbound messages up to 100); rates are in events/s.
A share of the deliveries are redeliveries of an acknowledged one. Each phase's requests are signed
(real HMAC-SHA256 over the exact bytes sent) before the phase starts.

Prints, per rate: offered and sustained accepted events/s, deliveries/s, p50/p99/max acknowledgement
latency, non-2xx count. Then the loss check, once the drainer is idle: every acknowledged event id appears
in exactly one ``webhook.processed`` audit record, none is still pending in the inbox, and no event was
received as new twice. Processing (the drainer's orchestration and activities) runs in the devhost process
while the load runs; with ``--workers N`` (devhost's FUNCTIONS_WORKER_PROCESS_COUNT) the receiver function
runs in N - 1 worker processes beside it.
Targets (2 cores): >= 1,000 verified events/s, p99 < 50 ms, zero lost.

The load generator shares the two cores with devhost, while a provider sends from its own machines: it
writes each request's bytes (made before the phase) to a pooled connection and reads the status line and
the ``Content-Length`` body back (``LoopbackPool``), about a third of the CPU that an aiohttp client
session spent per request, CPU the receiver then had for itself.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hashlib
import hmac
import json
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.settings import Settings  # noqa: E402
from stores.factory import Stores, build_stores  # noqa: E402
from tests.conftest import DevhostProcess  # noqa: E402  (the shared process driver)
from tests.e2e.conftest import salesforce_integration  # noqa: E402

APP = ROOT / "tests" / "webhooks_e2e" / "app"
KEY = "bench-key"
TENANT, INTEGRATION, REGISTRATION = "bench", "i1", "bench-hook"
SECRET = "bench-webhook-secret"
RECORDS = 2000


@dataclass
class Phase:
    rate: int
    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    wall: float = 0.0


def _event_ids(delivery_id: str, per_delivery: int) -> list[str]:
    """The inbox event ids of a delivery: its id, or ``id#n`` per event when it carries several."""
    return [delivery_id] if per_delivery == 1 else [f"{delivery_id}#{k}" for k in range(per_delivery)]


RESIGN_AFTER_SECONDS = 240  # the registration's timestamp window is 300 s


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection with at most one request outstanding."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.reply: asyncio.Future[int] | None = None
        self.usable = True
        self._buffer = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self._buffer[:end]).lower()
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and b"close" in value:
                self.usable = False
        if len(self._buffer) < end + 4 + length:
            return
        del self._buffer[:end + 4 + length]
        if self.reply is not None and not self.reply.done():
            self.reply.set_result(int(head[9:12]))

    def connection_lost(self, exc: Exception | None) -> None:
        self.usable = False
        if self.reply is not None and not self.reply.done():
            self.reply.set_exception(ConnectionError("the connection closed before the reply"))


class LoopbackPool:
    """POSTs of prepared request bytes over reused connections; the reply's status (0: no reply)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._idle: list[_Connection] = []

    async def send(self, request: bytes) -> int:
        loop = asyncio.get_running_loop()
        try:
            if self._idle:
                conn = self._idle.pop()
            else:
                _, conn = await loop.create_connection(_Connection, self.host, self.port)
            assert conn.transport is not None
            conn.reply = loop.create_future()
            conn.transport.write(request)
            status = await conn.reply
        except (OSError, ConnectionError):
            return 0
        if conn.usable:
            self._idle.append(conn)
        return status

    def close(self) -> None:
        for conn in self._idle:
            if conn.transport is not None:
                conn.transport.close()
        self._idle.clear()


def _http_request(path: str, host: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items()),
             f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Signer:
    """Signed deliveries, made before a phase starts so that signing costs the load generator nothing
    while it sends (it shares the machine's two cores with devhost); a redelivery reuses its request."""

    def __init__(self, per_delivery: int, path: str, host: str) -> None:
        self.per_delivery, self.path, self.host = per_delivery, path, host
        self._made: dict[int, tuple[float, bytes]] = {}

    def prepare(self, numbers: range) -> None:
        for n in numbers:
            body, headers = _signed(f"evt-{n}", n, self.per_delivery)
            self._made[n] = (time.monotonic(), _http_request(self.path, self.host, body, headers))

    def request(self, n: int) -> bytes:
        """The request's bytes as sent: request line, headers, body."""
        made = self._made.get(n)
        if made is None or time.monotonic() - made[0] > RESIGN_AFTER_SECONDS:
            self.prepare(range(n, n + 1))
            made = self._made[n]
        return made[1]


def _signed(event_id: str, n: int, per_delivery: int) -> tuple[bytes, dict[str, str]]:
    events = [{"id": f"001BENCH{(n * per_delivery + k) % RECORDS:08d}", "type": "account.updated",
               "object": "Account", "record": {"Name": f"Name {n}.{k}", "Industry": "Bench"}}
              for k in range(per_delivery)]
    body = json.dumps({"events": events}).encode()
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json", "X-Timestamp": ts, "X-Signature": f"sha256={digest}",
                  "X-Event-Id": event_id}


def _setup(host_url: str) -> None:
    with httpx.Client(base_url=host_url, timeout=30, headers={"x-functions-key": KEY}) as client:
        r = client.put(f"/api/tenants/{TENANT}/integrations/{INTEGRATION}",
                       json=salesforce_integration("https://bench.invalid"))
        assert r.status_code == 201, r.text
        registration = {
            "provider": "acme", "integrationId": INTEGRATION, "secret": SECRET, "recordPath": "record",
            "rateLimit": {"requestsPerSecond": 100000, "burst": 100000},
            "scheme": {"scheme": "generic_hmac", "header": "X-Signature", "prefix": "sha256=",
                       "timestampHeader": "X-Timestamp", "messagePrefix": "{timestamp}.",
                       "eventIdHeader": "X-Event-Id",
                       "fields": {"events": "events", "entityType": "object"}},
        }
        r = client.put(f"/api/tenants/{TENANT}/webhooks/{REGISTRATION}", json=registration)
        assert r.status_code == 201, r.text


async def _run_phase(pool: LoopbackPool, path: str, phase: Phase, seconds: float, in_flight: int,
                     duplicates: float, acked: set[str], counter: list[int], per_delivery: int) -> None:
    gate = asyncio.Semaphore(in_flight)
    order: list[str] = []
    delivered: set[str] = set()
    every = max(1, round(1 / duplicates)) if duplicates else 0
    deliveries_per_second = phase.rate / per_delivery
    total = int(deliveries_per_second * seconds)
    tasks = []

    signer = Signer(per_delivery, path, f"{pool.host}:{pool.port}")
    signer.prepare(range(counter[0] + 1, counter[0] + total + 1))

    async def one(event_id: str, n: int) -> None:
        request = signer.request(n)
        started = time.perf_counter()
        try:
            status = await pool.send(request)
        finally:
            gate.release()
        phase.latencies.append(time.perf_counter() - started)
        phase.statuses[status] += 1
        if 200 <= status < 300 and event_id not in delivered:
            delivered.add(event_id)
            acked.update(_event_ids(event_id, per_delivery))
            order.append(event_id)

    begin = time.perf_counter()
    for i in range(total):
        due = begin + i / deliveries_per_second
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await gate.acquire()
        if every and order and i % every == 0:
            event_id = order[(i // every) % len(order)]  # a redelivery of an acknowledged event
            n = int(event_id.split("-")[1])
        else:
            counter[0] += 1
            n = counter[0]
            event_id = f"evt-{n}"
        tasks.append(asyncio.create_task(one(event_id, n)))
        phase.sent += 1
    await asyncio.gather(*tasks)
    phase.wall = time.perf_counter() - begin


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def _load(url: str, rates: list[int], seconds: float, in_flight: int, duplicates: float,
                per_delivery: int, workers: int) -> set[str]:
    acked: set[str] = set()
    counter = [0]
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    pool = LoopbackPool(parts.hostname, parts.port)
    try:
        warm = Phase(rate=100)
        await _run_phase(pool, parts.path, warm, 1.0, in_flight, 0.0, acked, counter, 1)  # imports, connections
        print(f"events per delivery: {per_delivery}; worker processes: {workers}")
        print(f"{'offered ev/s':>12} {'accepted ev/s':>13} {'deliveries/s':>12} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'max ms':>7} {'non-2xx':>7}")
        for rate in rates:
            phase = Phase(rate=rate)
            await _run_phase(pool, parts.path, phase, seconds, in_flight, duplicates, acked, counter, per_delivery)
            ok = sum(n for s, n in phase.statuses.items() if 200 <= s < 300)
            print(f"{rate:>12} {ok * per_delivery / phase.wall:>13.0f} {ok / phase.wall:>12.0f} "
                  f"{_percentile(phase.latencies, 0.5) * 1000:>7.1f} {_percentile(phase.latencies, 0.99) * 1000:>7.1f} "
                  f"{max(phase.latencies) * 1000:>7.1f} {phase.sent - ok:>7}")
    finally:
        pool.close()
    return acked


def _loss_check(stores: Stores, acked: set[str], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while stores.webhooks.list_pending(TENANT, REGISTRATION, limit=1) and time.monotonic() < deadline:
        time.sleep(0.5)
    pending = len(stores.webhooks.list_pending(TENANT, REGISTRATION, limit=1_000_000))
    processed = Counter(e for r in stores.audit.list(TENANT, "webhook.processed", limit=1_000_000)
                        for e in r.details["eventIds"])
    received = stores.audit.list(TENANT, "webhook.received", limit=1_000_000)
    new_ids = Counter(e for r in received for e in r.details["eventIds"])
    lost = acked - processed.keys()
    twice = [e for e, n in processed.items() if n > 1]
    unexpected = processed.keys() - acked
    print(f"acknowledged unique events: {len(acked)}; deliveries audited: {len(received)}; "
          f"still pending: {pending}")
    print(f"processed: {len(processed)}; lost: {len(lost)}; processed more than once: {len(twice)}; "
          f"processed but never acknowledged: {len(unexpected)}; "
          f"received as new more than once: {sum(1 for n in new_ids.values() if n > 1)}")
    return not lost and not twice and not pending


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="250,500,1000,1500")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--in-flight", type=int, default=256)
    parser.add_argument("--duplicates", type=float, default=0.05)
    parser.add_argument("--events-per-delivery", type=int, default=1)
    parser.add_argument("--drain-timeout", type=float, default=180.0)
    parser.add_argument("--drain-rate", type=float, default=None,
                        help="the drainer's pace through a backlog, events/s (default: the engine's setting)")
    parser.add_argument("--app", type=Path, default=APP)
    parser.add_argument("--workers", type=int, default=1,
                        help="devhost's FUNCTIONS_WORKER_PROCESS_COUNT: language worker processes (HTTP functions "
                             "run in the N - 1 beyond the host's own)")
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        env = {"CASTIEL_DATA_DIR": str(data_dir), "DEVHOST_FUNCTION_KEY": KEY, "PYTHONPATH": str(ROOT),
               "FUNCTIONS_WORKER_PROCESS_COUNT": str(args.workers)}
        if args.drain_rate is not None:
            env["CASTIEL_WEBHOOK_DRAIN_EVENTS_PER_SECOND"] = str(args.drain_rate)
        host = DevhostProcess(args.app, Path(tmp) / "hub", env).start()
        stores = build_stores(Settings(data_dir=data_dir))
        try:
            _setup(host.url)
            url = f"{host.url}/api/webhooks/acme/{REGISTRATION}"
            started = time.perf_counter()
            # The load generator's own collections would show up as acknowledgement latency: none while it
            # sends (the phases are bounded; what they allocate is collected after).
            gc.collect()
            gc.disable()
            try:
                acked = asyncio.run(_load(url, rates, args.seconds, args.in_flight, args.duplicates,
                                          args.events_per_delivery, args.workers))
            finally:
                gc.enable()
            ok = _loss_check(stores, acked, args.drain_timeout)
            print(f"drained in {time.perf_counter() - started:.1f} s after the first delivery; "
                  f"loss check {'PASSED' if ok else 'FAILED'}")
        finally:
            host.kill()
            stores.close()
        if not ok:
            sys.exit(1)


if __name__ == "__main__":
    main()
