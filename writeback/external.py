"""The provider fields write-back sends: the entity mapping as seen from the write side.

Most providers' records are flat (Salesforce ``Name``), so a field mapped from a plain source is
written back to it and a dotted source (``Owner.Email``, a relationship) is read-only. HubSpot nests
an object's fields under ``properties`` in what it returns, but write bodies take the property names
(the adapter wraps them in ``{"properties": ...}``): ``properties.name`` is written as ``name``, and
its other top-level fields (``id``, ``createdAt``...) are read-only.
"""

from __future__ import annotations

from core.mapping import Mapper, compile_mapping
from core.models import EntityMapping

_NESTED_WRITES: dict[str, str] = {"hubspot": "properties."}
# Record ids and system fields the provider sets itself: never sent (Salesforce rejects them on insert).
_READ_ONLY: dict[str, frozenset[str]] = {
    "salesforce": frozenset({"Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate",
                             "LastModifiedById", "SystemModstamp"}),
    "dynamics": frozenset({"createdon", "modifiedon", "versionnumber"}),
}
# Providers whose adapter makes every keyed create an upsert (Dataverse derives the row id from the key).
_IDEMPOTENT_CREATES = frozenset({"dynamics"})
# The field holding the provider's record id, known once a create returns.
_ID_FIELD: dict[str, str] = {"salesforce": "Id", "hubspot": "id"}


def write_mapping(provider: str, mapping: EntityMapping) -> EntityMapping:
    """``mapping`` with the sources written back; fields the provider does not take are dropped."""
    prefix = _NESTED_WRITES.get(provider)
    read_only = _READ_ONLY.get(provider, frozenset())
    if prefix is None:
        fields = [f for f in mapping.field_mappings if f.source not in read_only]
    else:
        fields = [f.model_copy(update={"source": f.source.removeprefix(prefix)})
                  for f in mapping.field_mappings if f.source.startswith(prefix)]
    # A copy, not a validation: dedup keys may name fields that are not written.
    return mapping.model_copy(update={"field_mappings": fields})


def write_mapper(provider: str, mapping: EntityMapping) -> Mapper:
    """A Mapper whose ``to_external`` gives the provider's write fields."""
    return compile_mapping(write_mapping(provider, mapping))


def known_after_create(provider: str, mapping: EntityMapping, external_id: str) -> dict[str, str]:
    """Shard fields a create makes known: the targets mapped from the provider's record id. Stored on
    the shard, they make its projection match the next pull of the record (echo suppression)."""
    id_field = _ID_FIELD.get(provider)
    return {f.target: external_id for f in mapping.field_mappings if f.source == id_field and not f.transforms}


def idempotent_creates(provider: str, connection: dict[str, object], entity: str) -> bool:
    """Whether a keyed create of ``entity`` is an upsert (exactly once): always on Dataverse, else when the
    connection names an external id field (Salesforce ``externalIdFields``, HubSpot ``uniqueProperties``)."""
    if provider in _IDEMPOTENT_CREATES:
        return True
    for key in ("externalIdFields", "uniqueProperties"):
        fields = connection.get(key)
        if isinstance(fields, dict) and fields.get(entity):
            return True
    return False
