"""Ground truth and 'remote edits' on the Salesforce org, for the admin routes."""

from __future__ import annotations

import random
from typing import Any

from sandbox.salesforce.records import SObjectTable
from sandbox.salesforce.render import Projector
from sandbox.salesforce.state import SalesforceState

_DEFAULT_EDITS = {"Account": "Description", "Contact": "Title", "Opportunity": "Name", "User": "Name"}


def dump(sf: SalesforceState, sobject: str, fields: list[str] | None) -> dict[str, Any]:
    """Every live record (all fields, or the given SOQL field list shaped as a query returns it) and the ids
    of the soft-deleted ones."""
    table = sf.table(sobject)
    live = [r for r in table if not r.deleted]
    if fields:
        project = Projector(sf, table, tuple(fields), "65.0")
        records = [{k: v for k, v in project(r).items() if k != "attributes"} for r in live]
    else:
        records = [r.api_values() for r in live]
    return {"object": table.spec.name, "count": len(records), "records": records,
            "deleted_ids": [r.id for r in table if r.deleted]}


def _targets(table: SObjectTable, body: dict[str, Any], rng: random.Random) -> list[str]:
    if body.get("ids"):
        return [str(i) for i in body["ids"]]
    live = [r.id for r in table if not r.deleted]
    return rng.sample(live, min(int(body.get("count", 1)), len(live)))


def update(sf: SalesforceState, sobject: str, body: dict[str, Any], rng: random.Random) -> list[str]:
    """Edit the given or N random live records; each edit gets a new SystemModstamp."""
    table = sf.table(sobject)
    fields = table.normalize(body["fields"]) if body.get("fields") else None
    ids = _targets(table, body, rng)
    for n, record_id in enumerate(ids):
        changes = fields or {_DEFAULT_EDITS[table.spec.name]: f"remote edit {rng.randrange(10**9)}-{n}"}
        table.update(record_id, changes)
    return ids


def delete(sf: SalesforceState, sobject: str, body: dict[str, Any], rng: random.Random) -> list[str]:
    table = sf.table(sobject)
    ids = _targets(table, body, rng)
    for record_id in ids:
        table.delete(record_id)
    return ids


def _new_values(sobject: str, k: int) -> dict[str, Any]:
    if sobject == "Contact":
        return {"FirstName": "Remote", "LastName": f"Contact {k}", "Email": f"remote.{k}@example.com"}
    if sobject == "Opportunity":
        return {"Name": f"Remote Deal {k}", "StageName": "Prospecting", "CloseDate": "2026-12-31"}
    return {"Name": f"Remote Account {k}"}


def create(sf: SalesforceState, sobject: str, body: dict[str, Any], rng: random.Random) -> list[str]:
    table = sf.table(sobject)
    rows = body.get("records") or [_new_values(table.spec.name, rng.randrange(10**9))
                                   for _ in range(int(body.get("count", 1)))]
    return [table.create(table.normalize(row)).id for row in rows]
