"""Dataverse entity sets the sandbox knows, as data. `modifiedon`/`createdon` have second resolution, as in
Dataverse; the row version (`versionnumber`, the ETag) orders changes exactly."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.Enum):
    GUID = "guid"
    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"


@dataclass(frozen=True)
class EntitySpec:
    """One table: its entity set name, logical name, key attribute and writable attributes."""

    set_name: str
    logical: str
    key: str
    attributes: dict[str, Kind]


SYSTEM = {"createdon": Kind.DATETIME, "modifiedon": Kind.DATETIME, "versionnumber": Kind.NUMBER}
S, N, G = Kind.STRING, Kind.NUMBER, Kind.GUID

ACCOUNTS = EntitySpec("accounts", "account", "accountid", {
    "name": S, "accountnumber": S, "telephone1": S, "emailaddress1": S, "websiteurl": S, "address1_city": S,
    "address1_country": S, "revenue": N, "numberofemployees": N, "description": S,
})
CONTACTS = EntitySpec("contacts", "contact", "contactid", {
    "firstname": S, "lastname": S, "emailaddress1": S, "telephone1": S, "jobtitle": S, "address1_city": S,
    "_parentcustomerid_value": G, "description": S,
})
SPECS = {s.set_name: s for s in (ACCOUNTS, CONTACTS)}


def kind_of(spec: EntitySpec, name: str) -> Kind | None:
    if name == spec.key:
        return Kind.GUID
    return spec.attributes.get(name) or SYSTEM.get(name)
