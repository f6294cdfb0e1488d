"""Salesforce quirks as data: the constants of the REST API and one integration's connection.

Sources: providers.md 2.1; developer.salesforce.com REST API guide (query, headers_queryoptions,
headers_api_usage, resources_getdeleted, errorcodes).
"""

from __future__ import annotations

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from adapters.connection import http_base_url


class SalesforceSpec(BaseModel):
    """What is true of every Salesforce org."""

    model_config = ConfigDict(frozen=True)

    provider: str = "salesforce"
    default_api_version: str = "v60.0"
    # Sforce-Query-Options batchSize: minimum 200, maximum 2,000 (not guaranteed).
    min_batch: int = 200
    max_batch: int = 2000
    # Fields every query selects: the id, the cursor field, the version for If-Unmodified-Since.
    id_field: str = "Id"
    version_field: str = "LastModifiedDate"
    deleted_field: str = "IsDeleted"
    # REQUEST_LIMIT_EXCEEDED for the daily org limit carries no Retry-After; the 24 h window rolls,
    # so we wait an hour (on a durable timer) before spending another request.
    daily_quota_retry_after: float = 3600.0


SALESFORCE = SalesforceSpec()


class SalesforceConnection(BaseModel):
    """An Integration's ``connection`` for Salesforce (camelCase as in api.md)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    instance_url: str = Field(validation_alias=AliasChoices("instanceUrl", "instance_url"))
    api_version: str = Field(
        default=SALESFORCE.default_api_version, validation_alias=AliasChoices("apiVersion", "api_version")
    )
    token_url: str | None = Field(default=None, validation_alias=AliasChoices("tokenUrl", "token_url"))
    # The incremental cursor field: SystemModstamp (also bumped by system changes) or LastModifiedDate.
    modified_field: str = Field(
        default="SystemModstamp", validation_alias=AliasChoices("modifiedField", "modified_field")
    )
    # Per sObject, the external id field that makes creates idempotent (upsert by external id).
    external_id_fields: dict[str, str] = Field(
        default_factory=dict, validation_alias=AliasChoices("externalIdFields", "external_id_fields")
    )

    @field_validator("instance_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return http_base_url(value, "instanceUrl")

    @field_validator("api_version")
    @classmethod
    def _v_prefix(cls, value: str) -> str:
        return value if value.startswith("v") else f"v{value}"

    def data_url(self, path: str = "") -> str:
        """``{instance}/services/data/vXX.X{path}``."""
        return f"{self.instance_url}/services/data/{self.api_version}{path}"

    def absolute(self, relative: str) -> str:
        """An instance-relative URL the API returned (``nextRecordsUrl``) made absolute."""
        return relative if relative.startswith("http") else f"{self.instance_url}{relative}"
