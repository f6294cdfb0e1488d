"""The fuzzy index: same answers as brute force on small inputs, bounded work on large blocks."""

from __future__ import annotations

import pytest

from core.fuzzy_index import LARGE_BLOCK, FuzzyIndex
from core.similarity import normalize_name, similarity


def _index(names: dict[str, str]) -> FuzzyIndex:
    index = FuzzyIndex()
    for key_id, name in names.items():
        index.add(key_id, [normalize_name(name)])
    return index


NAMES = {
    "a": "Acme Widgets Inc", "b": "Acme Widget", "c": "Globex Corporation", "d": "Initech LLC",
    "e": "Umbrella Corp", "f": "Acme Gadgets", "g": "Wayne Enterprises", "h": "Stark Industries",
}


@pytest.mark.parametrize(
    "query", ["Acme Widget Co", "Globex", "Initech", "Wayne Enterprise Ltd", "Stark Indstries", "Nothing Alike"]
)
@pytest.mark.parametrize("threshold", [0.6, 0.8, 0.9])
def test_small_index_agrees_with_brute_force(query: str, threshold: float) -> None:
    normalised = normalize_name(query)
    scores = {k: similarity(normalised, normalize_name(v)) for k, v in NAMES.items()}
    # Brute force over candidates sharing a 3-letter word prefix (the blocking rule).
    prefixes = {w[:3] for w in normalised.split()}
    eligible = {k: s for k, s in scores.items()
                if prefixes & {w[:3] for w in normalize_name(NAMES[k]).split()} and s >= threshold}
    expected = min(eligible.items(), key=lambda kv: (-kv[1], kv[0])) if eligible else None
    found = _index(NAMES).best([normalised], threshold)
    assert (found and found[0]) == (expected and expected[0])


def test_excluded_candidates_are_skipped() -> None:
    index = _index({"x": "Acme Widget", "y": "Acme Widgets"})
    assert index.best(["acme widget"], 0.8) == ("x", 1.0)
    found = index.best(["acme widget"], 0.8, exclude={"x"})
    assert found is not None and found[0] == "y"


def test_a_common_word_block_does_not_hide_the_match_nor_cost_quadratic_time() -> None:
    names = {f"c{i:05d}": f"Company {i} Inc" for i in range(LARGE_BLOCK * 8)}
    index = _index(names)
    found = index.best([normalize_name("Company 1234 LLC")], 0.9)
    assert found == ("c01234", 1.0)


def test_multi_key_score_is_the_mean() -> None:
    index = FuzzyIndex()
    index.add("p", ["acme", "paris"])
    index.add("l", ["acme", "lyon"])
    assert index.best(["acme", "paris"], 0.9) == ("p", 1.0)
    found = index.best(["acme", "pariss"], 0.9)
    assert found is not None and found[0] == "p" and 0.9 < found[1] < 1.0
    assert index.best(["acme", "berlin"], 0.9) is None


@pytest.mark.parametrize(("a", "b", "floor"), [("abc", "abcdefghij", 0.5), ("abcd", "wxyz", 0.3)])
def test_similarity_floor_cuts_hopeless_pairs(a: str, b: str, floor: float) -> None:
    assert similarity(a, b) < floor
    assert similarity(a, b, floor) == 0.0
