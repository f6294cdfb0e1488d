"""Fixtures: every store contract test runs once on SQLite and once on Cosmos DB (the real
``azure-cosmos`` client against the local Cosmos-compatible server)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings
from stores.cosmos.client import CosmosDatabase, build_client
from stores.factory import Stores, build_stores
from stores.sqlite.connection import SqliteDatabase
from tests.stores import cosmos_server

BACKENDS = ["sqlite", "cosmos"]


@pytest.fixture(scope="session")
def cosmos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[cosmos_server.CosmosServer]:
    server = cosmos_server.start(tmp_path_factory.mktemp("cosmos"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def cosmos_client(cosmos: cosmos_server.CosmosServer):  # type: ignore[no-untyped-def]
    # One region: endpoint discovery would only add a 0.5 s cross-region retry to every miss
    # (the local server answers a missing item with a 500).
    return build_client(cosmos.endpoint, cosmos.key, ca_cert=cosmos.ca_cert, enable_endpoint_discovery=False)


@pytest.fixture
def cosmos_db(cosmos_client) -> CosmosDatabase:  # type: ignore[no-untyped-def]
    # A fresh database per test keeps tests independent on the shared in-memory server.
    return CosmosDatabase(cosmos_client, f"test-{uuid.uuid4().hex[:12]}")


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[SqliteDatabase]:
    db = SqliteDatabase(tmp_path / "castiel.db")
    yield db
    db.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def stores(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Stores]:
    """The whole bundle from ``build_stores``, on the parametrized backend."""
    if backend == "sqlite":
        bundle = build_stores(Settings(data_dir=tmp_path))
    else:
        server = request.getfixturevalue("cosmos")
        settings = Settings(
            data_dir=tmp_path, record_store="cosmos", cosmos_endpoint=server.endpoint,
            cosmos_database=f"test-{uuid.uuid4().hex[:12]}",
        )
        bundle = build_stores(settings, cosmos_client=request.getfixturevalue("cosmos_client"))
    yield bundle
    bundle.close()
