"""HubSpot CRM v3 quirks as data, and one integration's connection.

Sources: providers.md 2.3; developers.hubspot.com CRM objects and search references, API usage
guidelines, error responses.
"""

from __future__ import annotations

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from adapters.connection import http_base_url


class HubSpotSpec(BaseModel):
    """What is true of every HubSpot account."""

    model_config = ConfigDict(frozen=True)

    provider: str = "hubspot"
    base_url: str = "https://api.hubapi.com"
    token_url: str = "https://api.hubapi.com/oauth/v1/token"
    list_max_limit: int = 100
    search_max_limit: int = 200
    # A search query returns at most 10,000 results; past that we re-window from the high-water mark.
    search_result_cap: int = 10_000
    # The modified-date property per object type; contacts predate the hs_ prefix.
    modified_property: dict[str, str] = {"contacts": "lastmodifieddate"}
    default_modified_property: str = "hs_lastmodifieddate"
    # Newly written records reach the search index 10-60 s late: re-read that much on every run.
    search_lag_seconds: float = 60.0
    # 429s carry no Retry-After; wait for the policy's window (daily resets at the account's midnight).
    policy_retry_after: dict[str, float] = {"TEN_SECONDLY_ROLLING": 10.0, "SECONDLY": 1.0, "DAILY": 3600.0}

    def modified_for(self, object_type: str) -> str:
        return self.modified_property.get(object_type, self.default_modified_property)


HUBSPOT = HubSpotSpec()


class HubSpotConnection(BaseModel):
    """An Integration's ``connection`` for HubSpot (all optional)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    base_url: str = Field(default=HUBSPOT.base_url, validation_alias=AliasChoices("baseUrl", "base_url"))
    token_url: str = Field(default=HUBSPOT.token_url, validation_alias=AliasChoices("tokenUrl", "token_url"))
    # Per object type, a unique-value property that makes creates idempotent (batch upsert).
    unique_properties: dict[str, str] = Field(
        default_factory=dict, validation_alias=AliasChoices("uniqueProperties", "unique_properties")
    )

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return http_base_url(value, "baseUrl")

    def objects_url(self, object_type: str, suffix: str = "") -> str:
        return f"{self.base_url}/crm/v3/objects/{object_type}{suffix}"
