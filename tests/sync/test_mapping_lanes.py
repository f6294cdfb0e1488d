"""`sync_mapping` on devhost over scripted page activities: the fetch lane runs ahead of the saves, saves stay
in page order, generations hand over the pages they fetched or transformed but did not save, a resync
restarts as a full read and a permanent failure still saves what was fetched before it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from activities.contracts import FetchPageResult, MappingState
from orchestrators.sync_mapping import generation_pages
from tests.conftest import DevhostProcess, wait_status

APP = Path(__file__).parent / "lanes_app"
START = "/runtime/webhooks/durabletask/orchestrators/sync_mapping"


def _state(mode: str, pages_per_generation: int) -> dict[str, Any]:
    return {
        "request": {"tenantId": "t1", "integrationId": "i1", "runId": "r1", "mode": mode},
        "mapping": {"index": 0, "externalEntity": "Account", "shardTypeId": "account"},
        "mode": mode, "pageSize": 10, "pagesPerGeneration": pages_per_generation,
        "retry": {"maxAttempts": 2, "initialDelaySeconds": 0.05, "maxDelaySeconds": 0.1},
    }


@pytest.fixture
def run(devhost_factory: Callable[..., DevhostProcess], tmp_path: Path) -> Callable[..., tuple[Any, list[Any]]]:
    def go(script: dict[str, Any], mode: str = "full", pages_per_generation: int = 3,
           **state: Any) -> tuple[Any, list[Any]]:
        (tmp_path / "script.json").write_text(json.dumps(script))
        host = devhost_factory(APP, {"LANES_DIR": str(tmp_path)}).start()
        with httpx.Client(base_url=host.url, timeout=10) as client:
            r = client.post(f"{START}/m1", json={**_state(mode, pages_per_generation), **state})
            assert r.status_code == 202, r.text
            status = wait_status(client, "m1", timeout=60)
        assert status["runtimeStatus"] == "Completed", status
        calls = [json.loads(line) for line in (tmp_path / "calls.jsonl").read_text().splitlines()]
        return status["output"], calls

    return go


def _of(calls: list[Any], act: str) -> list[Any]:
    return [c for c in calls if c["act"] == act]


def test_pages_flow_through_the_lanes_and_generations_in_order(run: Callable[..., tuple[Any, list[Any]]]) -> None:
    out, calls = run({"pages": 10}, pages_per_generation=3)
    stats = out["stats"]
    assert (out["status"], out["pages"], stats["created"], stats["fetched"]) == ("completed", 10, 100, 100)
    assert [c["k"] for c in _of(calls, "fetch")] == list(range(10))  # each page read once, across 4 generations
    assert [c["page"] for c in _of(calls, "transform")] == list(range(10))  # and transformed once
    saves = _of(calls, "save")
    assert [c["page"] for c in saves] == list(range(10))  # in order, once each
    assert [c["checkpoint"] for c in saves] == [{"k": k} for k in range(10)]
    assert [c["key"] for c in saves] == [f"mapped-{n}" for n in range(10)]
    assert len(_of(calls, "detect_deletions")) == 1
    # The fetch lane did not wait for each save: some page was fetched before the save of the one before it.
    fetched_at = {c["page"]: c["t"] for c in _of(calls, "fetch")}
    saved_at = {c["page"]: c["t"] for c in saves}
    assert any(fetched_at[n + 1] < saved_at[n] for n in range(9))


def test_a_generation_goes_on_with_the_pages_the_previous_one_handed_over(
    run: Callable[..., tuple[Any, list[Any]]],
) -> None:
    page = {"fetched": 10, "checkpoint": {"k": 0}}
    out, calls = run({"pages": 4}, pages_per_generation=20, pages=0, carried=[
        {"pageNo": 0, "mode": "full", "transformed": True, "transform": {"stagingKey": "mapped-0", "transformed": 10},
         "fetched": {**page, "stagingKey": "raw-0", "nextCursor": {"k": 1}}},
        {"pageNo": 1, "mode": "full", "fetched": {**page, "stagingKey": "raw-1", "nextCursor": {"k": 2},
                                                  "checkpoint": {"k": 1}}},
    ])
    assert (out["status"], out["pages"], out["stats"]["created"], out["stats"]["fetched"]) == ("completed", 4, 40, 40)
    assert [c["k"] for c in _of(calls, "fetch")] == [2, 3]  # the carried pages are not read again
    assert [(c["page"], c["key"]) for c in _of(calls, "transform")] == [(1, "raw-1"), (2, "raw-2"), (3, "raw-3")]
    assert [(c["page"], c["key"], c["checkpoint"]) for c in _of(calls, "save")] == [
        (n, f"mapped-{n}", {"k": n}) for n in range(4)]


def test_a_page_an_earlier_version_fetched_ahead_is_taken_over(run: Callable[..., tuple[Any, list[Any]]]) -> None:
    out, calls = run({"pages": 3}, pages_per_generation=20, pages=1, cursor={"k": 1}, prefetched={
        "stagingKey": "raw-1", "fetched": 10, "nextCursor": {"k": 2}, "checkpoint": {"k": 1}})
    assert (out["status"], out["pages"], out["stats"]["created"]) == ("completed", 3, 20)
    assert [c["k"] for c in _of(calls, "fetch")] == [2]
    assert [(c["page"], c["key"]) for c in _of(calls, "save")] == [(1, "mapped-1"), (2, "mapped-2")]


def test_an_expired_delta_token_restarts_as_a_full_read(run: Callable[..., tuple[Any, list[Any]]]) -> None:
    out, calls = run({"pages": 4, "resync_at": 2}, mode="incremental", pages_per_generation=20)
    assert (out["status"], out["pages"]) == ("completed", 6)  # 2 incremental pages, then 4 of the full read
    saves = _of(calls, "save")
    assert [(c["page"], c["mode"], c["checkpoint"]) for c in saves] == [
        (0, "incremental", {"k": 0}), (1, "incremental", {"k": 1}),
        (2, "full", {"k": 0}), (3, "full", {"k": 1}), (4, "full", {"k": 2}), (5, "full", {"k": 3}),
    ]
    assert len(_of(calls, "detect_deletions")) == 1  # the mapping ended as a full read


def test_a_permanent_failure_saves_the_pages_fetched_before_it(run: Callable[..., tuple[Any, list[Any]]]) -> None:
    out, calls = run({"pages": 10, "fail_at": 5}, pages_per_generation=20)
    assert (out["status"], out["pages"], out["stats"]["created"]) == ("failed", 5, 50)
    assert out["errors"][-1]["errorType"] == "VALIDATION_ERROR"
    assert [c["page"] for c in _of(calls, "save")] == [0, 1, 2, 3, 4]
    assert _of(calls, "detect_deletions") == []


def test_records_a_save_refuses_are_counted_and_reported_across_generations(
    run: Callable[..., tuple[Any, list[Any]]],
) -> None:
    out, _ = run({"pages": 7, "refuse_at": [1, 5]}, pages_per_generation=3)
    assert (out["status"], out["stats"]["created"], out["stats"]["failed"]) == ("completed", 68, 2)
    assert [(e["errorType"], e["externalId"]) for e in out["errors"]] == [("CONFLICT", "x1"), ("CONFLICT", "x5")]


@pytest.mark.parametrize(("per_generation", "page_size", "fetched", "expected"), [
    (20, 2000, 2000, 20),  # full pages: the plan's generation
    (20, 2000, 200, 6),  # a provider capping pages at 200: as many records, but at least six pages
    (20, 2000, 1000, 10),
    (20, 200, 200, 20),
    (3, 2000, 200, 3),  # never more than the plan's
])
def test_a_generation_of_short_pages_ends_after_as_many_records(
    per_generation: int, page_size: int, fetched: int, expected: int
) -> None:
    state = MappingState.model_validate({**_state("full", per_generation), "pageSize": page_size})
    assert generation_pages(state, FetchPageResult(fetched=fetched)) == expected
