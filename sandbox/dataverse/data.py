"""Deterministic Dataverse rows: the same seed and count always give the same accounts and contacts."""

from __future__ import annotations

import random
import uuid
from typing import Any

from sandbox.dataverse.records import DvRecord
from sandbox.dataverse.schema import SPECS
from sandbox.names import CITIES, COMPANY_SUFFIXES, COMPANY_WORDS, FIRST_NAMES, LAST_NAMES, TITLES

BASE_MS = 1_748_736_000_000  # 2025-06-01T00:00:00Z
STEP_MS = 43
BASE_VERSION = 1_000_000


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _accounts(n: int, rng: random.Random) -> list[dict[str, Any]]:
    words, suffixes = rng.choices(COMPANY_WORDS, k=n), rng.choices(COMPANY_SUFFIXES, k=n)
    cities = rng.choices(CITIES, k=n)
    sizes = rng.choices(range(1, 5_000), k=n)
    return [
        {"name": f"{words[i]} {suffixes[i]} {i + 1}", "accountnumber": f"AC-{i + 1:07d}",
         "telephone1": f"+1 555 {i % 10_000:04d}", "emailaddress1": f"info@{words[i].lower()}{i + 1}.example.com",
         "websiteurl": f"https://{words[i].lower()}{i + 1}.example.com", "address1_city": cities[i][0],
         "address1_country": cities[i][1], "revenue": float(sizes[i] * 25_000), "numberofemployees": sizes[i]}
        for i in range(n)
    ]


def _contacts(n: int, rng: random.Random, accounts: list[str]) -> list[dict[str, Any]]:
    firsts, lasts = rng.choices(FIRST_NAMES, k=n), rng.choices(LAST_NAMES, k=n)
    titles, cities = rng.choices(TITLES, k=n), rng.choices(CITIES, k=n)
    parents = rng.choices(accounts, k=n) if accounts else [None] * n
    return [
        {"firstname": firsts[i], "lastname": lasts[i],
         "emailaddress1": f"{firsts[i]}.{lasts[i]}.{i + 1}@example.com".lower().replace(" ", ""),
         "telephone1": f"+1 555 {(i * 7) % 10_000:04d}", "jobtitle": titles[i], "address1_city": cities[i][0],
         "_parentcustomerid_value": parents[i]}
        for i in range(n)
    ]


def account_ids(n: int, seed: int) -> list[str]:
    rng = random.Random(f"{seed}:dataverse:accounts:ids")
    return [_guid(rng) for _ in range(n)]


def generate(set_name: str, n: int, seed: int) -> list[DvRecord]:
    """`n` rows; row versions and modifiedon follow one shuffled order, as if edited over time."""
    rng = random.Random(f"{seed}:dataverse:{set_name}")
    spec = SPECS[set_name]
    if set_name == "accounts":
        ids, rows = account_ids(n, seed), _accounts(n, rng)
    else:
        ids, rows = [_guid(rng) for _ in range(n)], _contacts(n, rng, account_ids(n, seed))
    order = list(range(n))
    rng.shuffle(order)
    offset = 0 if set_name == "accounts" else n  # versions are unique across the org
    records = []
    for i, (record_id, row) in enumerate(zip(ids, rows, strict=True)):
        values: dict[str, Any] = dict.fromkeys(spec.attributes)
        values.update(row)
        records.append(DvRecord(record_id, values, BASE_MS + order[i] * STEP_MS, BASE_MS - (n - i) * 1_000,
                                BASE_VERSION + offset + order[i]))
    return records


def max_generated(n: int) -> tuple[int, int]:
    """Upper bounds of the generated (stamp, row version)."""
    return BASE_MS + n * STEP_MS, BASE_VERSION + 2 * n
