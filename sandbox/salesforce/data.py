"""Deterministic Salesforce data: the same seed and count always give the same records.

Columns are drawn in bulk (`Random.choices`) rather than field by field, which keeps 100,000 records
to a fraction of a second. Modification stamps are distinct and shuffled relative to ids, so ordering by
SystemModstamp differs from ordering by Id, as in a real org.
"""

from __future__ import annotations

import random
from typing import Any

from sandbox.names import (
    ACCOUNT_TYPES,
    CITIES,
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    FIRST_NAMES,
    INDUSTRIES,
    LAST_NAMES,
    STAGES,
    TITLES,
)
from sandbox.salesforce.records import SfRecord
from sandbox.salesforce.schema import make_id, stored_fields

BASE_MS = 1_748_736_000_000  # 2025-06-01T00:00:00Z: generated history sits well before any live change
STEP_MS = 37
USER_COUNT = 25


def _stamps(rng: random.Random, n: int) -> tuple[list[int], list[int]]:
    order = list(range(n))
    rng.shuffle(order)
    modstamps = [BASE_MS + pos * STEP_MS for pos in order]
    created = [BASE_MS - (n - i) * 10 for i in range(n)]
    return modstamps, created


def _users(n: int, rng: random.Random) -> list[dict[str, Any]]:
    return [
        {"Id": make_id("005", i + 1), "Name": f"{first} {last}", "Email": f"{first}.{last}@example.com".lower(),
         "IsActive": True}
        for i, (first, last) in enumerate(zip(rng.choices(FIRST_NAMES, k=n), rng.choices(LAST_NAMES, k=n),
                                              strict=True))
    ]


def _accounts(n: int, rng: random.Random) -> list[dict[str, Any]]:
    words, suffixes = rng.choices(COMPANY_WORDS, k=n), rng.choices(COMPANY_SUFFIXES, k=n)
    industries, types, cities = rng.choices(INDUSTRIES, k=n), rng.choices(ACCOUNT_TYPES, k=n), rng.choices(CITIES, k=n)
    owners = rng.choices(range(1, USER_COUNT + 1), k=n)
    revenue = [r * 1_000 for r in rng.choices(range(1, 50_000), k=n)]
    rows = []
    for i in range(n):
        name = f"{words[i]} {suffixes[i]} {i + 1}"
        slug = f"{words[i]}{i + 1}".lower()
        rows.append({
            "Id": make_id("001", i + 1), "Name": name, "Industry": industries[i], "Type": types[i],
            "AnnualRevenue": float(revenue[i]), "NumberOfEmployees": revenue[i] // 20_000 + 1,
            "Phone": f"+1 555 {i % 10_000:04d}", "Website": f"https://{slug}.example.com",
            "BillingCity": cities[i][0], "BillingCountry": cities[i][1], "Description": None,
            "OwnerId": make_id("005", owners[i]), "External_Id__c": None,
        })
    return rows


def _contacts(n: int, rng: random.Random) -> list[dict[str, Any]]:
    firsts, lasts, titles = rng.choices(FIRST_NAMES, k=n), rng.choices(LAST_NAMES, k=n), rng.choices(TITLES, k=n)
    cities, owners = rng.choices(CITIES, k=n), rng.choices(range(1, USER_COUNT + 1), k=n)
    accounts = rng.choices(range(0, max(n, 1) + 1), k=n)  # 0 = no account
    rows = []
    for i in range(n):
        email = f"{firsts[i]}.{lasts[i]}.{i + 1}@example.com".lower().replace(" ", "")
        rows.append({
            "Id": make_id("003", i + 1), "FirstName": firsts[i], "LastName": lasts[i], "Email": email,
            "Phone": f"+1 555 {(i * 7) % 10_000:04d}", "Title": titles[i], "MailingCity": cities[i][0],
            "AccountId": make_id("001", accounts[i]) if accounts[i] else None,
            "OwnerId": make_id("005", owners[i]), "External_Id__c": None,
        })
    return rows


def _opportunities(n: int, rng: random.Random) -> list[dict[str, Any]]:
    stages, owners = rng.choices(STAGES, k=n), rng.choices(range(1, USER_COUNT + 1), k=n)
    accounts, days = rng.choices(range(1, max(n, 1) + 1), k=n), rng.choices(range(1, 28), k=n)
    return [
        {"Id": make_id("006", i + 1), "Name": f"Deal {i + 1}", "StageName": stages[i],
         "Amount": float((i % 97 + 1) * 1_000), "Probability": float(10 * (STAGES.index(stages[i]) + 1)),
         "CloseDate": f"2026-{(i % 12) + 1:02d}-{days[i]:02d}", "AccountId": make_id("001", accounts[i]),
         "OwnerId": make_id("005", owners[i]), "External_Id__c": None}
        for i in range(n)
    ]


_BUILDERS = {"Account": _accounts, "Contact": _contacts, "Opportunity": _opportunities}


def generate(object_name: str, n: int, seed: int) -> list[SfRecord]:
    """`n` records of `object_name` (the User table always has a fixed small size)."""
    rng = random.Random(f"{seed}:salesforce:{object_name}")
    rows = _users(USER_COUNT, rng) if object_name == "User" else _BUILDERS[object_name](n, rng)
    modstamps, created = _stamps(rng, len(rows))
    fields = stored_fields(object_name)
    records = []
    for row, stamp, born in zip(rows, modstamps, created, strict=True):
        values = dict.fromkeys(fields)
        values.update(row)
        records.append(SfRecord(values, stamp, born))
    return records


def max_generated_stamp(n: int) -> int:
    """An upper bound of the stamps `generate` can produce for `n` records."""
    return BASE_MS + max(n, USER_COUNT) * STEP_MS
