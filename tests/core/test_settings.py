"""Settings: defaults, CASTIEL_ environment variables, backend checks, secrets masked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from core.settings import RecordStoreBackend, SecretStoreBackend, Settings, get_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch):
    for name in list(os.environ):
        if name.upper().startswith("CASTIEL_"):
            monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_defaults_pick_the_embedded_backends_and_the_seeds_numbers() -> None:
    settings = Settings()
    assert settings.record_store == RecordStoreBackend.SQLITE
    assert settings.secret_store == SecretStoreBackend.LOCAL
    assert settings.token_refresh_interval_minutes == 360
    assert settings.token_refresh_threshold_minutes == 60
    assert settings.scheduler_batch_cap == 100
    assert settings.webhook_max_body_bytes == 1024 * 1024
    limits = (settings.rate_limit_fetch_per_minute, settings.rate_limit_create_per_minute,
              settings.rate_limit_update_per_minute, settings.rate_limit_tenant_per_minute)
    assert limits == (200, 100, 150, 5000)


def test_environment_overrides_and_secrets_are_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASTIEL_RECORD_STORE", "cosmos")
    monkeypatch.setenv("CASTIEL_COSMOS_ENDPOINT", "https://localhost:8081")
    monkeypatch.setenv("castiel_cosmos_key", "super-secret-key")
    monkeypatch.setenv("CASTIEL_DATA_DIR", "/tmp/castiel-data")
    monkeypatch.setenv("CASTIEL_SCHEDULER_BATCH_CAP", "7")
    monkeypatch.setenv("CASTIEL_SOMETHING_UNKNOWN", "ignored")
    settings = get_settings()
    assert settings.record_store == RecordStoreBackend.COSMOS
    assert settings.cosmos_key is not None and settings.cosmos_key.get_secret_value() == "super-secret-key"
    assert "super-secret-key" not in repr(settings) + str(settings.model_dump())
    assert settings.data_dir == Path("/tmp/castiel-data")
    assert settings.scheduler_batch_cap == 7
    assert get_settings() is settings


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CASTIEL_RECORD_STORE": "cosmos"}, "CASTIEL_COSMOS_ENDPOINT"),
        ({"CASTIEL_SECRET_STORE": "keyvault"}, "CASTIEL_KEY_VAULT_URL"),
        ({"CASTIEL_RECORD_STORE": "mongodb"}, "record_store"),
        ({"CASTIEL_SCHEDULER_BATCH_CAP": "0"}, "scheduler_batch_cap"),
    ],
)
def test_invalid_settings_fail_loudly(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=message):
        Settings()
