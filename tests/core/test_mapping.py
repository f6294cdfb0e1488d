"""Field mapping: paths, each transform, value maps, defaults, required, per-field errors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from core.hashing import content_hash
from core.mapping import MappingError, RecordMappingError, compile_mapping, compile_path
from core.models import EntityMapping


def _mapper(*fields: dict[str, Any]):
    return compile_mapping(EntityMapping.model_validate(
        {"externalEntity": "Account", "shardTypeId": "account", "fieldMappings": list(fields)}
    ))


@pytest.mark.parametrize(
    ("path", "record", "expected"),
    [
        ("Name", {"Name": "Acme"}, "Acme"),
        ("Name", {}, None),
        ("Owner.Email", {"Owner": {"Email": "a@b.c"}}, "a@b.c"),
        ("Owner.Email", {"Owner": None}, None),
        ("Owner.Email", {}, None),
        ("Owner.Email", {"Owner": "not a dict"}, None),
        ("Owner.Manager.Email", {"Owner": {"Manager": {"Email": "m@b.c"}}}, "m@b.c"),
        ("Emails.1", {"Emails": ["a", "b"]}, "b"),
        ("Emails.5", {"Emails": ["a"]}, None),
        ("properties.0", {"properties": {"0": "zero"}}, "zero"),
    ],
)
def test_dotted_paths(path: str, record: dict, expected: Any) -> None:
    assert compile_path(path)(record) == expected


@pytest.mark.parametrize(
    ("transform", "value", "expected"),
    [
        ("string", 12, "12"),
        ("string", True, "true"),
        ("string", {"b": 1, "a": 2}, '{"a":2,"b":1}'),
        ("number", "12", 12),
        ("number", " 12.5 ", 12.5),
        ("number", 7, 7),
        ("number", 2.0, 2.0),
        ("integer", "42", 42),
        ("integer", 42.0, 42),
        ("boolean", "Yes", True),
        ("boolean", "false", False),
        ("boolean", 0, False),
        ("boolean", True, True),
        ("datetime", "2026-01-01T00:00:00.000+0000", "2026-01-01T00:00:00Z"),
        ("datetime", "2026-01-01T02:30:00+02:00", "2026-01-01T00:30:00Z"),
        ("datetime", "2026-01-01T00:00:00.250Z", "2026-01-01T00:00:00.250000Z"),
        ("datetime", "2026-01-01", "2026-01-01T00:00:00Z"),
        ("datetime", "2026-01-01T00:00:00", "2026-01-01T00:00:00Z"),
        ("datetime", 1767225600, "2026-01-01T00:00:00Z"),
        ("datetime", "1767225600000", "2026-01-01T00:00:00Z"),
        ("datetime", datetime(2026, 1, 1, tzinfo=UTC), "2026-01-01T00:00:00Z"),
        ("lowercase", "MiXeD", "mixed"),
        ("uppercase", "MiXeD", "MIXED"),
        ("trim", "  x  ", "x"),
        (["trim", "lowercase"], "  A@B.COM ", "a@b.com"),
        ("number", None, None),
    ],
)
def test_transforms(transform: str | list[str], value: Any, expected: Any) -> None:
    mapped = _mapper({"source": "v", "target": "out", "transform": transform}).map_record({"v": value})
    assert mapped == {"out": expected}
    assert type(mapped["out"]) is type(expected)


@pytest.mark.parametrize(
    ("transform", "value", "reason"),
    [
        ("number", "12abc", "is not a number"),
        ("number", True, "boolean is not a number"),
        ("number", "nan", "not a finite number"),
        ("integer", 1.5, "not a whole number"),
        ("boolean", "maybe", "is not a boolean"),
        ("datetime", "yesterday", "not an ISO 8601 datetime"),
        ("datetime", [1], "cannot convert list to datetime"),
        ("lowercase", 5, "lowercase needs text"),
    ],
)
def test_transform_errors_name_the_field(transform: str, value: Any, reason: str) -> None:
    mapper = _mapper({"source": "Raw.V", "target": "out", "transform": transform})
    with pytest.raises(RecordMappingError) as caught:
        mapper.map_record({"Raw": {"V": value}})
    (error,) = caught.value.errors
    assert isinstance(error, MappingError)
    assert (error.field, error.source) == ("out", "Raw.V")
    assert reason in error.reason


@pytest.mark.parametrize(
    ("spec", "record", "expected"),
    [
        ({"valueMap": {"Hot": 3, "Cold": 1}}, {"v": "Hot"}, 3),
        ({"valueMap": {"Hot": 3}}, {"v": "Lukewarm"}, "Lukewarm"),
        ({"valueMap": {"1": "one", "true": "yes"}}, {"v": 1}, "one"),
        ({"valueMap": {"true": "yes"}}, {"v": True}, "yes"),
        ({"transform": "lowercase", "valueMap": {"hot": 3}}, {"v": "HOT"}, 3),
        ({"default": "n/a"}, {}, "n/a"),
        ({"default": 0, "transform": "number"}, {"v": None}, 0),
        ({"default": []}, {}, []),
        ({"required": True}, {"v": 0}, 0),
    ],
)
def test_value_maps_and_defaults(spec: dict, record: dict, expected: Any) -> None:
    assert _mapper({"source": "v", "target": "out", **spec}).map_record(record) == {"out": expected}


def test_mutable_defaults_are_not_shared_between_records() -> None:
    mapper = _mapper({"source": "v", "target": "out", "default": {"tags": []}})
    first, second = mapper.map_page([{}, {}]).records
    assert first is not None and second is not None
    first["out"]["tags"].append("x")
    assert second == {"out": {"tags": []}}


def test_page_keeps_going_and_reports_every_bad_field() -> None:
    mapper = _mapper(
        {"source": "Name", "target": "name", "required": True},
        {"source": "Revenue", "target": "revenue", "transform": "number"},
        {"source": "Owner.Email", "target": "ownerEmail", "transform": "lowercase"},
    )
    page = mapper.map_page([
        {"Name": "Acme", "Revenue": "10", "Owner": {"Email": "A@X.COM"}},
        {"Revenue": "ten"},
        {"Name": "Beta"},
    ])
    assert page.records == [
        {"name": "Acme", "revenue": 10, "ownerEmail": "a@x.com"},
        None,
        {"name": "Beta", "revenue": None, "ownerEmail": None},
    ]
    assert page.failed == 1
    assert [(e.field, e.reason) for e in page.errors[1]] == [
        ("name", "required value is missing"),
        ("revenue", "'ten' is not a number"),
    ]
    expected = {"field": "name", "source": "Name", "reason": "required value is missing"}
    assert page.errors[1][0].to_dict() == expected


def test_one_record_reports_every_bad_field_and_a_good_one_maps_in_order() -> None:
    mapper = _mapper(
        {"source": "A", "target": "a", "transform": "integer"},
        {"source": "B.C", "target": "b"},
        {"source": "D", "target": "d", "required": True},
    )
    with pytest.raises(RecordMappingError) as raised:
        mapper.map_record({"A": "1.5", "B": {"C": 2}})
    assert [(e.field, e.source) for e in raised.value.errors] == [("a", "A"), ("d", "D")]
    mapped = mapper.map_record({"D": 0, "A": "7", "B": {"C": [1]}})
    assert list(mapped.items()) == [("a", 7), ("b", [1]), ("d", 0)]


def test_simple_mapping_fast_path_matches_general_path() -> None:
    fields = ({"source": "Name", "target": "name"}, {"source": "Owner.Email", "target": "ownerEmail"})
    records = [{"Name": "A", "Owner": {"Email": "e"}}, {"Owner": None}, {}]
    fast = _mapper(*fields).map_page(records).records
    slow = _mapper(*fields, {"source": "X", "target": "x", "default": 1}).map_page(records).records
    assert fast == [{k: v for k, v in r.items() if k != "x"} for r in slow if r is not None]


def test_to_external_writes_plain_sources_and_inverts_value_maps() -> None:
    mapper = _mapper(
        {"source": "Name", "target": "name"},
        {"source": "Rating", "target": "rating", "valueMap": {"Hot": 3, "Warm": 2, "Cold": 1}},
        {"source": "Stage", "target": "stage", "valueMap": {"Won": "closed", "Lost": "closed", "Open": "open"}},
        {"source": "Owner.Email", "target": "ownerEmail"},
    )
    data = {"name": "Acme", "rating": 3, "stage": "closed", "ownerEmail": "a@b.c", "extra": 1}
    assert mapper.to_external(data) == {"Name": "Acme", "Rating": "Hot", "Stage": "closed"}
    assert mapper.to_external({"stage": "open", "rating": 9}) == {"Stage": "Open", "Rating": 9}
    assert mapper.to_external(data, fields=["name"]) == {"Name": "Acme"}
    # Round trip for what is writable.
    record = {"Name": "Beta", "Rating": "Cold", "Stage": "Open"}
    assert mapper.to_external(mapper.map_record(record)) == record


def test_project_hashes_like_the_next_pull_of_a_pushed_record() -> None:
    mapper = _mapper(
        {"source": "Name", "target": "name", "transform": "trim"},
        {"source": "Rating", "target": "rating", "valueMap": {"Hot": 3}},
    )
    shard_data = {"name": "Acme", "rating": 3, "fromAnotherIntegration": True}
    pushed = mapper.to_external(shard_data)
    assert content_hash(mapper.project(shard_data)) == content_hash(mapper.map_record(pushed))
