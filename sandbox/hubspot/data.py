"""Deterministic HubSpot data: the same seed and count always give the same companies and contacts."""

from __future__ import annotations

import random

from sandbox.hubspot.records import HsRecord
from sandbox.hubspot.schema import SPECS
from sandbox.names import (
    CITIES,
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    FIRST_NAMES,
    INDUSTRIES,
    LAST_NAMES,
    LIFECYCLE_STAGES,
    TITLES,
)

BASE_MS = 1_748_736_000_000  # 2025-06-01T00:00:00Z
STEP_MS = 41


def _companies(n: int, rng: random.Random) -> list[dict[str, str | None]]:
    words, suffixes = rng.choices(COMPANY_WORDS, k=n), rng.choices(COMPANY_SUFFIXES, k=n)
    industries, cities = rng.choices(INDUSTRIES, k=n), rng.choices(CITIES, k=n)
    sizes = rng.choices(range(1, 5_000), k=n)
    return [
        {"name": f"{words[i]} {suffixes[i]} {i + 1}", "domain": f"{words[i]}{i + 1}.example.com".lower(),
         "industry": industries[i].upper(), "city": cities[i][0], "country": cities[i][1],
         "phone": f"+1 555 {i % 10_000:04d}", "numberofemployees": str(sizes[i]),
         "annualrevenue": str(sizes[i] * 25_000)}
        for i in range(n)
    ]


def _contacts(n: int, rng: random.Random) -> list[dict[str, str | None]]:
    firsts, lasts = rng.choices(FIRST_NAMES, k=n), rng.choices(LAST_NAMES, k=n)
    titles, cities = rng.choices(TITLES, k=n), rng.choices(CITIES, k=n)
    stages, companies = rng.choices(LIFECYCLE_STAGES, k=n), rng.choices(COMPANY_WORDS, k=n)
    return [
        {"email": f"{firsts[i]}.{lasts[i]}.{i + 1}@example.com".lower().replace(" ", ""),
         "firstname": firsts[i], "lastname": lasts[i], "phone": f"+1 555 {(i * 7) % 10_000:04d}",
         "company": companies[i], "jobtitle": titles[i], "city": cities[i][0], "lifecyclestage": stages[i]}
        for i in range(n)
    ]


_BUILDERS = {"companies": _companies, "contacts": _contacts}


def generate(object_type: str, n: int, seed: int) -> list[HsRecord]:
    """`n` records of `object_type` with distinct modification stamps shuffled relative to ids."""
    rng = random.Random(f"{seed}:hubspot:{object_type}")
    spec = SPECS[object_type]
    rows = _BUILDERS[object_type](n, rng)
    order = list(range(n))
    rng.shuffle(order)
    records = []
    for i, row in enumerate(rows):
        props: dict[str, str | None] = dict.fromkeys(spec.properties)
        props.update(row)
        records.append(HsRecord(spec.id_base + i + 1, props, BASE_MS - (n - i) * 10, BASE_MS + order[i] * STEP_MS))
    return records


def max_generated_stamp(n: int) -> int:
    return BASE_MS + n * STEP_MS
