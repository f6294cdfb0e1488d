"""The engine's one Settings object, read from ``CASTIEL_*`` environment variables.

Load it once with ``get_settings()`` at the edge (function_app, devhost, tests) and pass it
down; nothing else reads the environment. In Azure the variables are app settings; on a
laptop the defaults pick the embedded backends (SQLite records, a local secret store), so
the same code runs in both places.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


class RecordStoreBackend(StrEnum):
    SQLITE = "sqlite"
    COSMOS = "cosmos"


class SecretStoreBackend(StrEnum):
    LOCAL = "local"
    KEYVAULT = "keyvault"


SYNC_PAGE_SIZE = 2000
"""Records asked for per provider page (Salesforce's largest batch)."""
SYNC_PAGES_PER_GENERATION = 5
"""Pages per ``continue_as_new`` generation of ``sync_mapping``. Every episode replays the generation, so
shorter ones cost the host less: 8 against 20 took about 30% less host CPU in a 100,000-record sync. With two
worker processes the host's replays are on the path from one save to the next: 5 against 8 gave 26,199 against
24,739 records/s (five alternated pairs of ``bench/sync.py``, each faster)."""


class Settings(BaseSettings):
    """Every tunable of the engine, with its default. Env var = ``CASTIEL_`` + field name."""

    model_config = SettingsConfigDict(env_prefix="CASTIEL_", extra="ignore", case_sensitive=False)

    # Stores.
    record_store: RecordStoreBackend = RecordStoreBackend.SQLITE
    data_dir: Path = Path(".castiel")
    cosmos_endpoint: str | None = None
    # Without a key the Cosmos store authenticates with DefaultAzureCredential (managed identity).
    cosmos_key: SecretStr | None = None
    cosmos_database: str = "castiel"
    cosmos_verify_tls: bool = True
    secret_store: SecretStoreBackend = SecretStoreBackend.LOCAL
    key_vault_url: str | None = None

    # Simulated providers (demos, tests, benchmarks).
    sandbox_base_url: str | None = None

    # Token refresher (seed 000: every 6 hours, credentials expiring within 60 minutes).
    token_refresh_interval_minutes: int = Field(default=360, ge=1)
    token_refresh_threshold_minutes: int = Field(default=60, ge=1)

    # Scheduler and sync orchestration.
    scheduler_batch_cap: int = Field(default=100, ge=1)
    history_retention_days: int = Field(default=30, ge=1)
    sync_page_size: int = Field(default=SYNC_PAGE_SIZE, ge=1, le=10_000)
    sync_max_parallel_mappings: int = Field(default=4, ge=1)
    sync_pages_per_generation: int = Field(default=SYNC_PAGES_PER_GENERATION, ge=1)
    # The seeds' retry policy for provider errors in a sync (durable timers between attempts).
    sync_retry_max_attempts: int = Field(default=10, ge=1)
    sync_retry_initial_delay_seconds: float = Field(default=5.0, gt=0)
    sync_retry_max_delay_seconds: float = Field(default=300.0, gt=0)

    # Rate limits of the seeds (per minute), overridable per integration via rateLimits.
    rate_limit_fetch_per_minute: int = Field(default=200, ge=1)
    rate_limit_create_per_minute: int = Field(default=100, ge=1)
    rate_limit_update_per_minute: int = Field(default=150, ge=1)
    rate_limit_delete_per_minute: int = Field(default=100, ge=1)
    rate_limit_tenant_per_minute: int = Field(default=5000, ge=1)

    # Webhooks.
    webhook_max_body_bytes: int = Field(default=MIB, ge=1)
    webhook_timestamp_tolerance_seconds: int = Field(default=300, ge=1)
    # The per-integration drainer: page size, its pace through a backlog (acknowledgements keep the CPU
    # and the record store they need during a burst), and the pause before it decides it is idle.
    webhook_drain_page_size: int = Field(default=50, ge=1, le=1000)
    webhook_drain_events_per_second: float = Field(default=500.0, gt=0)
    webhook_drain_idle_seconds: float = Field(default=1.0, gt=0)
    # The Functions host's own setting (no CASTIEL_ prefix): how many language worker processes share the
    # per-registration webhook rate, each enforcing its share with an in-process bucket.
    functions_worker_process_count: int = Field(default=1, ge=1, le=10,
                                                validation_alias="FUNCTIONS_WORKER_PROCESS_COUNT")

    # Token refresher in seconds (tests run generations quickly); when set they win over the
    # *_minutes fields above.
    token_refresh_interval_seconds: float | None = Field(default=None, gt=0)
    token_refresh_threshold_seconds: float | None = Field(default=None, gt=0)
    # Shortest pause between two generations, and the first back-off step after a failure.
    token_refresh_min_interval_seconds: float = Field(default=60.0, gt=0)
    token_refresh_max_per_generation: int = Field(default=50, ge=1)
    # The per-credential refresh lease: held at most this long, waited for at most that long.
    credential_lease_seconds: float = Field(default=60.0, gt=0)
    credential_lease_wait_seconds: float = Field(default=90.0, gt=0)
    token_request_timeout_seconds: float = Field(default=30.0, gt=0)
    # A token expiring within this many seconds is renewed before use.
    token_expiry_skew_seconds: float = Field(default=60.0, ge=0)

    @model_validator(mode="after")
    def _backend_needs_its_address(self) -> Settings:
        if self.record_store == RecordStoreBackend.COSMOS and not self.cosmos_endpoint:
            raise ValueError("CASTIEL_COSMOS_ENDPOINT is required when CASTIEL_RECORD_STORE=cosmos")
        if self.secret_store == SecretStoreBackend.KEYVAULT and not self.key_vault_url:
            raise ValueError("CASTIEL_KEY_VAULT_URL is required when CASTIEL_SECRET_STORE=keyvault")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's Settings, read from the environment on first use (``cache_clear()`` in tests)."""
    return Settings()
