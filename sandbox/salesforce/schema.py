"""The sObjects the sandbox knows, as data: fields and their types, required fields, relationships.

Ids follow Salesforce's layout: a 3-character key prefix per object, 15 case-sensitive characters, then
the 3-character case-insensitivity checksum, so an adapter that validates ids accepts ours.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field


class FieldType(enum.Enum):
    ID = "id"
    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"


S, N, B, D, DT, ID = (FieldType.STRING, FieldType.NUMBER, FieldType.BOOLEAN, FieldType.DATE,
                      FieldType.DATETIME, FieldType.ID)

SYSTEM_FIELDS: dict[str, FieldType] = {
    "Id": ID, "IsDeleted": B, "CreatedDate": DT, "LastModifiedDate": DT, "SystemModstamp": DT,
}
READ_ONLY = frozenset(SYSTEM_FIELDS)
EXTERNAL_ID_FIELD = "External_Id__c"


@dataclass(frozen=True)
class SObjectSpec:
    """One sObject type. `relationships` maps a relationship name (Owner) to (target object, id field)."""

    name: str
    prefix: str
    fields: dict[str, FieldType]
    required: tuple[str, ...] = ()
    relationships: dict[str, tuple[str, str]] = field(default_factory=dict)
    external_ids: tuple[str, ...] = (EXTERNAL_ID_FIELD,)


def _spec(name: str, prefix: str, own: dict[str, FieldType], **kwargs: object) -> SObjectSpec:
    return SObjectSpec(name, prefix, {**SYSTEM_FIELDS, **own}, **kwargs)  # type: ignore[arg-type]


USER = _spec("User", "005", {"Name": S, "Email": S, "IsActive": B}, external_ids=())
ACCOUNT = _spec(
    "Account", "001",
    {"Name": S, "Industry": S, "Type": S, "AnnualRevenue": N, "NumberOfEmployees": N, "Phone": S,
     "Website": S, "BillingCity": S, "BillingCountry": S, "Description": S, "OwnerId": ID,
     EXTERNAL_ID_FIELD: S},
    required=("Name",), relationships={"Owner": ("User", "OwnerId")},
)
CONTACT = _spec(
    "Contact", "003",
    {"FirstName": S, "LastName": S, "Email": S, "Phone": S, "Title": S, "MailingCity": S,
     "AccountId": ID, "OwnerId": ID, EXTERNAL_ID_FIELD: S},
    required=("LastName",), relationships={"Owner": ("User", "OwnerId"), "Account": ("Account", "AccountId")},
)
OPPORTUNITY = _spec(
    "Opportunity", "006",
    {"Name": S, "StageName": S, "Amount": N, "Probability": N, "CloseDate": D, "AccountId": ID,
     "OwnerId": ID, EXTERNAL_ID_FIELD: S},
    required=("Name", "StageName", "CloseDate"),
    relationships={"Owner": ("User", "OwnerId"), "Account": ("Account", "AccountId")},
)

SPECS: dict[str, SObjectSpec] = {s.name: s for s in (ACCOUNT, CONTACT, OPPORTUNITY, USER)}
QUERYABLE = ("Account", "Contact", "Opportunity", "User")
_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def checksum(base15: str) -> str:
    """Salesforce's 3-character suffix: one character per 5-character chunk, flagging its upper-case letters."""
    suffix = ""
    for chunk in (base15[0:5], base15[5:10], base15[10:15]):
        flags = sum(1 << i for i, ch in enumerate(chunk) if ch.isupper())
        suffix += _CHECKSUM_ALPHABET[flags]
    return suffix


@functools.cache
def _first_chunk_suffix(prefix: str) -> str:
    return checksum(f"{prefix}Sb0000000000")[0]


def make_id(prefix: str, number: int) -> str:
    """An 18-character id: key prefix, pod marker `Sb`, ten digits, checksum (digit chunks always give `A`)."""
    return f"{prefix}Sb{number:010d}{_first_chunk_suffix(prefix)}AA"


@functools.cache
def stored_fields(object_name: str) -> tuple[str, ...]:
    """The fields a record stores as values: Id first, then the non-system fields in schema order."""
    return ("Id", *(f for f in SPECS[object_name].fields if f not in READ_ONLY))


def spec_for(name: str) -> SObjectSpec | None:
    """Case-insensitive lookup, as Salesforce matches object names."""
    for key, spec in SPECS.items():
        if key.lower() == name.lower():
            return spec
    return None
