"""Settings pick the backends; the SQLite layer holds up under concurrent page writers."""

from __future__ import annotations

import threading
from pathlib import Path

from core.models import ExternalRelationship, Shard
from core.settings import Settings
from stores.errors import StoreUnavailable
from stores.factory import build_stores
from stores.secrets.keyvault import KeyVaultSecretStore
from stores.secrets.local import LocalSecretStore
from stores.sqlite.connection import SqliteDatabase
from stores.sqlite.shards import SqliteShardStore


def test_laptop_defaults_are_sqlite_and_local_secrets(tmp_path: Path) -> None:
    stores = build_stores(Settings(data_dir=tmp_path))
    try:
        assert isinstance(stores.shards, SqliteShardStore)
        assert isinstance(stores.secrets, LocalSecretStore)
        assert (tmp_path / "castiel.db").exists()
    finally:
        stores.close()


def test_keyvault_setting_selects_key_vault(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_store="keyvault", key_vault_url="https://castiel.vault.azure.net")
    stores = build_stores(settings)
    try:
        assert isinstance(stores.secrets, KeyVaultSecretStore)
    finally:
        stores.close()


def test_concurrent_page_writers(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "c.db")
    store = SqliteShardStore(db)
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            for page in range(5):
                shards = [
                    Shard(id=f"w{worker}-{page}-{n}", tenant_id="t1", shard_type_id="account",
                          external_relationships=[ExternalRelationship(
                              system="salesforce", integration_id="i1", external_id=f"{worker}-{page}-{n}")])
                    for n in range(200)
                ]
                assert store.upsert_many("t1", shards).created == 200
        except BaseException as exc:  # collected and re-raised on the main thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    count = db.connection().execute("SELECT COUNT(*) FROM shards").fetchone()[0]
    assert count == 4 * 5 * 200
    db.close()


def test_opens_a_database_from_before_link_hashes(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "old.db")
    db.connection().executescript(
        "CREATE TABLE shard_links (tenant_id TEXT NOT NULL, integration_id TEXT NOT NULL, external_id TEXT NOT NULL,"
        " shard_id TEXT NOT NULL, system TEXT NOT NULL, last_seen_run_id TEXT,"
        " PRIMARY KEY (tenant_id, integration_id, external_id)) WITHOUT ROWID;"
    )
    store = SqliteShardStore(db)
    shard = Shard(id="s1", tenant_id="t1", shard_type_id="account", external_relationships=[
        ExternalRelationship(system="salesforce", integration_id="i1", external_id="e1", content_hash="h1")])
    store.upsert_many("t1", [shard])
    assert store.find_links("t1", "i1", ["e1"])["e1"].content_hash == "h1"
    db.close()


def test_threads_of_a_process_queue_for_the_write_lock_instead_of_sqlites_busy_handler(tmp_path: Path) -> None:
    # Two objects on one file, as the stores and the credential leases are: one lock per file and process.
    first, second = SqliteDatabase(tmp_path / "db.sqlite"), SqliteDatabase(tmp_path / "db.sqlite")
    first.connection().execute("CREATE TABLE t (n INTEGER)")
    holding, order = threading.Event(), []

    def writer() -> None:
        with first.write() as conn:
            conn.execute("INSERT INTO t VALUES (1)")
            holding.set()
            threading.Event().wait(0.2)
            order.append("first")

    def queued() -> None:
        conn = second.connection()
        conn.execute("PRAGMA busy_timeout=0")  # SQLite alone would fail this one at once: the lock is taken
        with second.write() as conn:
            order.append("second")
            conn.execute("INSERT INTO t VALUES (2)")

    threads = [threading.Thread(target=writer), threading.Thread(target=queued)]
    threads[0].start()
    assert holding.wait(5)
    threads[1].start()
    for thread in threads:
        thread.join(10)
    assert order == ["first", "second"]
    assert [n for (n,) in first.connection().execute("SELECT n FROM t ORDER BY n")] == [1, 2]
    first.close()
    second.close()


def test_a_writer_that_never_waits_fails_at_once_while_another_thread_writes(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "db.sqlite")
    db.connection().execute("CREATE TABLE t (n INTEGER)")
    holding, release, outcome = threading.Event(), threading.Event(), []

    def writer() -> None:
        with db.write():
            holding.set()
            release.wait(5)

    def loop_thread() -> None:
        db.never_wait()
        try:
            with db.write():
                outcome.append("wrote")
        except StoreUnavailable:
            outcome.append("busy")

    thread = threading.Thread(target=writer)
    thread.start()
    assert holding.wait(5)
    other = threading.Thread(target=loop_thread)
    other.start()
    other.join(5)
    release.set()
    thread.join(5)
    assert outcome == ["busy"]
    db.close()
