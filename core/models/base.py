"""Shared building blocks of the wire models: camelCase aliases, UTC datetimes, 422 details.

Every model crosses a boundary (HTTP, store, activity input) as camelCase JSON:
``Model.model_validate(data)`` on entry, ``model.to_wire()`` (``model_dump(mode="json",
by_alias=True)``) on exit. Python code uses the snake_case attribute names.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, ValidationError
from pydantic.alias_generators import to_camel


def _as_utc(value: datetime) -> datetime:
    # Naive datetimes are read as UTC (the engine never deals in local time); aware ones are converted.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]
"""A datetime normalised to UTC; serialised as ISO 8601 with ``Z``."""

Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
"""Tenant, integration, shard, run ids: safe in URLs and as Cosmos ids (no ``/ \\ ? #``)."""

TEXT_MAX_LENGTH = 1000
"""The longest ``NonEmptyStr`` (code that builds documents without the models checks it too)."""

NonEmptyStr = Annotated[str, StringConstraints(min_length=1, max_length=TEXT_MAX_LENGTH)]


class CamelModel(BaseModel):
    """Base of every wire model: camelCase aliases, snake_case attributes, unknown fields rejected."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        use_enum_values=False,
    )

    def to_wire(self, *, exclude_none: bool = False) -> dict[str, Any]:
        """JSON-native camelCase dict (secrets stay masked as ``**********``)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=exclude_none)


class DocumentModel(CamelModel):
    """A model that is also a stored document: unknown fields are ignored, so that documents
    written by a newer version, or carrying store metadata, still load."""

    model_config = ConfigDict(extra="ignore")


# Discriminated unions put the tag value into an error's location
# (``syncFrequency.cron.cronExpression``); clients should see the field path only.
_TAGGED_UNION_FIELDS: dict[str, frozenset[str]] = {
    "syncFrequency": frozenset({"interval", "cron", "manual"}),
}
_ROOT_UNION_TAGS: set[str] = set()


def register_root_union_tags(tags: frozenset[str] | set[str]) -> None:
    """Tags of unions validated at the root (credentials) to drop from error locations."""
    _ROOT_UNION_TAGS.update(tags)


_SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


def _is_union_member(segment: str) -> bool:
    # Smart unions name the member type in the location (``str-enum[Transform]``); field names
    # never contain brackets.
    return "[" in segment


def _is_union_tag(index: int, segment: str, previous: int | str | None) -> bool:
    if index == 0:
        return segment in _ROOT_UNION_TAGS
    return isinstance(previous, str) and segment in _TAGGED_UNION_FIELDS.get(previous, ())


def _field_path(loc: tuple[int | str, ...]) -> tuple[str, bool]:
    """The client-facing path of an error location, and whether a union member was dropped."""
    parts: list[str] = []
    dropped_member = False
    previous: int | str | None = None
    for index, segment in enumerate(loc):
        if isinstance(segment, int):
            parts.append(f"[{segment}]")
        elif _is_union_member(segment):
            dropped_member = True
            continue
        elif not _is_union_tag(index, segment, previous):
            # Errors on defaulted fields carry the Python name; clients know the camelCase one.
            name = to_camel(segment) if _SNAKE.match(segment) else segment
            parts.append(name if not parts else f".{name}")
        previous = segment
    return "".join(parts), dropped_member


def _message(error: Any) -> str:
    message = str(error["msg"])
    return message[len("Value error, "):] if message.startswith("Value error, ") else message


def validation_details(exc: ValidationError) -> list[dict[str, str]]:
    """One ``{"field": "entityMappings[0].direction", "message": ...}`` per bad field, for a 422.

    The input value is deliberately left out: it may be a secret.
    """
    entries: list[tuple[str, bool, str]] = []
    for error in exc.errors(include_url=False, include_input=False):
        field, union_member = _field_path(tuple(error["loc"]))
        if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
            # The discriminator itself is the bad field.
            tag = str(error.get("ctx", {}).get("discriminator", "type")).strip("'")
            field = f"{field}.{tag}" if field else tag
        entries.append((field or "body", union_member, _message(error)))
    # When every member of a union failed, report the member that got furthest
    # (``transform[1]`` over ``transform``) and one message per field.
    member_fields = {field for field, member, _ in entries if member}
    details: list[dict[str, str]] = []
    seen: set[str] = set()
    for field, member, message in entries:
        if member and (field in seen or any(f.startswith((f"{field}[", f"{field}.")) for f in member_fields)):
            continue
        seen.add(field)
        details.append({"field": field, "message": message})
    return details
