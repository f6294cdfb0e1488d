"""Deduplication: for a page of mapped records, decide what each one does to the shards.

Pure and page-oriented. The store answers two look-ups per page, then ``plan_page`` decides:

- ``linked``: the shards already linked to this integration, by the page's external ids;
- ``candidates``: for the key strategies, the shards found under ``index_values(config, r.data)``
  of the page's records (the store indexes each shard's ``index_values`` when it writes it).

Rules, in order, for each record:

1. Its external id is linked: that shard. ``UNCHANGED`` when the relationship's content hash
   equals the record's (re-reads and echoes of our own writes cost nothing), else ``UPDATE``
   (also when the shard was soft-deleted: the record is back). This holds for every strategy.
2. Else the strategy may match an existing shard, which the record then ``LINK``s to (adds its
   relationship, writes its data): ``external_id`` never; ``content_hash`` a shard whose data
   hashes the same; ``composite_key`` equal normalised keys (trim, casefold, collapsed
   whitespace); ``fuzzy`` the most similar shard at or above the threshold (names normalised
   and stripped of corporate suffixes). A shard linked to a different external id of this
   integration is a different provider record: it is never matched, nor is one shard matched twice.
3. Else ``CREATE`` with ``new_shard_id(record)`` (``SKIP`` when the mapping has ``createNew``
   false). Deterministic ids (``derive_shard_id``) make a re-run page upsert, not duplicate.

An external id appearing twice in a page keeps its last occurrence; earlier ones are ``SKIP``.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import Any, NamedTuple

from core.fuzzy_index import FuzzyIndex
from core.hashing import content_hash
from core.models.enums import DedupStrategy
from core.models.integration import DedupConfig
from core.models.run import RunStats
from core.models.shard import Shard
from core.similarity import blocking_tokens, normalize_name, normalize_text

_KEY_SEPARATOR = "\x1f"


class DedupAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    LINK = "link"
    SKIP = "skip"


# The per-record values of a page (thousands per page) are named tuples: immutable like frozen dataclasses,
# and built in a third of the time.


class Incoming(NamedTuple):
    """A mapped provider record; ``content_hash`` is of ``data`` (use ``Incoming.of``)."""

    external_id: str
    data: Mapping[str, Any]
    content_hash: str

    @classmethod
    def of(cls, external_id: str, data: Mapping[str, Any]) -> Incoming:
        return cls(external_id, data, content_hash(data))


class Candidate(NamedTuple):
    """An existing shard as dedup sees it.

    ``linked_external_id`` and ``content_hash`` come from the shard's relationship to *this*
    integration (both ``None`` when it has none). ``deleted`` is a soft-deleted shard.
    """

    shard_id: str
    data: Mapping[str, Any]
    linked_external_id: str | None = None
    content_hash: str | None = None
    deleted: bool = False

    @classmethod
    def from_shard(cls, shard: Shard, integration_id: str) -> Candidate:
        """The candidate for ``shard`` as seen from ``integration_id``."""
        relationship = shard.relationship_for(integration_id)
        return cls(
            shard.id,
            shard.structured_data,
            None if relationship is None else relationship.external_id,
            None if relationship is None else relationship.content_hash,
            shard.deleted_at is not None,
        )


class Decision(NamedTuple):
    """What to do with the record at ``index`` of the page."""

    index: int  # type: ignore[assignment]  # the record's position in its page; tuple.index is never used
    external_id: str
    action: DedupAction
    shard_id: str | None
    content_hash: str
    score: float | None = None


_DERIVED_PREFIX, _DERIVED_HEX = "shd-", 32


def derive_shard_id(tenant_id: str, integration_id: str, external_id: str) -> str:
    """A stable shard id for a record first seen through this integration."""
    digest = hashlib.sha256(f"{tenant_id}\n{integration_id}\n{external_id}".encode()).hexdigest()
    return f"{_DERIVED_PREFIX}{digest[:_DERIVED_HEX]}"


def may_be_derived(shard_id: str) -> bool:
    """Whether ``shard_id`` has the shape of a ``derive_shard_id`` id: any other id needs no hashing to tell."""
    return len(shard_id) == len(_DERIVED_PREFIX) + _DERIVED_HEX and shard_id.startswith(_DERIVED_PREFIX)


def shard_id_deriver(tenant_id: str, integration_id: str) -> Callable[[str], str]:
    """``derive_shard_id`` for one integration's external ids, for a page of them: the common prefix is
    hashed once, and each id continues a copy of that hash state."""
    prefix = hashlib.sha256(f"{tenant_id}\n{integration_id}\n".encode())

    def derive(external_id: str) -> str:
        digest = prefix.copy()
        digest.update(external_id.encode())
        return f"{_DERIVED_PREFIX}{digest.hexdigest()[:_DERIVED_HEX]}"

    return derive


_integration_deriver = functools.lru_cache(maxsize=256)(shard_id_deriver)  # an integration's prefix, hashed once


@functools.lru_cache(maxsize=8192)  # a page asks for each id up to three times: look-up, decision, write
def cached_shard_id(tenant_id: str, integration_id: str, external_id: str) -> str:
    """``derive_shard_id(tenant_id, integration_id, external_id)``, remembered for the pages at hand."""
    return _integration_deriver(tenant_id, integration_id)(external_id)


def composite_key(keys: Sequence[str], data: Mapping[str, Any]) -> str | None:
    """The normalised business key of ``data``; ``None`` when any part is missing or blank."""
    parts = [normalize_text(data.get(key)) for key in keys]
    if any(part is None for part in parts):
        return None
    return _KEY_SEPARATOR.join(parts)  # type: ignore[arg-type]


def _fuzzy_parts(keys: Sequence[str], data: Mapping[str, Any]) -> list[str] | None:
    parts = [normalize_name(data.get(key)) for key in keys]
    return None if any(part is None for part in parts) else parts  # type: ignore[return-value]


def index_values(config: DedupConfig, data: Mapping[str, Any]) -> list[str]:
    """The values a shard is indexed under, and a record is looked up by, for ``config``."""
    if config.strategy == DedupStrategy.CONTENT_HASH:
        return [content_hash(data)]
    if config.strategy == DedupStrategy.COMPOSITE_KEY:
        key = composite_key(config.keys, data)
        return [] if key is None else [key]
    if config.strategy == DedupStrategy.FUZZY:
        parts = _fuzzy_parts(config.keys, data)
        return [] if parts is None else sorted(blocking_tokens(parts[0]))
    return []


class _Matcher:
    """Finds the unlinked candidate an incoming record matches, per strategy."""

    def __init__(self, config: DedupConfig, candidates: Sequence[Candidate]) -> None:
        self.config = config
        self.matches = config.strategy != DedupStrategy.EXTERNAL_ID  # external_id only follows links
        self.claimed: set[str] = {c.shard_id for c in candidates if c.linked_external_id is not None}
        self._by_id: dict[str, Candidate] = {}
        self._exact: dict[str, Candidate] = {}
        self._fuzzy_index = FuzzyIndex()
        for candidate in candidates:
            if candidate.shard_id in self._by_id:
                continue
            self._by_id[candidate.shard_id] = candidate
            if config.strategy == DedupStrategy.FUZZY:
                parts = _fuzzy_parts(config.keys, candidate.data)
                if parts is not None:
                    self._fuzzy_index.add(candidate.shard_id, parts)
            else:
                for value in index_values(config, candidate.data):
                    self._exact.setdefault(value, candidate)

    def match(self, record: Incoming) -> tuple[Candidate, float | None] | None:
        strategy = self.config.strategy
        if strategy == DedupStrategy.EXTERNAL_ID:
            return None
        if strategy == DedupStrategy.FUZZY:
            parts = _fuzzy_parts(self.config.keys, record.data)
            found = None if parts is None else self._fuzzy_index.best(
                parts, self.config.fuzzy_threshold, self.claimed
            )
            return None if found is None else (self._by_id[found[0]], found[1])
        value = record.content_hash if strategy == DedupStrategy.CONTENT_HASH else composite_key(
            self.config.keys, record.data
        )
        exact = None if value is None else self._exact.get(value)
        if exact is None or exact.shard_id in self.claimed:
            return None
        return exact, None


def plan_page(
    records: Sequence[Incoming],
    config: DedupConfig,
    *,
    linked: Mapping[str, Candidate],
    candidates: Sequence[Candidate] = (),
    create_new: bool = True,
    new_shard_id: Callable[[Incoming], str],
) -> list[Decision]:
    """One Decision per record, in page order (see the module docstring for the rules)."""
    last_index = {record.external_id: i for i, record in enumerate(records)}
    matcher = _Matcher(config, candidates)
    matcher.claimed.update(candidate.shard_id for candidate in linked.values())
    decisions: list[Decision] = []
    for index, record in enumerate(records):
        decisions.append(_decide(index, record, last_index, linked, matcher, create_new, new_shard_id))
    return decisions


def _decide(
    index: int,
    record: Incoming,
    last_index: Mapping[str, int],
    linked: Mapping[str, Candidate],
    matcher: _Matcher,
    create_new: bool,
    new_shard_id: Callable[[Incoming], str],
) -> Decision:
    external_id, digest = record.external_id, record.content_hash
    if last_index[external_id] != index:
        return Decision(index, external_id, DedupAction.SKIP, None, digest)
    existing = linked.get(external_id)
    if existing is not None:
        # A soft-deleted shard whose record came back is restored: an update, even if equal.
        unchanged = not existing.deleted and existing.content_hash == digest
        action = DedupAction.UNCHANGED if unchanged else DedupAction.UPDATE
        return Decision(index, external_id, action, existing.shard_id, digest)
    found = matcher.match(record) if matcher.matches else None
    if found is not None:
        candidate, score = found
        matcher.claimed.add(candidate.shard_id)
        return Decision(index, external_id, DedupAction.LINK, candidate.shard_id, digest, score)
    if not create_new:
        return Decision(index, external_id, DedupAction.SKIP, None, digest)
    return Decision(index, external_id, DedupAction.CREATE, new_shard_id(record), digest)


def tally(decisions: Sequence[Decision]) -> RunStats:
    """Run counters for a page's decisions (a link writes the shard, so it counts as updated)."""
    counts = {action: 0 for action in DedupAction}
    for decision in decisions:
        counts[decision.action] += 1
    return RunStats(
        created=counts[DedupAction.CREATE],
        updated=counts[DedupAction.UPDATE] + counts[DedupAction.LINK],
        unchanged=counts[DedupAction.UNCHANGED],
        skipped=counts[DedupAction.SKIP],
    )
