"""Secret stores: the local file store and Key Vault (real SecretClient, fake vault transport)."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
import requests
from azure.core.pipeline.transport import RequestsTransport

from stores.secrets.base import SecretStore, credential_secret_name
from stores.secrets.keyvault import KeyVaultSecretStore, vault_name
from stores.secrets.local import LocalSecretStore
from tests.stores.fake_vault import FakeCredential, FakeVault

VAULT = "https://castiel-test.vault.azure.net"
VALUE = "s3cr3t-refresh-token-value"


@pytest.fixture
def vault() -> FakeVault:
    return FakeVault(VAULT)


@pytest.fixture(params=["local", "keyvault"])
def secret_store(request: pytest.FixtureRequest, tmp_path: Path, vault: FakeVault) -> SecretStore:
    if request.param == "local":
        return LocalSecretStore(tmp_path / "secrets")
    session = requests.Session()
    session.mount("https://", vault)
    return KeyVaultSecretStore(VAULT, credential=FakeCredential(), transport=RequestsTransport(session=session))


def test_set_get_delete(secret_store: SecretStore, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    name = credential_secret_name("tenant_1", "intg.2")
    assert secret_store.get(name) is None
    secret_store.set(name, VALUE)
    got = secret_store.get(name)
    assert got is not None and got.get_secret_value() == VALUE
    assert VALUE not in repr(got) and VALUE not in repr(secret_store)
    secret_store.set(name, "rotated")
    assert secret_store.get(name).get_secret_value() == "rotated"  # type: ignore[union-attr]
    assert secret_store.get(credential_secret_name("tenant_2", "intg.2")) is None
    assert secret_store.delete(name)
    assert secret_store.get(name) is None
    assert not secret_store.delete(name)
    secret_store.set(name, "again")  # Key Vault: recovers the soft-deleted name first
    assert secret_store.get(name).get_secret_value() == "again"  # type: ignore[union-attr]
    assert VALUE not in caplog.text and "rotated" not in caplog.text


def test_local_files_are_private(tmp_path: Path) -> None:
    store = LocalSecretStore(tmp_path / "secrets")
    store.set(credential_secret_name("t1", "i1"), VALUE)
    files = list((tmp_path / "secrets").iterdir())
    assert len(files) == 1 and "t1" not in files[0].name
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "secrets").stat().st_mode) == 0o700


def test_vault_names_are_sanitised_and_distinct(vault: FakeVault) -> None:
    a, b = vault_name("cred--t_1--i.1"), vault_name("cred--t-1--i-1")
    assert a != b
    for name in (a, b, vault_name("x" * 300)):
        assert all(ch.isalnum() or ch == "-" for ch in name) and 1 <= len(name) <= 127


def test_keyvault_sends_sanitised_name_and_authenticates(vault: FakeVault) -> None:
    session = requests.Session()
    session.mount("https://", vault)
    store = KeyVaultSecretStore(VAULT, credential=FakeCredential(), transport=RequestsTransport(session=session))
    store.set("cred--t1--i_1", VALUE)
    assert list(vault.secrets) == [vault_name("cred--t1--i_1")]
    assert any(r.headers.get("Authorization") == "Bearer fake-token" for r in vault.requests)
