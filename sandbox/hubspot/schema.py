"""HubSpot object types and their properties, as data. Every property value travels as a string."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ObjectSpec:
    """One CRM object type: writable properties, the defaults a read returns, the modified-date property."""

    name: str
    id_base: int
    properties: tuple[str, ...]
    defaults: tuple[str, ...]
    unique: tuple[str, ...] = ("external_id",)  # unique-value properties (409 on create), usable as idProperty


DATE_PROPERTIES = frozenset({"createdate", "lastmodifieddate", "hs_lastmodifieddate"})
READ_ONLY = frozenset({"hs_object_id", *DATE_PROPERTIES})

COMPANIES = ObjectSpec(
    "companies", 10_000_000,
    ("name", "domain", "industry", "city", "country", "phone", "numberofemployees", "annualrevenue",
     "description", "external_id"),
    ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
)
CONTACTS = ObjectSpec(
    "contacts", 50_000_000,
    ("email", "firstname", "lastname", "phone", "company", "jobtitle", "city", "lifecyclestage", "external_id"),
    ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
    unique=("email", "external_id"),
)
SPECS = {s.name: s for s in (COMPANIES, CONTACTS)}
