"""What the devhost replays of the stored history: the events the SDK reads, as much of them as it reads."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from devhost.discovery import Registry
from devhost.engine import Core
from devhost.history import EventType, dumps, event
from devhost.store import Store

TS = "2026-03-02T12:00:00.000000Z"


def _sent(event_id: int, signal: bool) -> str:
    message = {"op": "acquire", "signal": signal, "input": json.dumps({"permits": 1, "note": "x" * 200}),
               "id": f"req-{event_id}", "parent": "o1"}
    return dumps(event(EventType.EVENT_SENT, TS, event_id, InstanceId="@budget@k", Name="acquire",
                       Input=json.dumps(message)))


def _history() -> list[str]:
    return [
        dumps(event(EventType.ORCHESTRATOR_STARTED, TS)),
        dumps(event(EventType.EXECUTION_STARTED, TS, Name="o", Version="", Input=None)),
        _sent(0, signal=False),
        _sent(1, signal=True),
        dumps(event(EventType.TASK_SCHEDULED, TS, 2, Name="a", Version="", Input="1")),
        dumps(event(EventType.ORCHESTRATOR_COMPLETED, TS)),
    ]


def _core(tmp_path: Path, full_replay: bool) -> Core:
    return Core(Store(tmp_path / "hub.sqlite"), Registry(), full_replay=full_replay)


def test_a_call_keeps_only_its_request_id_and_signals_and_unread_events_are_left_out(tmp_path: Path) -> None:
    copies = [json.loads(t) for t in _core(tmp_path, full_replay=False).replay_texts(_history())]
    assert [e["EventType"] for e in copies] == [EventType.ORCHESTRATOR_STARTED, EventType.EXECUTION_STARTED,
                                                 EventType.EVENT_SENT]
    sent = copies[2]
    assert (sent["EventId"], sent["Name"], json.loads(sent["Input"])) == (0, "acquire", {"id": "req-0"})


def test_full_replay_sends_everything_as_stored(tmp_path: Path) -> None:
    history = _history()
    assert _core(tmp_path, full_replay=True).replay_texts(history) == history


def test_the_sdk_parses_each_timestamp_once_with_the_same_result(tmp_path: Path) -> None:
    from azure.durable_functions.models.history.HistoryEvent import HistoryEvent
    from dateutil.parser import parse

    _core(tmp_path, full_replay=False)
    memoized = sys.modules["azure.durable_functions.models.history.HistoryEvent"].dt_parse
    before = memoized.cache_info().hits
    for _ in range(3):
        ev = HistoryEvent(EventType=12, EventId=-1, IsPlayed=False, Timestamp="2026-03-02T12:00:01.250000Z")
        assert ev.timestamp == parse("2026-03-02T12:00:01.250000Z") == datetime(2026, 3, 2, 12, 0, 1, 250000, UTC)
    assert memoized.cache_info().hits >= before + 2
