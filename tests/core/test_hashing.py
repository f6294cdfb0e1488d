"""Content hashes: equal for JSON-equal data, different for any real change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.hashing import canonical_json, content_hash


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),
        ({"n": 1.0}, {"n": 1}),
        ({"n": [1.0, {"x": 2.0}]}, {"n": [1, {"x": 2}]}),
        ({"t": ("a", "b")}, {"t": ["a", "b"]}),
        ({"d": datetime(2026, 1, 1, tzinfo=UTC)}, {"d": "2026-01-01T00:00:00Z"}),
    ],
)
def test_equal_data_hashes_equal(a: dict, b: dict) -> None:
    assert content_hash(a) == content_hash(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ({"a": 1}, {"a": 2}),
        ({"a": 1}, {"a": "1"}),
        ({"a": None}, {}),
        ({"a": 1.5}, {"a": 1}),
        ({"a": "x"}, {"a": "x "}),
        ({"a": [1, 2]}, {"a": [2, 1]}),
        ({"a": True}, {"a": 1}),
    ],
)
def test_any_change_changes_the_hash(a: dict, b: dict) -> None:
    assert content_hash(a) != content_hash(b)


def test_hash_is_stable_hex_sha256_of_canonical_json() -> None:
    assert canonical_json({"b": "é", "a": [1.0, None]}) == '{"a":[1,null],"b":"é"}'
    # Pinned so that a change of canonical form (which would mark every record changed) is noticed.
    pinned = "2e52492792c2f947fdc5ae0e84eaf1f9c30e49cb0cccd9d9246f2fd81e6cbaa3"
    assert content_hash({"name": "Acme"}) == pinned
    assert len(content_hash({})) == 64


def test_non_json_values_are_rejected() -> None:
    with pytest.raises(TypeError):
        content_hash({"x": object()})
