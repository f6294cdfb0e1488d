"""Three-way resolution of a push that lost its precondition (the provider changed the record too).

Pure. ``base`` is the shard's data as last synced (``ExternalRelationship.baseData``), ``local`` its
data now, ``remote`` the provider's record now, mapped with the integration's mapping. Only the
fields write-back can write (plain, non-dotted sources) are compared: a relationship field
(``Owner.Email``) is read-only here and never a conflict. The decision reuses
``core.conflicts.resolve_inbound`` (the same strategies, seen from the local side):

- ``push``: the local (or merged) values go to the provider, conditioned on the remote version read;
- ``apply_remote``: the provider's values are written to the shard and nothing is pushed;
- ``conflict``: ``manual``, or ``merge`` with fields changed on both sides: the relationship becomes
  ``conflict`` with the remote values kept in ``conflictData`` until someone resolves it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.conflicts import InboundChange, Outcome, resolve_inbound
from core.models import ConflictResolution, EntityMapping, SyncStatus


class Action(StrEnum):
    PUSH = "push"
    APPLY_REMOTE = "apply_remote"
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class OutboundDecision:
    """``data``: the shard's mapped fields after the decision; ``conflicts``: fields on both sides."""

    action: Action
    outcome: Outcome
    data: dict[str, Any]
    remote: dict[str, Any]
    conflicts: list[str] = field(default_factory=list)


def writable_targets(mapping: EntityMapping) -> list[str]:
    """Targets write-back sends (their source is a plain provider field)."""
    return [f.target for f in mapping.field_mappings if "." not in f.source]


def _only(data: Mapping[str, Any], targets: list[str]) -> dict[str, Any]:
    return {t: data.get(t) for t in targets}


def resolve_outbound(
    mapping: EntityMapping,
    strategy: ConflictResolution,
    *,
    local: Mapping[str, Any],
    remote: Mapping[str, Any],
    base: Mapping[str, Any] | None,
    local_changed_at: datetime | None,
    remote_changed_at: datetime | None,
    last_synced_at: datetime | None,
) -> OutboundDecision:
    """Decide what a push that met a concurrent remote change does (see the module docstring)."""
    targets = writable_targets(mapping)
    mine, theirs = _only(local, targets), _only(remote, targets)
    change = InboundChange(
        local=mine, remote=theirs, base=_only(base, targets) if base is not None else None,
        local_changed_at=local_changed_at, remote_changed_at=remote_changed_at, last_synced_at=last_synced_at,
    )
    resolution = resolve_inbound(change, strategy)
    conflicts = [c.field for c in resolution.conflicts]
    if resolution.sync_status == SyncStatus.CONFLICT:
        return OutboundDecision(Action.CONFLICT, resolution.outcome, resolution.data, theirs, conflicts)
    if resolution.outcome == Outcome.APPLIED_REMOTE:
        return OutboundDecision(Action.APPLY_REMOTE, resolution.outcome, resolution.data, theirs)
    if resolution.outcome == Outcome.NO_CONFLICT and not resolution.local_ahead:
        # The local side did not change what the provider has (or both agree): take the provider's.
        return OutboundDecision(Action.APPLY_REMOTE, resolution.outcome, resolution.data, theirs)
    return OutboundDecision(Action.PUSH, resolution.outcome, resolution.data, theirs)
