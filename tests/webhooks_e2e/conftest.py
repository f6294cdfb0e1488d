"""Webhook end-to-end driver: the sandbox, the webhook test app on devhost, a registration, signed posts."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.settings import Settings
from stores.factory import build_stores
from tests.conftest import ROOT, DevhostProcess, SandboxProcess
from tests.e2e.conftest import KEY, Engine

APP = Path(__file__).resolve().parent / "app"
ORG_ID = "00D5g000004AbCdEAF"
SF_SECRET = "sf-shared-secret"
HMAC_SECRET = "hmac-secret-value"


def generic_registration(integration_id: str, **overrides: Any) -> dict[str, Any]:
    """A generic HMAC-SHA256 registration (timestamped, hex) whose events carry the record under ``record``."""
    body: dict[str, Any] = {
        "provider": "acme", "integrationId": integration_id, "secret": HMAC_SECRET,
        "scheme": {"scheme": "generic_hmac", "header": "X-Signature", "prefix": "sha256=",
                   "timestampHeader": "X-Timestamp", "messagePrefix": "{timestamp}.",
                   "fields": {"events": "events", "eventType": "type", "entityType": "object",
                              "entityId": "id", "timestamp": "at"}},
        "recordPath": "record",
    }
    body.update(overrides)
    return body


def signed_headers(body: bytes, secret: str = HMAC_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Timestamp": ts, "X-Signature": f"sha256={digest}"}


def generic_body(*events: dict[str, Any]) -> bytes:
    return json.dumps({"events": list(events)}).encode()


@pytest.fixture
def webhook_engine(tmp_path: Path) -> Iterator[Engine]:
    """The sandbox (200 records) and the webhook test app on devhost, sharing one data dir."""
    yield from _engine(tmp_path, workers=1)


@pytest.fixture
def webhook_engine_workers(tmp_path: Path) -> Iterator[Engine]:
    """As ``webhook_engine``, with ``FUNCTIONS_WORKER_PROCESS_COUNT=2``: HTTP functions run in a second process."""
    yield from _engine(tmp_path, workers=2)


def _engine(tmp_path: Path, workers: int) -> Iterator[Engine]:
    sandbox = SandboxProcess("--records", "200").start()
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=data_dir)
    stores = build_stores(settings)
    env = {"CASTIEL_DATA_DIR": str(data_dir), "DEVHOST_FUNCTION_KEY": KEY, "PYTHONPATH": str(ROOT),
           "FUNCTIONS_WORKER_PROCESS_COUNT": str(workers)}
    host = DevhostProcess(APP, tmp_path / "hub", env).start()
    engine = Engine(sandbox, data_dir, host, stores, settings)
    engine.public = httpx.Client(base_url=host.url, timeout=30)  # type: ignore[attr-defined]
    try:
        yield engine
    finally:
        engine.public.close()  # type: ignore[attr-defined]
        engine.host.kill()
        engine.close()
        stores.close()
        sandbox.kill()
