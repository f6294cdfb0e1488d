"""`make run`: the engine on devhost with the sandbox, a demo tenant, and a first sync.

Starts `python -m sandbox` and `python -m devhost .` as child processes, configures a demo tenant with a
Salesforce-sandbox integration and its OAuth credential through the engine's own API, starts a first full
sync, and prints the function key and curl lines to try. Ctrl-C (or SIGTERM) stops both processes.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
TENANT, INTEGRATION = "demo", "salesforce-sandbox"


def _spawn(args: list[str], env: dict[str, str], marker: str, timeout: float = 60.0) -> subprocess.Popen[str]:
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        if marker in line:
            return proc
        if time.monotonic() > deadline:
            break
    proc.kill()
    raise SystemExit(f"{args[2]} did not start")


def _integration(sandbox: str) -> dict[str, Any]:
    return {
        "provider": "salesforce",
        "displayName": "Demo Salesforce (sandbox)",
        "connection": {"instanceUrl": sandbox, "apiVersion": "v60.0", "tokenUrl": f"{sandbox}/services/oauth2/token"},
        "entityMappings": [
            {"externalEntity": "Account", "shardTypeId": "account", "direction": "pull",
             "fieldMappings": [{"source": "Name", "target": "name"},
                               {"source": "AnnualRevenue", "target": "revenue", "transform": "number"},
                               {"source": "Industry", "target": "industry"},
                               {"source": "Owner.Email", "target": "ownerEmail"}]},
            {"externalEntity": "Contact", "shardTypeId": "contact", "direction": "pull",
             "fieldMappings": [{"source": "FirstName", "target": "firstName"},
                               {"source": "LastName", "target": "lastName"},
                               {"source": "Email", "target": "email", "transform": "lowercase"}]},
        ],
        "syncFrequency": {"type": "interval", "intervalMinutes": 60},
        "nightlyFullSync": True,
        "priority": "normal",
        "conflictResolution": "local_wins",
    }


def _configure(api: httpx.Client, sandbox: str) -> str:
    """PUT the demo integration and a fresh credential from the sandbox; start a full sync."""
    with httpx.Client(base_url=f"{sandbox}/_admin", timeout=30) as admin:
        tokens = admin.post("/oauth/tokens", json={"provider": "salesforce",
                                                   "client_id": "sandbox-salesforce-client"}).json()
    base = f"/api/tenants/{TENANT}/integrations/{INTEGRATION}"
    api.put(base, json=_integration(sandbox)).raise_for_status()
    credential = {
        "type": "oauth2", "accessToken": tokens["access_token"], "refreshToken": tokens["refresh_token"],
        "expiresAt": (datetime.now(UTC) + timedelta(seconds=tokens["expires_in"])).isoformat(),
        "clientId": "sandbox-salesforce-client", "clientSecret": "sandbox-salesforce-secret",
        "tokenUrl": f"{sandbox}/services/oauth2/token",
    }
    api.put(f"{base}/credentials", json=credential).raise_for_status()
    r = api.post(f"{base}/sync", json={"mode": "full"})
    return str(r.json().get("id")) if r.status_code in (202, 409) else f"(sync not started: {r.status_code})"


def _banner(port: int, key: str, run_id: str) -> str:
    api = f"http://127.0.0.1:{port}/api"
    t = f"{api}/tenants/{TENANT}"
    return f"""
Castiel is running on devhost with the sandbox.  Function key: {key}

  curl -s {api}/health
  curl -s -H "x-functions-key: {key}" {t}/integrations/{INTEGRATION}
  curl -s -H "x-functions-key: {key}" {t}/integrations/{INTEGRATION}/runs
  curl -s -H "x-functions-key: {key}" {t}/runs/{run_id}
  curl -s -H "x-functions-key: {key}" "{t}/shards?shardTypeId=account&limit=5"
  curl -s -X POST -H "x-functions-key: {key}" -H "Content-Type: application/json" \\
       {t}/integrations/{INTEGRATION}/sync -d '{{"mode":"incremental"}}'
  curl -s "http://127.0.0.1:{port}/runtime/webhooks/durabletask/instances?code={key}"

Monitor: http://127.0.0.1:{port}/_devhost/monitor?code={key}

Ctrl-C stops everything.
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=7071)
    parser.add_argument("--sandbox-port", type=int, default=8081)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--key", default=os.environ.get("DEVHOST_FUNCTION_KEY", "castiel-local-key"))
    args = parser.parse_args()
    env = {**os.environ, "DEVHOST_FUNCTION_KEY": args.key, "PYTHONUNBUFFERED": "1"}
    env.setdefault("CASTIEL_DATA_DIR", str(ROOT / ".data"))
    # The host and two worker processes for HTTP calls and activities: a sync's page activities, CPU-bound
    # Python, use both cores (bench/sync.py: about a sixth more records/s than one worker, under 300 MB).
    env.setdefault("FUNCTIONS_WORKER_PROCESS_COUNT", "3")
    sandbox_url = f"http://127.0.0.1:{args.sandbox_port}"
    sandbox = _spawn([sys.executable, "-m", "sandbox", "--port", str(args.sandbox_port), "--records",
                      str(args.records)], env, "sandbox listening")
    host = _spawn([sys.executable, "-m", "devhost", ".", "--port", str(args.port)], env, "devhost ready")
    stop = {"now": False}

    def _stop(signum: int, frame: Any) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{args.port}", headers={"x-functions-key": args.key},
                          timeout=30) as api:
            run_id = _configure(api, sandbox_url)
        print(_banner(args.port, args.key, run_id), flush=True)
        while not stop["now"] and host.poll() is None and sandbox.poll() is None:
            _drain(host)
            time.sleep(0.2)
    finally:
        for proc in (host, sandbox):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in (host, sandbox):
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 0


def _drain(proc: subprocess.Popen[str]) -> None:
    """Echo the host's log lines as they come (non-blocking enough for a dev loop)."""
    import select

    assert proc.stdout is not None
    while select.select([proc.stdout], [], [], 0)[0]:
        line = proc.stdout.readline()
        if not line:
            return
        sys.stdout.write(line)


if __name__ == "__main__":
    sys.exit(main())
