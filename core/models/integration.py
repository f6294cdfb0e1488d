"""Integration configuration: the PUT body of api.md plus the server-side fields.

``Integration`` holds both: clients send the configuration, the server fills ``tenantId``,
``integrationId``, ``state``, ``lastSyncAt``, ``nextSyncAt`` and ``etag``. Cosmos system
properties (``_rid``, ``_etag``, ``_ts``...) are dropped on load; every other unknown
field is a 422, so a typo never silently disables a setting.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, PositiveFloat, PositiveInt, ValidationInfo, field_validator, model_validator

from core.models.base import CamelModel, Identifier, NonEmptyStr, UtcDatetime
from core.models.enums import (
    ConflictResolution,
    DedupStrategy,
    FilterOperator,
    IntegrationState,
    Priority,
    Provider,
    RateLimitOperation,
    SyncDirection,
    Transform,
)
from core.models.frequency import IntervalFrequency, SyncFrequency

_SOURCE_PATH = r"^[^.\s]+(\.[^.\s]+)*$"
_TARGET_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


class FieldMapping(CamelModel):
    """One field: read ``source`` (dotted path into the provider record), write ``target``.

    Applied in this order: read, ``transform`` (one or a chain), ``valueMap`` lookup,
    ``default`` when the result is None, then the ``required`` check.
    """

    source: str = Field(min_length=1, max_length=500, pattern=_SOURCE_PATH)
    target: str = Field(min_length=1, max_length=200, pattern=_TARGET_NAME)
    transform: Transform | list[Transform] | None = None
    value_map: dict[str, Any] | None = None
    default: Any = None
    required: bool = False

    @property
    def transforms(self) -> list[Transform]:
        """The transform chain as a list (possibly empty)."""
        if self.transform is None:
            return []
        return [self.transform] if isinstance(self.transform, Transform) else list(self.transform)


class DedupConfig(CamelModel):
    """How incoming records are matched to existing shards. ``keys`` name mapped target fields."""

    strategy: DedupStrategy = DedupStrategy.EXTERNAL_ID
    keys: list[NonEmptyStr] = Field(default_factory=list, validate_default=True)
    threshold: float | None = Field(default=None, gt=0.0, le=1.0)

    @field_validator("keys")
    @classmethod
    def _keys_for_key_strategies(cls, keys: list[str], info: ValidationInfo) -> list[str]:
        strategy = info.data.get("strategy")
        if strategy in (DedupStrategy.COMPOSITE_KEY, DedupStrategy.FUZZY) and not keys:
            raise ValueError(f"strategy {strategy.value} needs at least one key")
        return keys

    @property
    def fuzzy_threshold(self) -> float:
        """The similarity needed for a fuzzy match (default 0.9)."""
        return 0.9 if self.threshold is None else self.threshold


class PullFilter(CamelModel):
    """A provider-side filter on fetched records (the adapter translates it, e.g. to SOQL)."""

    field: NonEmptyStr
    operator: FilterOperator = FilterOperator.EQ
    value: Any = Field(default=None, validate_default=True)

    @field_validator("value")
    @classmethod
    def _value_fits_operator(cls, value: Any, info: ValidationInfo) -> Any:
        is_list = isinstance(value, list)
        if info.data.get("operator") == FilterOperator.IN and not (is_list and value):
            raise ValueError("operator 'in' needs a non-empty list")
        if info.data.get("operator") != FilterOperator.IN and (is_list or isinstance(value, dict)):
            raise ValueError("only operator 'in' takes a list")
        return value


class EntityMapping(CamelModel):
    """Maps one provider entity (``Account``) to one shard type (``account``)."""

    external_entity: NonEmptyStr
    shard_type_id: Identifier
    direction: SyncDirection = SyncDirection.PULL
    create_new: bool = True
    field_mappings: list[FieldMapping] = Field(min_length=1)
    dedup: DedupConfig = Field(default_factory=DedupConfig)
    pull_filters: list[PullFilter] = Field(default_factory=list)

    @field_validator("field_mappings")
    @classmethod
    def _unique_targets(cls, mappings: list[FieldMapping]) -> list[FieldMapping]:
        seen: set[str] = set()
        for mapping in mappings:
            if mapping.target in seen:
                raise ValueError(f"target {mapping.target!r} is mapped more than once")
            seen.add(mapping.target)
        return mappings

    @field_validator("dedup")
    @classmethod
    def _keys_are_mapped(cls, dedup: DedupConfig, info: ValidationInfo) -> DedupConfig:
        mappings = info.data.get("field_mappings")
        if mappings is None:  # already reported on fieldMappings
            return dedup
        targets = {m.target for m in mappings}
        unknown = [key for key in dedup.keys if key not in targets]
        if unknown:
            raise ValueError(f"dedup keys {unknown} are not targets of fieldMappings")
        return dedup


class WriteBack(CamelModel):
    enabled: bool = False


class RateLimitOverrides(CamelModel):
    """Overrides of the provider's default limits; any level left out keeps the default."""

    requests_per_second: PositiveFloat | None = None
    requests_per_minute: PositiveInt | None = None
    requests_per_five_minutes: PositiveInt | None = None
    requests_per_day: PositiveInt | None = None
    operations_per_minute: dict[RateLimitOperation, PositiveInt] | None = None


SERVER_FIELDS = frozenset({
    "tenant_id", "integration_id", "state", "state_reason", "last_sync_at", "next_sync_at",
    "created_at", "updated_at", "etag", "active_run_id",
})
"""Fields the server owns: a client's values for them are replaced, never trusted."""


class Integration(CamelModel):
    """An integration: the client's configuration plus server-side state (see module docstring)."""

    provider: Provider
    display_name: str | None = Field(default=None, max_length=200)
    connection: dict[str, Any]
    entity_mappings: list[EntityMapping] = Field(min_length=1)
    sync_frequency: SyncFrequency = Field(default_factory=lambda: IntervalFrequency(interval_minutes=60))
    nightly_full_sync: bool = False
    priority: Priority = Priority.NORMAL
    write_back: WriteBack = Field(default_factory=WriteBack)
    conflict_resolution: ConflictResolution = ConflictResolution.LOCAL_WINS
    rate_limits: RateLimitOverrides | None = None

    # Server-side fields.
    tenant_id: Identifier | None = None
    integration_id: Identifier | None = None
    state: IntegrationState = IntegrationState.ACTIVE
    state_reason: str | None = None
    last_sync_at: UtcDatetime | None = None
    next_sync_at: UtcDatetime | None = None
    # The run holding the integration's single-flight sync lease (set and cleared with ETag CAS).
    active_run_id: str | None = None
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None
    etag: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _drop_store_metadata(cls, data: Any) -> Any:
        if isinstance(data, dict) and any(isinstance(k, str) and k.startswith("_") for k in data):
            return {k: v for k, v in data.items() if not (isinstance(k, str) and k.startswith("_"))}
        return data

    @field_validator("entity_mappings")
    @classmethod
    def _unique_mappings(cls, mappings: list[EntityMapping]) -> list[EntityMapping]:
        seen: set[tuple[str, str]] = set()
        for mapping in mappings:
            key = (mapping.external_entity, mapping.shard_type_id)
            if key in seen:
                raise ValueError(f"{key[0]} -> {key[1]} is mapped more than once")
            seen.add(key)
        return mappings

    def with_server_fields(self, **fields: Any) -> Integration:
        """A copy with the server-side fields replaced (whatever the client sent for them)."""
        unknown = set(fields) - SERVER_FIELDS
        if unknown:
            raise ValueError(f"not server-side fields: {sorted(unknown)}")
        # Validated again, so that the new values are checked like any input.
        return Integration.model_validate({**self.model_dump(), **fields})

    def mapping_for(self, external_entity: str) -> EntityMapping | None:
        """The first mapping of ``external_entity``, if any."""
        return next((m for m in self.entity_mappings if m.external_entity == external_entity), None)
