"""A write that loses the compare-and-swap: retried without ``If-Match``, 412 with one, 409 when it never lands.

The integrations PUT and the shards PATCH share this rule (``api.conditional.write_current``).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from api import shards as shard_routes
from services import Services
from stores.errors import StaleETag
from tests.api.conftest import INTEGRATION, Api

INTEGRATION_PATH = "/tenants/acme/integrations/sf-1"
SHARD_PATH = "/tenants/acme/shards/a-1"


def lose_first(real: Any, losses: int) -> Any:
    """``real``, but the first ``losses`` calls fail as if another writer had just changed the record."""
    calls: list[int] = []

    def write(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) <= losses:
            raise StaleETag("changed meanwhile")
        return real(*args, **kwargs)

    return write


@pytest.fixture
async def integration(api: Api) -> str:
    created = await api.call("PUT", INTEGRATION_PATH, json_body=INTEGRATION)
    assert created.status == 201
    return created.headers["ETag"]


@pytest.fixture
async def shard(api: Api) -> str:
    created = await api.call("POST", "/tenants/acme/shards", json_body={"id": "a-1", "shardTypeId": "account"})
    assert created.status == 201
    return created.headers["ETag"]


async def test_integration_replace_without_if_match_is_applied_again(
        api: Api, services: Services, integration: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = services.stores.integrations
    monkeypatch.setattr(store, "update", lose_first(store.update, 2))
    renamed = copy.deepcopy(INTEGRATION) | {"displayName": "Renamed"}
    replaced = await api.call("PUT", INTEGRATION_PATH, json_body=renamed)
    assert replaced.status == 200, replaced.body
    assert replaced.json()["displayName"] == "Renamed"


async def test_integration_replace_with_if_match_that_loses_is_412(
        api: Api, services: Services, integration: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = services.stores.integrations
    monkeypatch.setattr(store, "update", lose_first(store.update, 1))
    stale = await api.call("PUT", INTEGRATION_PATH, json_body=INTEGRATION, headers={"If-Match": integration})
    assert stale.status == 412 and stale.error_code == "precondition_failed"
    assert stale.json()["error"]["message"] == "the integration changed since it was read (If-Match)"


async def test_integration_that_keeps_changing_is_409(
        api: Api, services: Services, integration: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = services.stores.integrations
    monkeypatch.setattr(store, "update", lose_first(store.update, 5))
    busy = await api.call("PUT", INTEGRATION_PATH, json_body=INTEGRATION)
    assert busy.status == 409 and busy.error_code == "conflict"


async def test_shard_patch_without_if_match_is_merged_again(
        api: Api, shard: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shard_routes, "apply_local_write",
                        lose_first(shard_routes.apply_local_write, 4))
    patched = await api.call("PATCH", SHARD_PATH, json_body={"structuredData": {"x": 1}})
    assert patched.status == 200, patched.body
    assert patched.json()["structuredData"] == {"x": 1}


async def test_shard_patch_with_if_match_that_loses_is_412(
        api: Api, shard: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shard_routes, "apply_local_write", lose_first(shard_routes.apply_local_write, 1))
    stale = await api.call("PATCH", SHARD_PATH, json_body={"structuredData": {"x": 1}}, headers={"If-Match": shard})
    assert stale.status == 412 and stale.error_code == "precondition_failed"
    assert stale.json()["error"]["message"] == "the shard changed since it was read (If-Match)"


async def test_shard_that_keeps_changing_is_409(api: Api, shard: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shard_routes, "apply_local_write", lose_first(shard_routes.apply_local_write, 5))
    busy = await api.call("PATCH", SHARD_PATH, json_body={"structuredData": {"x": 1}})
    assert busy.status == 409 and busy.error_code == "conflict"


async def test_a_missing_shard_is_still_404_with_if_match(api: Api) -> None:
    missing = await api.call("PATCH", SHARD_PATH, json_body={}, headers={"If-Match": "*"})
    assert missing.status == 404
