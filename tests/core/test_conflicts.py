"""Inbound conflicts: detection and each conflictResolution."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.conflicts import FieldConflict, InboundChange, Outcome, resolve_inbound
from core.models import ConflictResolution, SyncStatus

T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = datetime(2026, 1, 2, tzinfo=UTC)
T2 = datetime(2026, 1, 3, tzinfo=UTC)

BASE = {"name": "Acme", "phone": "1", "city": "Paris"}
LOCAL = {"name": "Acme", "phone": "2", "city": "Paris"}          # local edited phone
REMOTE = {"name": "Acme SA", "phone": "1", "city": "Paris"}      # remote edited name
CLASH = {"name": "Acme", "phone": "3", "city": "Lyon"}           # remote edited phone and city

ALL = list(ConflictResolution)


@pytest.mark.parametrize("strategy", ALL)
def test_no_local_edit_means_remote_is_applied(strategy: ConflictResolution) -> None:
    result = resolve_inbound(InboundChange(local=BASE, remote=REMOTE, base=BASE), strategy)
    assert (result.outcome, result.data) == (Outcome.NO_CONFLICT, REMOTE)
    assert result.sync_status == SyncStatus.SYNCED


@pytest.mark.parametrize("strategy", ALL)
def test_stale_remote_never_reverts_a_local_edit(strategy: ConflictResolution) -> None:
    result = resolve_inbound(InboundChange(local=LOCAL, remote=BASE, base=BASE), strategy)
    assert (result.outcome, result.data, result.local_ahead) == (Outcome.NO_CONFLICT, LOCAL, True)


@pytest.mark.parametrize("strategy", ALL)
def test_same_change_on_both_sides_is_no_conflict(strategy: ConflictResolution) -> None:
    result = resolve_inbound(InboundChange(local=REMOTE, remote=REMOTE, base=BASE), strategy)
    assert result.outcome == Outcome.NO_CONFLICT and not result.is_conflict


@pytest.mark.parametrize("strategy", ALL)
def test_without_base_timestamps_decide_whether_local_was_edited(strategy: ConflictResolution) -> None:
    untouched = InboundChange(local=BASE, remote=REMOTE, local_changed_at=T0, last_synced_at=T0)
    assert resolve_inbound(untouched, strategy).outcome == Outcome.NO_CONFLICT
    never_synced = InboundChange(local=LOCAL, remote=REMOTE, local_changed_at=T1)
    assert resolve_inbound(never_synced, strategy).outcome == Outcome.NO_CONFLICT
    edited = InboundChange(local=LOCAL, remote=REMOTE, local_changed_at=T1, last_synced_at=T0)
    assert resolve_inbound(edited, strategy).is_conflict


@pytest.mark.parametrize(
    ("strategy", "local_at", "remote_at", "outcome", "data", "status", "local_ahead"),
    [
        ("local_wins", T1, T2, Outcome.KEPT_LOCAL, LOCAL, SyncStatus.SYNCED, True),
        ("remote_wins", T2, T1, Outcome.APPLIED_REMOTE, CLASH, SyncStatus.SYNCED, False),
        ("newest_wins", T2, T1, Outcome.KEPT_LOCAL, LOCAL, SyncStatus.SYNCED, True),
        ("newest_wins", T1, T2, Outcome.APPLIED_REMOTE, CLASH, SyncStatus.SYNCED, False),
        ("newest_wins", T1, T1, Outcome.APPLIED_REMOTE, CLASH, SyncStatus.SYNCED, False),
        ("newest_wins", T2, None, Outcome.APPLIED_REMOTE, CLASH, SyncStatus.SYNCED, False),
        ("manual", T1, T2, Outcome.MANUAL, LOCAL, SyncStatus.CONFLICT, False),
    ],
)
def test_whole_record_strategies(strategy: str, local_at: datetime, remote_at: datetime | None,
                                 outcome: Outcome, data: dict, status: SyncStatus, local_ahead: bool) -> None:
    change = InboundChange(local=LOCAL, remote=CLASH, base=BASE, local_changed_at=local_at,
                           remote_changed_at=remote_at, last_synced_at=T0)
    result = resolve_inbound(change, ConflictResolution(strategy))
    assert (result.outcome, result.data, result.sync_status, result.local_ahead) == (
        outcome, data, status, local_ahead
    )


def test_manual_keeps_both_versions_and_lists_every_difference() -> None:
    result = resolve_inbound(InboundChange(local=LOCAL, remote=CLASH, base=BASE), ConflictResolution.MANUAL)
    assert result.data == LOCAL and result.remote == CLASH
    assert result.conflicts == [
        FieldConflict("phone", "1", "2", "3"),
        FieldConflict("city", "Paris", "Paris", "Lyon"),
    ]


def test_merge_takes_one_sided_changes_from_each_side() -> None:
    result = resolve_inbound(InboundChange(local=LOCAL, remote=REMOTE, base=BASE), ConflictResolution.MERGE)
    assert result.outcome == Outcome.MERGED
    assert result.data == {"name": "Acme SA", "phone": "2", "city": "Paris"}
    assert (result.sync_status, result.conflicts, result.local_ahead) == (SyncStatus.SYNCED, [], True)


def test_merge_lists_fields_changed_on_both_sides_and_keeps_local_there() -> None:
    result = resolve_inbound(InboundChange(local=LOCAL, remote=CLASH, base=BASE), ConflictResolution.MERGE)
    assert result.sync_status == SyncStatus.CONFLICT
    assert result.conflicts == [FieldConflict("phone", "1", "2", "3")]
    assert result.data == {"name": "Acme", "phone": "2", "city": "Lyon"}
    assert result.remote == CLASH


def test_merge_without_base_treats_every_difference_as_a_conflict() -> None:
    change = InboundChange(local=LOCAL, remote=REMOTE, local_changed_at=T1, last_synced_at=T0)
    result = resolve_inbound(change, ConflictResolution.MERGE)
    assert [c.field for c in result.conflicts] == ["name", "phone"]
    assert all(c.base is None for c in result.conflicts)
    assert result.data == LOCAL


def test_only_the_providers_fields_are_compared_and_the_others_are_kept() -> None:
    local = {"a": 1, "other": "from hubspot", "note": "local only"}
    result = resolve_inbound(InboundChange(local=local, remote={"a": 3}, base={"a": 0, "other": "x"}),
                             ConflictResolution.MANUAL)
    assert result.conflicts == [FieldConflict("a", 0, 1, 3)]
    assert result.data == local
    merged = resolve_inbound(InboundChange(local=local, remote={"a": 1, "b": 5}, base={"a": 1}),
                             ConflictResolution.MERGE)
    assert merged.outcome == Outcome.NO_CONFLICT
    assert merged.data == {**local, "b": 5}
    # Remote fields absent from the base and from local are one-sided remote changes.
    edited = resolve_inbound(InboundChange(local={**local, "a": 2}, remote={"a": 1, "b": 5}, base={"a": 1}),
                             ConflictResolution.MERGE)
    assert (edited.outcome, edited.data, edited.conflicts) == (Outcome.MERGED, {**local, "a": 2, "b": 5}, [])
