"""The real `sync_mapping` orchestration and budget entity over scripted page activities.

The fakes take the names of the real activities (`fetch_page`, `transform_page`, `save_page`,
`detect_deletions`), so the orchestrator schedules them as in production. A page's position in the
provider's data is its cursor ``{"k": n}``; `LANES_DIR/script.json` says how many pages there are,
at which one an incremental read reports an expired delta token (``resync_at``), at which one the
provider fails for good (``fail_at``) and which pages' saves refuse a record (``refuse_at``). Every call
is appended to `LANES_DIR/calls.jsonl`.
"""

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import azure.durable_functions as df

from entities.rate_limit import bp as budget_bp
from orchestrators.sync_mapping import bp as mapping_bp

DIR = Path(os.environ.get("LANES_DIR", "."))
_lock = threading.Lock()
app = df.DFApp()
app.register_functions(mapping_bp)
app.register_functions(budget_bp)


def _log(**fields: Any) -> None:
    with _lock, (DIR / "calls.jsonl").open("a") as f:
        f.write(json.dumps({**fields, "t": time.time()}) + "\n")


def _script() -> dict[str, Any]:
    return dict(json.loads((DIR / "script.json").read_text()))


@app.activity_trigger(input_name="payload")
def fetch_page(payload: dict[str, Any]) -> dict[str, Any]:
    script, k = _script(), (payload.get("cursor") or {}).get("k", 0)
    _log(act="fetch", page=payload["pageNo"], mode=payload["mode"], k=k)
    time.sleep(0.005)  # a provider round trip (the fake's, not an orchestration wait)
    if payload["mode"] == "incremental" and k == script.get("resync_at"):
        return {"resyncRequired": True}
    if k == script.get("fail_at"):
        return {"error": {"code": "VALIDATION_ERROR", "message": "the provider refused the query", "retryable": False}}
    last = k + 1 >= script["pages"]
    return {"stagingKey": f"raw-{payload['pageNo']}", "fetched": 10, "nextCursor": None if last else {"k": k + 1},
            "checkpoint": {"k": k}}


@app.activity_trigger(input_name="payload")
def transform_page(payload: dict[str, Any]) -> dict[str, Any]:
    _log(act="transform", page=payload["pageNo"], key=payload["stagingKey"])
    return {"stagingKey": f"mapped-{payload['pageNo']}", "transformed": 10}


@app.activity_trigger(input_name="payload")
def save_page(payload: dict[str, Any]) -> dict[str, Any]:
    _log(act="save", page=payload["pageNo"], mode=payload["mode"], key=payload["stagingKey"],
         checkpoint=payload["checkpoint"])
    time.sleep(0.02)  # saves are the slow stage: fetches run ahead of them
    if payload["pageNo"] in _script().get("refuse_at", ()):  # the save refused one record of the page
        return {"stats": {"created": 9, "failed": 1}, "errors": [
            {"errorType": "CONFLICT", "message": "refused", "externalId": f"x{payload['pageNo']}"}]}
    return {"stats": {"created": 10}}


@app.activity_trigger(input_name="payload")
def detect_deletions(payload: dict[str, Any]) -> int:
    _log(act="detect_deletions")
    return 0
