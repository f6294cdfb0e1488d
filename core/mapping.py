"""Field mapping: turn provider records into shard ``structuredData``, a page at a time.

``compile_mapping(entity_mapping)`` does the per-mapping work once (path splitting,
transform lookup, value-map keys); ``Mapper.map_page(records)`` then runs a tight loop per
record. A record whose fields fail does not stop the page: its errors come back as
``MappingError`` values (field, source, reason) and the others are mapped.

Per field, in order: read ``source`` (a dotted path; a missing key or a ``None`` on the way
gives ``None``; digits index lists), apply the transform chain, look the result up in
``valueMap`` (unmapped values pass through), use ``default`` if the result is ``None``, and
report a ``required`` field that is still ``None``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.models.integration import EntityMapping, FieldMapping
from core.transforms import TRANSFORMS, TransformError, to_string

Getter = Callable[[Mapping[str, Any]], Any]


class MappingError(ValueError):
    """One field of one record could not be mapped."""

    def __init__(self, field: str, reason: str, source: str | None = None) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.source = source

    def to_dict(self) -> dict[str, str | None]:
        """JSON-safe form (for run errors and dead letters); never includes the value."""
        return {"field": self.field, "source": self.source, "reason": self.reason}


class RecordMappingError(ValueError):
    """A whole record failed: one ``MappingError`` per bad field."""

    def __init__(self, errors: list[MappingError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


@dataclass(slots=True)
class MappedPage:
    """Result of mapping a page; ``records`` is aligned with the input (``None`` where it failed)."""

    records: list[dict[str, Any] | None]
    errors: dict[int, list[MappingError]] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return len(self.errors)


def compile_path(path: str) -> Getter:
    """A getter for a dotted ``path``; ``None`` when any step is missing or not a container."""
    parts = tuple(path.split("."))
    if len(parts) == 1:
        key = parts[0]
        return lambda record: record.get(key)
    # Per step: the key to read from an object and, for a digit step, the index to read from a list.
    steps = tuple((str(int(p)), int(p)) if p.isdigit() else (p, None) for p in parts)

    def get(record: Mapping[str, Any]) -> Any:
        node: Any = record
        for key, index in steps:
            if type(node) is dict or isinstance(node, Mapping):  # the exact type first: ABC checks cost more
                node = node.get(key)
            elif index is not None and isinstance(node, list):
                node = node[index] if index < len(node) else None
            else:
                return None
            if node is None:
                return None
        return node

    return get


def _map_key(value: Any) -> str:
    # valueMap keys are JSON object keys, so always strings: 1 -> "1", True -> "true".
    return value if isinstance(value, str) else to_string(value)


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) or value is None else repr(value)


def _invert(value_map: Mapping[str, Any] | None) -> dict[Any, str] | None:
    """The inverse of a value map; values mapped from several keys are left as they are."""
    if not value_map:
        return None
    counts: dict[Any, int] = {}
    for value in value_map.values():
        counts[_hashable(value)] = counts.get(_hashable(value), 0) + 1
    return {_hashable(v): k for k, v in value_map.items() if counts[_hashable(v)] == 1}


@dataclass(frozen=True, slots=True)
class _CompiledField:
    target: str
    source: str
    get: Getter
    transforms: tuple[Callable[[Any], Any], ...]
    value_map: dict[str, Any] | None
    default: Any
    default_is_mutable: bool
    required: bool


def _compile_field(spec: FieldMapping) -> _CompiledField:
    return _CompiledField(
        target=spec.target,
        source=spec.source,
        get=compile_path(spec.source),
        transforms=tuple(TRANSFORMS[t] for t in spec.transforms),
        value_map=dict(spec.value_map) if spec.value_map else None,
        default=spec.default,
        default_is_mutable=isinstance(spec.default, dict | list),
        required=spec.required,
    )


def _converter(spec: _CompiledField) -> Getter:
    """One function per field, with everything it needs bound as locals (this is the hot loop).

    A plain copy (no transform, map, default or check) is its path getter itself.
    """
    get, target, source = spec.get, spec.target, spec.source
    transforms, value_map, required = spec.transforms, spec.value_map, spec.required
    default, mutable = spec.default, spec.default_is_mutable
    if not transforms and value_map is None and default is None and not required:
        return get

    def convert(record: Mapping[str, Any]) -> Any:
        value = get(record)
        if value is not None:
            try:
                for transform in transforms:
                    value = transform(value)
                if value_map is not None:
                    value = value_map.get(value if type(value) is str else _map_key(value), value)
            except TransformError as exc:
                raise MappingError(target, exc.reason, source) from None
        if value is None:
            if default is not None:
                return copy.deepcopy(default) if mutable else default
            if required:
                raise MappingError(target, "required value is missing", source)
        return value

    return convert


class Mapper:
    """A compiled EntityMapping: maps provider records to ``structuredData`` dicts."""

    __slots__ = ("entity_mapping", "_fields", "_writable", "_converters")

    def __init__(self, entity_mapping: EntityMapping) -> None:
        self.entity_mapping = entity_mapping
        self._fields = tuple(_compile_field(f) for f in entity_mapping.field_mappings)
        self._converters = tuple((f.target, _converter(f)) for f in self._fields)
        # Dotted sources read through relationships (Owner.Email): they cannot be written back.
        self._writable = tuple(
            (f.target, f.source, _invert(f.value_map)) for f in self._fields if "." not in f.source
        )

    @property
    def targets(self) -> list[str]:
        return [f.target for f in self._fields]

    def map_record(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Map one record; raises ``RecordMappingError`` listing every bad field."""
        try:
            return {target: convert(record) for target, convert in self._converters}
        except MappingError:
            return self._field_by_field(record)

    def _field_by_field(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """``map_record`` for a record with a bad field: goes on past it, to report every bad field."""
        out: dict[str, Any] = {}
        errors: list[MappingError] | None = None
        for target, convert in self._converters:
            try:
                out[target] = convert(record)
            except MappingError as exc:
                errors = [exc] if errors is None else [*errors, exc]
        if errors:
            raise RecordMappingError(errors)
        return out

    def project(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The mapped fields of shard ``data``, shaped like ``map_record``'s output.

        Its ``content_hash`` is what the next pull of an unchanged record hashes to, which is
        how write-back recognises the echo of its own push.
        """
        return {target: data.get(target) for target in self.targets}

    def to_external(self, data: Mapping[str, Any], fields: Iterable[str] | None = None) -> dict[str, Any]:
        """The provider fields for shard ``data`` (write-back): target -> source, value maps inverted.

        Only targets present in ``data`` (and in ``fields`` when given) with a plain,
        non-dotted source are written; values are otherwise sent as stored.
        """
        wanted = None if fields is None else set(fields)
        out: dict[str, Any] = {}
        for target, source, inverse in self._writable:
            if target not in data or (wanted is not None and target not in wanted):
                continue
            value = data[target]
            if inverse is not None:
                value = inverse.get(_hashable(value), value)
            out[source] = value
        return out

    def map_page(self, records: Sequence[Mapping[str, Any]] | Iterable[Mapping[str, Any]]) -> MappedPage:
        """Map a page; failed records are ``None`` in ``records`` with their errors by index."""
        converters = self._converters
        mapped: list[dict[str, Any] | None] = []
        errors: dict[int, list[MappingError]] = {}
        for index, record in enumerate(records):
            try:
                mapped.append({target: convert(record) for target, convert in converters})
            except MappingError:
                try:
                    mapped.append(self._field_by_field(record))
                except RecordMappingError as exc:
                    mapped.append(None)
                    errors[index] = exc.errors
        return MappedPage(records=mapped, errors=errors)


def compile_mapping(entity_mapping: EntityMapping) -> Mapper:
    """Compile ``entity_mapping`` once; reuse the Mapper for every page of a run."""
    return Mapper(entity_mapping)
