"""Deduplication: the four strategies over a page, plus normalisation and similarity."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from core.dedup import (
    Candidate,
    DedupAction,
    Incoming,
    composite_key,
    derive_shard_id,
    index_values,
    may_be_derived,
    plan_page,
    shard_id_deriver,
    tally,
)
from core.hashing import content_hash
from core.models import DedupConfig, Shard
from core.models.run import RunStats
from core.similarity import normalize_name, normalize_text, similarity

C, U, N = DedupAction.CREATE, DedupAction.UPDATE, DedupAction.UNCHANGED
L, S = DedupAction.LINK, DedupAction.SKIP


def _new_id(record: Incoming) -> str:
    return f"new-{record.external_id}"


def _linked(shard_id: str, external_id: str, data: dict[str, Any]) -> Candidate:
    return Candidate(shard_id, data, linked_external_id=external_id, content_hash=content_hash(data))


def _plan(strategy: str, records: list[tuple[str, dict]], *, keys: list[str] | None = None,
          linked: list[Candidate] = (), candidates: list[Candidate] = (), create_new: bool = True,
          threshold: float | None = None) -> list[tuple[DedupAction, str | None]]:
    config = DedupConfig(strategy=strategy, keys=keys or [], threshold=threshold)
    decisions = plan_page(
        [Incoming.of(eid, data) for eid, data in records], config,
        linked={c.linked_external_id: c for c in linked}, candidates=candidates,
        create_new=create_new, new_shard_id=_new_id,
    )
    assert [d.index for d in decisions] == list(range(len(records)))
    return [(d.action, d.shard_id) for d in decisions]


ACME = {"name": "Acme", "email": "a@acme.com"}


@pytest.mark.parametrize("strategy", ["external_id", "content_hash", "composite_key", "fuzzy"])
def test_linked_records_are_unchanged_or_updated_under_every_strategy(strategy: str) -> None:
    linked = [_linked("s1", "001", ACME), _linked("s2", "002", ACME)]
    records = [("001", ACME), ("002", {**ACME, "name": "Acme2"}), ("003", {"name": "Zed", "email": "z@z"})]
    result = _plan(strategy, records, keys=["name"], linked=linked)
    assert result == [(N, "s1"), (U, "s2"), (C, "new-003")]


def test_relationship_without_hash_or_soft_deleted_shard_is_an_update() -> None:
    linked = [Candidate("s1", ACME, linked_external_id="001", content_hash=None),
              Candidate("s2", ACME, linked_external_id="002", content_hash=content_hash(ACME), deleted=True)]
    assert _plan("external_id", [("001", ACME), ("002", ACME)], linked=linked) == [(U, "s1"), (U, "s2")]


@pytest.mark.parametrize(
    ("strategy", "keys", "candidate_data", "incoming", "expected"),
    [
        # external_id never links to an unlinked shard, however similar.
        ("external_id", [], ACME, ACME, (C, "new-x")),
        ("content_hash", [], ACME, dict(reversed(list(ACME.items()))), (L, "cand")),
        ("content_hash", [], ACME, {**ACME, "name": "acme"}, (C, "new-x")),
        ("composite_key", ["email"], {"email": " A@ACME.com "}, {"email": "a@acme.com", "x": 1}, (L, "cand")),
        ("composite_key", ["name", "domain"], {"name": "Acme  Corp", "domain": "acme.com"},
         {"name": "acme corp", "domain": "ACME.COM"}, (L, "cand")),
        ("composite_key", ["name", "domain"], {"name": "Acme Corp", "domain": "acme.com"},
         {"name": "Acme Corp", "domain": "acme.io"}, (C, "new-x")),
        ("composite_key", ["email"], {"email": "a@acme.com"}, {"email": None}, (C, "new-x")),
        ("fuzzy", ["name"], {"name": "Acme, Inc."}, {"name": "ACME Incorporated"}, (L, "cand")),
        ("fuzzy", ["name"], {"name": "Jonathan Smith Ltd"}, {"name": "Smith Jonathon LLC"}, (L, "cand")),
        ("fuzzy", ["name"], {"name": "Acme"}, {"name": "Acme Global Holdings"}, (C, "new-x")),
        ("fuzzy", ["name"], {"name": "Acme"}, {"name": None}, (C, "new-x")),
        ("fuzzy", ["name", "city"], {"name": "Acme Inc", "city": "Paris"}, {"name": "Acme", "city": "Lyon"},
         (C, "new-x")),
    ],
)
def test_strategies_link_or_create(strategy: str, keys: list[str], candidate_data: dict, incoming: dict,
                                   expected: tuple) -> None:
    candidates = [Candidate("cand", candidate_data)]
    assert _plan(strategy, [("x", incoming)], keys=keys, candidates=candidates) == [expected]


def test_fuzzy_threshold_is_configurable_and_best_candidate_wins() -> None:
    candidates = [Candidate("far", {"name": "Acme Widgets"}), Candidate("near", {"name": "Acme Widget"})]
    best = _plan("fuzzy", [("x", {"name": "Acme Widget Co"})], keys=["name"], candidates=candidates)
    assert best == [(L, "near")]
    typo = [("x", {"name": "Acme Wdgt"})]
    assert _plan("fuzzy", typo, keys=["name"], candidates=candidates, threshold=0.8) == [(L, "near")]
    assert _plan("fuzzy", typo, keys=["name"], candidates=candidates, threshold=0.95) == [(C, "new-x")]


def test_a_shard_linked_to_another_record_of_this_integration_is_never_matched() -> None:
    other = _linked("s9", "009", {"email": "a@acme.com"})
    result = _plan("composite_key", [("001", {"email": "a@acme.com"})], keys=["email"], candidates=[other])
    assert result == [(C, "new-001")]


def test_one_candidate_is_linked_once_per_page() -> None:
    candidates = [Candidate("cand", {"email": "a@acme.com"})]
    records = [("001", {"email": "a@acme.com"}), ("002", {"email": "A@acme.com"})]
    result = _plan("composite_key", records, keys=["email"], candidates=candidates)
    assert result == [(L, "cand"), (C, "new-002")]


def test_duplicate_external_ids_keep_the_last_and_create_new_false_skips() -> None:
    records = [("001", {"v": 1}), ("002", {"v": 2}), ("001", {"v": 3})]
    assert _plan("external_id", records) == [(S, None), (C, "new-002"), (C, "new-001")]
    assert _plan("external_id", records, create_new=False) == [(S, None), (S, None), (S, None)]


def test_tally_counts_links_as_updates() -> None:
    linked = [_linked("s1", "001", ACME), _linked("s2", "002", ACME)]
    records = [("001", ACME), ("002", {"name": "B"}), ("003", {"name": "C"}), ("004", {"name": "Acme"}),
               ("003", {"name": "C2"})]
    config = DedupConfig(strategy="composite_key", keys=["name"])
    decisions = plan_page([Incoming.of(e, d) for e, d in records], config,
                          linked={c.linked_external_id: c for c in linked},
                          candidates=[Candidate("s3", {"name": "ACME"})], new_shard_id=_new_id)
    assert tally(decisions) == RunStats(created=1, updated=2, unchanged=1, skipped=1)


def test_index_values_are_what_records_are_looked_up_by() -> None:
    assert index_values(DedupConfig(), ACME) == []
    assert index_values(DedupConfig(strategy="content_hash"), ACME) == [content_hash(ACME)]
    assert index_values(DedupConfig(strategy="composite_key", keys=["name", "email"]), ACME) == [
        "acme\x1fa@acme.com"
    ]
    assert index_values(DedupConfig(strategy="fuzzy", keys=["name"]), {"name": "Acme Global, Inc."}) == [
        "acm", "glo"
    ]
    assert composite_key(["email"], {}) is None


def test_derived_shard_ids_are_stable_and_distinct() -> None:
    first = derive_shard_id("t1", "i1", "001")
    assert first == derive_shard_id("t1", "i1", "001")
    assert len({first, derive_shard_id("t2", "i1", "001"), derive_shard_id("t1", "i2", "001"),
                derive_shard_id("t1", "i1", "002")}) == 4
    assert first == "shd-" + hashlib.sha256(b"t1\ni1\n001").hexdigest()[:32]


@pytest.mark.parametrize("tenant", ["t1", "tenant-\u00e9", ""])
def test_a_page_deriver_gives_the_same_ids(tenant: str) -> None:
    derive = shard_id_deriver(tenant, "i1")
    for external_id in ["001", "", "a\nb", "\u00e9\u2603\U0001f600", "x" * 1000, "001"]:
        assert derive(external_id) == derive_shard_id(tenant, "i1", external_id)
        assert may_be_derived(derive(external_id))


def test_ids_of_another_shape_are_never_derived_ones() -> None:
    for shard_id in ["s1", "shd-00000001", "shd-" + "0" * 31, "shx-" + "0" * 32, ""]:
        assert not may_be_derived(shard_id)


@pytest.mark.parametrize(
    ("raw", "text", "name"),
    [
        ("  Acme   Corp  ", "acme corp", "acme"),
        ("Acme, Inc.", "acme, inc.", "acme"),
        ("ACME Incorporated", "acme incorporated", "acme"),
        ("Co Op Bank", "co op bank", "co op bank"),
        ("Inc", "inc", "inc"),
        ("Straße GmbH", "strasse gmbh", "strasse"),
        (" A.B@X.COM ", "a.b@x.com", "a.b@x.com"),
        ("   ", None, None),
        (None, None, None),
        (42, "42", "42"),
    ],
)
def test_normalisation(raw: Any, text: str | None, name: str | None) -> None:
    assert normalize_text(raw) == text
    assert normalize_name(raw) == name


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        ("acme global", "global acme", 1.0, 1.0),
        ("jon smith", "john smith", 0.9, 0.99),
        ("acme", "zenith", 0.0, 0.3),
        ("abc", "xyz", 0.0, 0.0),
    ],
)
def test_similarity(a: str, b: str, low: float, high: float) -> None:
    assert low <= similarity(a, b) <= high


def test_candidate_from_shard_sees_only_this_integrations_relationship() -> None:
    shard = Shard.model_validate({
        "id": "s1", "tenantId": "t", "shardTypeId": "account", "structuredData": ACME,
        "externalRelationships": [
            {"system": "hubspot", "integrationId": "hs", "externalId": "h1", "contentHash": "x"},
            {"system": "salesforce", "integrationId": "sf", "externalId": "001", "contentHash": "y"},
        ],
    })
    assert Candidate.from_shard(shard, "sf") == Candidate("s1", ACME, "001", "y", False)
    assert Candidate.from_shard(shard, "other") == Candidate("s1", ACME, None, None, False)
