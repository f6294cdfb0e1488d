"""The token refresher on devhost against the sandbox: many generations with bounded history, one
singleton instance, invalid_grant -> needs_reauth -> re-supplied -> active, and no secret anywhere.

The tests of this module share one devhost and one sandbox and run in order. Generations are short
through settings (CASTIEL_TOKEN_REFRESH_*_SECONDS); the tests poll, they never sleep for a fixed time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.models import CredentialStatus, IntegrationState
from core.models.credentials import parse_credential
from core.settings import Settings
from orchestrators.token_refresher import REFRESHER_INSTANCE_ID, REFRESHER_NAME
from sandbox.app import DEFAULT_CLIENTS
from tests.conftest import ROOT, DevhostProcess, wait_for
from tests.credentials.conftest import TENANT, Harness, SandboxProcess, integration_body, oauth_credential

APP = Path(__file__).parent / "app"
KEY = "credentials-test-key"
STATUS = f"/runtime/webhooks/durabletask/instances/{REFRESHER_INSTANCE_ID}"
# Every access or refresh token the sandbox's HubSpot ever issues starts like this.
TOKEN_SHAPE = re.compile(r"CJSb[ar]t\.[A-Za-z0-9_-]{20,}")
CLIENT_SECRET = DEFAULT_CLIENTS["hubspot"][1]


def now() -> datetime:
    return datetime.now(UTC)


class Env:
    def __init__(self, base: Path, sandbox: SandboxProcess) -> None:
        self.base = base
        self.sandbox = sandbox
        self.settings = Settings(data_dir=base / "data")
        self.harness = Harness(self.settings, clock=now)
        self.host = DevhostProcess(APP, base / "hub", {
            "PYTHONPATH": str(ROOT), "DEVHOST_FUNCTION_KEY": KEY, "CASTIEL_DATA_DIR": str(base / "data"),
            "CASTIEL_TOKEN_REFRESH_INTERVAL_SECONDS": "0.3", "CASTIEL_TOKEN_REFRESH_THRESHOLD_SECONDS": "3600",
            "CASTIEL_TOKEN_REFRESH_MIN_INTERVAL_SECONDS": "0.3",
        })
        self.client = httpx.Client(timeout=15, headers={"x-functions-key": KEY})
        self.histories: list[dict[str, Any]] = []

    def status(self, history: bool = False) -> dict[str, Any]:
        params = {"showHistory": "true", "showHistoryOutput": "true", "showInput": "true"} if history else {}
        response = self.client.get(self.host.url + STATUS, params=params)
        assert response.status_code in (200, 202), response.text
        body: dict[str, Any] = response.json()
        if history:
            self.histories.append(body)
        return body

    def generation(self) -> int:
        response = self.client.get(self.host.url + STATUS)
        if response.status_code == 404:  # the startup timer has not started it yet
            return 0
        custom = response.json().get("customStatus") or {}
        return int(custom.get("generation", 0))

    def wait_generation(self, at_least: int, timeout: float = 20) -> dict[str, Any]:
        try:
            wait_for(lambda: self.generation() >= at_least, timeout)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- devhost output ---\n{self.host.log()[-4000:]}") from None
        return self.status(history=True)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    sandbox = SandboxProcess()
    # 1 s tokens: each is due for renewal halfway through its life, so refreshes follow each other fast.
    sandbox.configure(rotate_refresh_tokens=True, revoke_family_on_reuse=True, token_lifetime=1)
    e = Env(tmp_path_factory.mktemp("refresher"), sandbox)
    e.harness.add("hs1", oauth_credential(sandbox, "hubspot", now() + timedelta(seconds=1)),
                  integration_body(sandbox.url, "hubspot"))
    e.host.start()
    yield e
    e.client.close()
    e.host.stop()
    e.harness.stores.close()
    sandbox.stop()


def test_many_generations_refresh_with_bounded_history(env: Env) -> None:
    first = env.wait_generation(3)
    wait_for(lambda: (env.status().get("customStatus") or {}).get("refreshedTotal", 0) >= 8, 20)
    later = env.status(history=True)
    assert later["runtimeStatus"] in ("Running", "Pending")
    # Each generation starts a fresh history: its length does not grow with the generation count.
    sizes = [len(h["historyEvents"]) for h in (first, later)]
    assert max(sizes) <= 12, sizes
    refreshed = later["customStatus"]["refreshedTotal"]
    print(f"generations {later['customStatus']['generation']}, refreshed {refreshed}, history sizes {sizes}")
    assert refreshed >= 8
    counters = env.sandbox.admin("GET", "/counters")
    # Every rotated refresh token was persisted: each generation's refresh used the previous one's.
    assert counters["invalid_grants"].get("hubspot", 0) == 0
    assert counters["grants"]["hubspot:refresh_token"] >= refreshed
    meta = env.harness.stores.credentials.get(TENANT, "hs1")
    assert meta is not None and meta.version >= 1 + refreshed and meta.status == CredentialStatus.ACTIVE
    assert len(env.harness.stores.audit.list(TENANT, "credential.refreshed", limit=1000)) >= refreshed


def test_starting_twice_leaves_one_instance(env: Env) -> None:
    ensure = env.host.url + "/api/test/refresher/ensure"
    assert [env.client.post(ensure).json()["started"] for _ in range(2)] == [False, False]
    generic = env.client.post(env.host.url + "/runtime/webhooks/durabletask/orchestrators/"
                              f"{REFRESHER_NAME}/{REFRESHER_INSTANCE_ID}", json={})
    assert generic.status_code == 409  # the task hub itself refuses a second running instance
    env.client.post(env.host.url + STATUS + "/terminate", params={"reason": "test"})
    wait_for(lambda: env.status()["runtimeStatus"] == "Terminated")
    assert env.client.post(ensure).json()["started"] is True  # the starter revives a stopped singleton
    assert env.client.post(ensure).json()["started"] is False
    listing = env.client.get(env.host.url + "/runtime/webhooks/durabletask/instances").json()
    refreshers = [i for i in listing if i["name"] == REFRESHER_NAME]
    assert [i["instanceId"] for i in refreshers] == [REFRESHER_INSTANCE_ID]
    env.wait_generation(2)


def test_invalid_grant_marks_needs_reauth_and_saving_resumes(env: Env) -> None:
    env.sandbox.admin("POST", "/reset", {"oauth": True})  # the provider forgets every token: revoked

    def integration_state() -> IntegrationState | None:
        found = env.harness.stores.integrations.get(TENANT, "hs1")
        return found.state if found else None

    wait_for(lambda: integration_state() == IntegrationState.NEEDS_REAUTH)
    integration = env.harness.stores.integrations.get(TENANT, "hs1")
    assert integration is not None and "INVALID_GRANT" in (integration.state_reason or "")
    meta = env.harness.stores.credentials.get(TENANT, "hs1")
    assert meta is not None and meta.status == CredentialStatus.NEEDS_REAUTH
    assert env.harness.stores.audit.list(TENANT, "alert.credential_needs_reauth")
    generation = env.generation()
    env.wait_generation(generation + 3)
    # Later generations leave it alone: one invalid_grant, no retry storm against the provider.
    assert env.sandbox.admin("GET", "/counters")["invalid_grants"].get("hubspot") == 1

    credential = oauth_credential(env.sandbox, "hubspot", now() + timedelta(seconds=1))
    env.harness.service().save(TENANT, "hs1", parse_credential(credential))
    assert integration_state() == IntegrationState.ACTIVE
    saved = env.harness.stores.credentials.get(TENANT, "hs1")
    assert saved is not None
    wait_for(lambda: (m := env.harness.stores.credentials.get(TENANT, "hs1")) is not None
             and m.version > saved.version + 1 and m.status == CredentialStatus.ACTIVE)
    assert env.sandbox.admin("GET", "/counters")["invalid_grants"].get("hubspot") == 1


def _hits(text: str) -> list[str]:
    return TOKEN_SHAPE.findall(text) + ([CLIENT_SECRET] if CLIENT_SECRET in text else [])


def test_no_secret_in_logs_history_status_or_metadata(env: Env) -> None:
    env.status(history=True)
    listing = env.client.get(env.host.url + "/runtime/webhooks/durabletask/instances",
                             params={"showInput": "true"}).text
    metadata = [m.model_dump_json() for m in env.harness.stores.credentials.list_expiring(now() + timedelta(days=9))]
    audit = [a.model_dump_json() for a in env.harness.stores.audit.list(TENANT, limit=1000)]
    scanned = {
        "devhost output": env.host.log(),
        "refresher histories": "".join(str(h) for h in env.histories),
        "instance listing": listing,
        "credential metadata": "".join(metadata),
        "audit": "".join(audit),
    }
    # Raw bytes of every database file: the task hub (all generations' rows) and the record store.
    for path in [*(env.base / "hub").rglob("*"), *(env.base / "data").glob("*.db*")]:
        if path.is_file():
            scanned[str(path)] = path.read_bytes().decode("latin-1")
    assert len(env.histories) >= 4 and all(h["historyEvents"] for h in env.histories)
    # What is scanned is real: the app's own log lines and the task hub's database are in it.
    assert "ALERT credential needs re-authorization" in scanned["devhost output"]
    assert "started the token refresher" in scanned["devhost output"]
    assert any(Path(k).name.endswith(".db") or ".sqlite" in k for k in scanned if k.startswith(str(env.base / "hub")))
    leaks = {where: hits[:2] for where, hits in ((w, _hits(t)) for w, t in scanned.items()) if hits}
    assert leaks == {}
    # The scan is not vacuous: the secret store does hold tokens of exactly this shape.
    secret_files = list((env.base / "data" / "secrets").glob("*.secret"))
    assert secret_files and all(_hits(p.read_text()) for p in secret_files)


def test_a_restarted_host_keeps_one_refresher_going(env: Env) -> None:
    before = env.generation()
    assert env.host.stop() == 0
    env.host = DevhostProcess(APP, env.base / "hub", env.host.env)  # same task hub, new process
    env.host.start()
    env.wait_generation(before + 2)
    listing = env.client.get(env.host.url + "/runtime/webhooks/durabletask/instances").json()
    assert [i["instanceId"] for i in listing if i["name"] == REFRESHER_NAME] == [REFRESHER_INSTANCE_ID]
    assert "started the token refresher" not in env.host.log()  # the startup check found it running


def test_a_failing_activity_does_not_end_the_eternal_orchestration(devhost_factory: Any, tmp_path: Path) -> None:
    # An invalid setting makes every activity fail (Settings refuses to load): the refresher must
    # record the failure and schedule its next check rather than end as Failed.
    host = devhost_factory(APP, {"PYTHONPATH": str(ROOT), "DEVHOST_FUNCTION_KEY": KEY,
                                 "CASTIEL_DATA_DIR": str(tmp_path / "data"),
                                 "CASTIEL_TOKEN_REFRESH_MAX_PER_GENERATION": "0"}, tmp_path / "hub").start()
    with httpx.Client(base_url=host.url, timeout=15, headers={"x-functions-key": KEY}) as client:
        def failed_once() -> dict[str, Any] | None:
            response = client.get(STATUS)
            body: dict[str, Any] = response.json() if response.status_code in (200, 202) else {}
            return body if (body.get("customStatus") or {}).get("consecutiveFailures") == 1 else None

        status = wait_for(failed_once)
    assert status["runtimeStatus"] in ("Running", "Pending")
    assert status["customStatus"]["generation"] == 1 and status["customStatus"]["due"] == 0
    assert "activity find_expiring_credentials (token-refresher) failed" in host.log()
