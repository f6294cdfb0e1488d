"""Three-way resolution of a push that met a concurrent remote change, per strategy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.models import ConflictResolution, EntityMapping
from writeback.outbound import Action, resolve_outbound

MAPPING = EntityMapping.model_validate({
    "externalEntity": "Account", "shardTypeId": "account", "direction": "bidirectional",
    "fieldMappings": [{"source": "Name", "target": "name"}, {"source": "Industry", "target": "industry"},
                      {"source": "Owner.Email", "target": "ownerEmail"}],
})
BASE = {"name": "Acme", "industry": "Energy", "ownerEmail": "a@x"}
T1, T2 = datetime(2026, 1, 1, 10, tzinfo=UTC), datetime(2026, 1, 1, 11, tzinfo=UTC)


def decide(strategy: str, local: dict, remote: dict, local_at: datetime = T1, remote_at: datetime = T2):  # type: ignore[no-untyped-def]
    return resolve_outbound(MAPPING, ConflictResolution(strategy), local=local, remote=remote, base=BASE,
                            local_changed_at=local_at, remote_changed_at=remote_at, last_synced_at=None)


@pytest.mark.parametrize(("strategy", "action", "name"), [
    ("local_wins", Action.PUSH, "Local"),
    ("remote_wins", Action.APPLY_REMOTE, "Remote"),
    ("newest_wins", Action.APPLY_REMOTE, "Remote"),  # the remote edit is the later one
    ("manual", Action.CONFLICT, "Local"),
    ("merge", Action.CONFLICT, "Local"),  # name changed on both sides
])
def test_both_sides_changed_the_same_field(strategy: str, action: Action, name: str) -> None:
    decision = decide(strategy, {**BASE, "name": "Local"}, {**BASE, "name": "Remote", "ownerEmail": None})
    assert decision.action == action
    assert decision.data["name"] == name


def test_newest_wins_keeps_a_later_local_edit() -> None:
    decision = decide("newest_wins", {**BASE, "name": "Local"}, {**BASE, "name": "Remote"}, T2, T1)
    assert decision.action == Action.PUSH and decision.data["name"] == "Local"


def test_merge_takes_each_side_of_disjoint_edits() -> None:
    decision = decide("merge", {**BASE, "name": "Local"}, {**BASE, "industry": "Retail"})
    assert decision.action == Action.PUSH
    assert decision.data == {"name": "Local", "industry": "Retail"}


def test_read_only_relationship_fields_never_conflict() -> None:
    decision = decide("manual", {**BASE, "ownerEmail": "mine@x"}, {**BASE, "ownerEmail": None})
    assert decision.action != Action.CONFLICT
