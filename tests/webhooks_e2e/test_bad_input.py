"""Bad input over HTTP: each status, none stored as an event, every one audited, no secret in the audit."""

from __future__ import annotations

import json
import time

from tests.e2e.conftest import Engine, salesforce_integration
from tests.webhooks_e2e.conftest import HMAC_SECRET, generic_body, generic_registration, signed_headers

TENANT, INTEGRATION = "t1", "sf1"
EVENT = {"id": "001BAD0000000001", "type": "account.updated", "object": "Account", "record": {"Name": "X"}}


def _setup(engine: Engine, **registration: object) -> None:
    engine.add_integration(TENANT, INTEGRATION, salesforce_integration(engine.sandbox.url))
    r = engine.client.put(f"/api/tenants/{TENANT}/webhooks/acme-1",
                          json=generic_registration(INTEGRATION, **registration))
    assert r.status_code == 201, r.text


def _post(engine: Engine, body: bytes, headers: dict[str, str], path: str = "/api/webhooks/acme/acme-1"):
    return engine.public.post(path, content=body, headers=headers)


def test_each_bad_input_gets_its_status_is_audited_and_never_stored(webhook_engine) -> None:
    engine = webhook_engine
    _setup(engine)
    body = generic_body(EVENT)
    good = signed_headers(body)
    cases = {
        "bad signature": (401, _post(engine, body, signed_headers(body, secret="wrong-secret"))),
        "tampered body": (401, _post(engine, body.replace(b'"X"', b'"Y"'), good)),
        "stale timestamp": (401, _post(engine, body, signed_headers(body, timestamp=int(time.time()) - 3600))),
        "missing header": (401, _post(engine, body, {"Content-Type": "application/json"})),
        "malformed body": (400, _post(engine, b'{"events": [{"id": 1', signed_headers(b'{"events": [{"id": 1'))),
        "unknown registration": (404, _post(engine, body, good, "/api/webhooks/acme/nope")),
        "wrong provider": (404, _post(engine, body, good, "/api/webhooks/github/acme-1")),
        "too large": (413, _post(engine, b" " * (1024 * 1024 + 1), good)),
        "wrong content type": (415, _post(engine, body, {**good, "Content-Type": "text/plain"})),
    }
    for name, (expected, reply) in cases.items():
        assert reply.status_code == expected, (name, reply.status_code, reply.text)
        assert reply.json()["error"]["code"], name
    assert engine.stores.webhooks.list_pending(TENANT) == []
    assert engine.stores.audit.list(TENANT, "webhook.received") == []
    rejected = engine.stores.audit.list(TENANT, "webhook.rejected")
    assert sorted(r.details["status"] for r in rejected) == [400, 401, 401, 401, 401, 404, 413, 415]
    unrouted = engine.stores.audit.list("system", "webhook.rejected")
    assert [r.details["status"] for r in unrouted] == [404]
    dumped = json.dumps([r.model_dump(mode="json") for r in rejected + unrouted])
    assert HMAC_SECRET not in dumped and "sha256=" not in dumped


def test_over_the_registration_rate_is_429_and_audited_as_a_count(webhook_engine) -> None:
    engine = webhook_engine
    _setup(engine, rateLimit={"requestsPerSecond": 0.01, "burst": 2})
    statuses = []
    for n in range(5):
        body = generic_body({**EVENT, "id": f"001RATE000000{n:03d}"})
        statuses.append(_post(engine, body, signed_headers(body)).status_code)
    assert statuses == [200, 200, 429, 429, 429]
    assert len(engine.stores.webhooks.list_pending(TENANT)) + len(
        engine.stores.audit.list(TENANT, "webhook.processed")) >= 1
    limited = [r for r in engine.stores.audit.list(TENANT, "webhook.rejected") if r.details["status"] == 429]
    assert sum(r.details["count"] for r in limited) >= 1  # paced: one record per second stands for many


def test_registration_secret_is_write_only_and_ids_are_unique_across_tenants(webhook_engine) -> None:
    engine = webhook_engine
    _setup(engine)
    shown = engine.client.get(f"/api/tenants/{TENANT}/webhooks/acme-1")
    assert shown.status_code == 200
    assert shown.json()["hasSecret"] is True and HMAC_SECRET not in shown.text
    assert shown.json()["url"] == "/api/webhooks/acme/acme-1"
    engine.add_integration("t2", "sf2", salesforce_integration(engine.sandbox.url))
    taken = engine.client.put("/api/tenants/t2/webhooks/acme-1", json=generic_registration("sf2"))
    assert taken.status_code == 409
    assert engine.client.get("/api/tenants/t2/webhooks/acme-1").status_code == 404
    invalid = engine.client.put(f"/api/tenants/{TENANT}/webhooks/acme-2",
                                json=generic_registration(INTEGRATION, scheme={"scheme": "generic_hmac"}))
    assert invalid.status_code == 422 and invalid.json()["error"]["details"][0]["field"].startswith("scheme")
    unknown = engine.client.put(f"/api/tenants/{TENANT}/webhooks/acme-3", json=generic_registration("nope"))
    assert unknown.status_code == 404
    no_key = engine.public.put(f"/api/tenants/{TENANT}/webhooks/acme-4", json=generic_registration(INTEGRATION))
    assert no_key.status_code == 401
    # replaced without a secret: the stored one is kept and deliveries still verify
    kept = engine.client.put(f"/api/tenants/{TENANT}/webhooks/acme-1",
                             json={k: v for k, v in generic_registration(INTEGRATION).items() if k != "secret"})
    assert kept.status_code == 200 and kept.json()["hasSecret"] is True
    body = generic_body(EVENT)
    assert _post(engine, body, signed_headers(body)).status_code == 200
    assert engine.client.delete(f"/api/tenants/{TENANT}/webhooks/acme-1").status_code == 204
    assert _post(engine, body, signed_headers(body)).status_code == 404
