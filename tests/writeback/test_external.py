"""What write-back sends per provider: writable fields, ids learnt on create, exactly-once creates."""

from __future__ import annotations

from core.models import EntityMapping
from writeback.external import idempotent_creates, known_after_create, write_mapper


def mapping(*sources: str) -> EntityMapping:
    return EntityMapping.model_validate({
        "externalEntity": "X", "shardTypeId": "x", "direction": "push",
        "fieldMappings": [{"source": s, "target": f"t{i}"} for i, s in enumerate(sources)],
    })


def test_salesforce_sends_plain_fields_but_never_ids_system_fields_or_relationships() -> None:
    writer = write_mapper("salesforce", mapping("Name", "Id", "LastModifiedDate", "Owner.Email"))
    assert writer.to_external({"t0": "Acme", "t1": "001X", "t2": "2026", "t3": "a@x"}) == {"Name": "Acme"}


def test_hubspot_writes_properties_flat_and_nothing_else() -> None:
    writer = write_mapper("hubspot", mapping("properties.name", "id", "updatedAt"))
    assert writer.to_external({"t0": "Acme", "t1": "12", "t2": "2026"}) == {"name": "Acme"}


def test_the_record_id_is_known_after_a_create() -> None:
    assert known_after_create("salesforce", mapping("Name", "Id"), "001X") == {"t1": "001X"}
    assert known_after_create("hubspot", mapping("properties.name", "id"), "12") == {"t1": "12"}
    assert known_after_create("gong", mapping("id"), "9") == {}


def test_creates_are_exactly_once_only_with_a_provider_key() -> None:
    assert idempotent_creates("dynamics", {}, "accounts")
    assert idempotent_creates("salesforce", {"externalIdFields": {"Account": "External_Id__c"}}, "Account")
    assert not idempotent_creates("salesforce", {"externalIdFields": {"Contact": "External_Id__c"}}, "Account")
    assert idempotent_creates("hubspot", {"uniqueProperties": {"companies": "external_id"}}, "companies")
    assert not idempotent_creates("hubspot", {}, "companies")
