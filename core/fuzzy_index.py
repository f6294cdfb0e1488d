"""An in-memory index for fuzzy matching one page of records against candidate shards.

Keys are lists of normalised strings (one per dedup key); the score of a pair is the mean of
the per-key token-sort similarities. Candidates are grouped in blocks by the first three
letters of each word of the first key, and a record is only compared with candidates sharing
a block. Blocks made of a very common word ("company", "the") would make that quadratic, so
from a block larger than ``LARGE_BLOCK`` only the ``NEAREST`` candidates closest in length are
compared; small blocks are compared in full.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection
from dataclasses import dataclass, field

from core.similarity import blocking_tokens, sort_tokens, sorted_ratio

LARGE_BLOCK = 256
NEAREST = 64


@dataclass(slots=True)
class _Block:
    members: list[int] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    ordered: bool = False


class FuzzyIndex:
    """Candidates by id, each with its normalised key parts."""

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._parts: list[list[str]] = []
        self._blocks: dict[str, _Block] = {}

    def add(self, key_id: str, parts: list[str]) -> None:
        index = len(self._ids)
        self._ids.append(key_id)
        self._parts.append([sort_tokens(p) for p in parts])
        for token in blocking_tokens(parts[0]):
            block = self._blocks.setdefault(token, _Block())
            block.members.append(index)
            block.ordered = False

    def _pool(self, first: str) -> set[int]:
        pool: set[int] = set()
        for token in blocking_tokens(first):
            block = self._blocks.get(token)
            if block is None:
                continue
            if len(block.members) <= LARGE_BLOCK:
                pool.update(block.members)
                continue
            if not block.ordered:
                block.members.sort(key=lambda i: len(self._parts[i][0]))
                block.lengths = [len(self._parts[i][0]) for i in block.members]
                block.ordered = True
            middle = bisect_left(block.lengths, len(first))
            start = max(middle - NEAREST // 2, 0)
            pool.update(block.members[start:start + NEAREST])
        return pool

    def best(self, parts: list[str], threshold: float, exclude: Collection[str] = ()) -> tuple[str, float] | None:
        """The most similar candidate scoring at least ``threshold``; ties go to the smaller id."""
        query = [sort_tokens(p) for p in parts]
        count = len(query)
        # The first key must reach this for the mean to reach the threshold.
        first_floor = max(threshold * count - (count - 1), 0.0)
        best: tuple[str, float] | None = None
        for index in self._pool(query[0]):
            key_id = self._ids[index]
            if key_id in exclude:
                continue
            theirs = self._parts[index]
            first = sorted_ratio(query[0], theirs[0], first_floor)
            if first < first_floor:
                continue
            rest = sum(sorted_ratio(a, b) for a, b in zip(query[1:], theirs[1:], strict=True))
            score = (first + rest) / count
            if score >= threshold and (best is None or (-score, key_id) < (-best[1], best[0])):
                best = (key_id, score)
        return best
