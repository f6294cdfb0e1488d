"""Inbound conflict resolution: the provider changed a record that was also edited locally.

Pure. The caller gives three versions (``base``: as last synced, ``local``: the shard's data
now, ``remote``: the incoming mapped record) and the timestamps it has; ``resolve_inbound``
returns the shard data to write and which status the relationship gets. Only the fields in
``remote`` are compared and resolved; the shard's other fields are kept as they are.

A conflict needs both sides to have changed since the last sync, to different values (when
only the local side changed, the local values stay and ``local_ahead`` is set):

- with a ``base``: each side changed when it differs from the base (field by field);
- without one: the local side changed when ``local_changed_at > last_synced_at``, the remote
  side when it differs from local. A record never synced before has no conflict.

Resolutions (the integration's ``conflictResolution``):

- ``local_wins``: keep local; ``local_ahead`` tells the caller the provider is behind.
- ``remote_wins``: take the remote values.
- ``newest_wins``: the later of ``local_changed_at`` and ``remote_changed_at``; remote on a tie
  or when either is unknown (for a pull, the provider is the reference).
- ``merge``: field by field against the base: a field changed on one side takes that side;
  changed on both sides to different values, it is listed in ``conflicts``, keeps the local
  value and the relationship becomes ``conflict``.
- ``manual``: nothing is applied; every differing field is listed, the status is ``conflict``
  and ``remote`` is returned so the caller keeps both versions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.models.enums import ConflictResolution, SyncStatus

_MISSING = object()


class Outcome(StrEnum):
    NO_CONFLICT = "no_conflict"
    KEPT_LOCAL = "kept_local"
    APPLIED_REMOTE = "applied_remote"
    MERGED = "merged"
    MANUAL = "manual"


@dataclass(frozen=True, slots=True)
class FieldConflict:
    """A field changed on both sides; ``base`` is ``None`` when unknown."""

    field: str
    base: Any
    local: Any
    remote: Any


@dataclass(frozen=True, slots=True)
class InboundChange:
    """The three versions of one record's mapped fields, and what is known of their times."""

    local: Mapping[str, Any]
    remote: Mapping[str, Any]
    base: Mapping[str, Any] | None = None
    local_changed_at: datetime | None = None
    remote_changed_at: datetime | None = None
    last_synced_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Resolution:
    """What to write (``data``: the mapped fields), and the relationship's new ``sync_status``."""

    outcome: Outcome
    data: dict[str, Any]
    sync_status: SyncStatus
    conflicts: list[FieldConflict] = field(default_factory=list)
    remote: dict[str, Any] = field(default_factory=dict)
    local_ahead: bool = False

    @property
    def is_conflict(self) -> bool:
        return self.outcome != Outcome.NO_CONFLICT


def _get(data: Mapping[str, Any], key: str) -> Any:
    return data.get(key, _MISSING)


def _fields(change: InboundChange) -> list[str]:
    # Only the fields the provider sent are in question: the shard's other fields (another
    # integration's, or local-only ones) are neither compared nor touched.
    return list(change.remote)


def _value(value: Any) -> Any:
    return None if value is _MISSING else value


def _local_edited(change: InboundChange) -> bool:
    if change.base is not None:
        return any(_get(change.local, k) != _get(change.base, k) for k in _fields(change))
    if change.local_changed_at is None or change.last_synced_at is None:
        return False
    return change.local_changed_at > change.last_synced_at


def _remote_edited(change: InboundChange) -> bool:
    if change.base is not None:
        return any(_get(change.remote, k) != _get(change.base, k) for k in _fields(change))
    return True


def _differing(change: InboundChange) -> list[str]:
    return [k for k in _fields(change) if _get(change.local, k) != _get(change.remote, k)]


def _applied_remote(change: InboundChange, outcome: Outcome) -> Resolution:
    return Resolution(outcome, {**change.local, **change.remote}, SyncStatus.SYNCED)


def resolve_inbound(change: InboundChange, strategy: ConflictResolution) -> Resolution:
    """Decide what an inbound change writes (see the module docstring)."""
    if not _local_edited(change):  # first: the common case, and usually a comparison of two timestamps
        return _applied_remote(change, Outcome.NO_CONFLICT)
    differing = _differing(change)
    if not differing:
        return _applied_remote(change, Outcome.NO_CONFLICT)
    if not _remote_edited(change):
        # Nothing new from the provider: applying it would revert the local edit.
        return Resolution(Outcome.NO_CONFLICT, dict(change.local), SyncStatus.SYNCED, local_ahead=True)
    if strategy == ConflictResolution.REMOTE_WINS:
        return _applied_remote(change, Outcome.APPLIED_REMOTE)
    if strategy == ConflictResolution.LOCAL_WINS:
        return _kept_local(change)
    if strategy == ConflictResolution.NEWEST_WINS:
        local_at, remote_at = change.local_changed_at, change.remote_changed_at
        if local_at is not None and remote_at is not None and local_at > remote_at:
            return _kept_local(change)
        return _applied_remote(change, Outcome.APPLIED_REMOTE)
    if strategy == ConflictResolution.MERGE:
        return _merge(change)
    conflicts = [_conflict(change, k) for k in differing]
    return Resolution(Outcome.MANUAL, dict(change.local), SyncStatus.CONFLICT, conflicts, dict(change.remote))


def _kept_local(change: InboundChange) -> Resolution:
    return Resolution(Outcome.KEPT_LOCAL, dict(change.local), SyncStatus.SYNCED, local_ahead=True)


def _conflict(change: InboundChange, key: str) -> FieldConflict:
    base = None if change.base is None else _value(_get(change.base, key))
    return FieldConflict(key, base, _value(_get(change.local, key)), _value(_get(change.remote, key)))


def _merge(change: InboundChange) -> Resolution:
    base = change.base or {}
    merged = dict(change.local)
    conflicts: list[FieldConflict] = []
    local_ahead = False
    for key in _fields(change):
        local, remote = _get(change.local, key), _get(change.remote, key)
        if local == remote:
            continue
        # Without a base nothing is known to be one-sided, so every difference is a conflict.
        original = _get(base, key) if change.base is not None else object()
        if local == original:
            merged[key] = _value(remote)
        elif remote == original:
            local_ahead = True
        else:
            conflicts.append(_conflict(change, key))
    status = SyncStatus.CONFLICT if conflicts else SyncStatus.SYNCED
    remote = dict(change.remote) if conflicts else {}
    return Resolution(Outcome.MERGED, merged, status, conflicts, remote, local_ahead)
