"""The per-credential lease: exclusive, expires, fences a holder whose time ran out."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.settings import RecordStoreBackend, Settings
from credentials.lease import CredentialLeases, LeaseLost
from credentials.runtime import lease_collection
from stores.documents import DocumentCollection
from stores.sqlite.collection import SqliteCollection
from stores.sqlite.connection import SqliteDatabase
from tests.credentials.conftest import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))


@pytest.fixture(params=["sqlite", "cosmos"])
def collections(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], DocumentCollection]:
    """Makes independent handles on one lease collection (as separate workers would hold)."""
    if request.param == "sqlite":
        return lambda: SqliteCollection(SqliteDatabase(tmp_path / "db.sqlite"), "credential_leases")
    settings = Settings(data_dir=tmp_path, record_store=RecordStoreBackend.COSMOS, cosmos_endpoint="https://x.test",
                        cosmos_database=f"lease-{uuid.uuid4().hex[:12]}")
    client = request.getfixturevalue("cosmos_client")
    return lambda: lease_collection(settings, client)


@pytest.fixture
def leases(collections: Callable[[], DocumentCollection], clock: ManualClock) -> CredentialLeases:
    return CredentialLeases(collections(), ttl_seconds=30, clock=clock)


def test_one_holder_at_a_time_and_release_frees_it(leases: CredentialLeases) -> None:
    first = leases.try_acquire("t1", "i1")
    assert first is not None
    assert leases.try_acquire("t1", "i1") is None
    assert leases.try_acquire("t1", "i2") is not None  # another credential is independent
    assert leases.try_acquire("t2", "i1") is not None  # so is another tenant's
    assert leases.release(first)
    second = leases.try_acquire("t1", "i1")
    assert second is not None and second.owner != first.owner


def test_an_expired_lease_is_taken_over_and_the_old_holder_is_fenced(leases: CredentialLeases,
                                                                      clock: ManualClock) -> None:
    stale = leases.try_acquire("t1", "i1")
    assert stale is not None
    clock.now += timedelta(seconds=31)
    taker = leases.try_acquire("t1", "i1")
    assert taker is not None
    with pytest.raises(LeaseLost):
        leases.fence(stale)
    assert not leases.release(stale)  # releasing a lost lease must not free the new holder's
    assert leases.try_acquire("t1", "i1") is None
    extended = leases.fence(taker)
    assert extended.until > taker.until or extended.etag != taker.etag


def test_two_handles_see_the_same_lease(collections: Callable[[], DocumentCollection], clock: ManualClock) -> None:
    # Two independent handles stand in for two worker processes sharing the record store.
    a = CredentialLeases(collections(), ttl_seconds=30, clock=clock)
    b = CredentialLeases(collections(), ttl_seconds=30, clock=clock)
    held = a.try_acquire("t1", "i1")
    assert held is not None and b.try_acquire("t1", "i1") is None
    a.release(held)
    assert b.try_acquire("t1", "i1") is not None
