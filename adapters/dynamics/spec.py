"""Dataverse (Dynamics 365) Web API quirks as data, and one integration's connection.

Sources: providers.md 2.2; MicrosoftDocs/powerapps-docs developer/data-platform/webapi
(query/page-results.md, use-change-tracking-synchronize-data-external-systems.md, api-limits.md,
compose-http-requests-handle-errors.md, update-delete-entities-using-web-api.md).
"""

from __future__ import annotations

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from adapters.connection import http_base_url


class DataverseSpec(BaseModel):
    """What is true of every Dataverse environment."""

    model_config = ConfigDict(frozen=True)

    provider: str = "dynamics"
    default_api_version: str = "v9.2"
    max_page_size: int = 5000
    modified_field: str = "modifiedon"
    headers: dict[str, str] = {
        "Accept": "application/json", "OData-MaxVersion": "4.0", "OData-Version": "4.0",
    }
    # Entity set name -> primary key attribute, where the plural is irregular.
    primary_keys: dict[str, str] = {
        "accounts": "accountid", "contacts": "contactid", "leads": "leadid", "opportunities": "opportunityid",
        "incidents": "incidentid", "systemusers": "systemuserid", "activitypointers": "activityid",
        "businessunits": "businessunitid", "salesorders": "salesorderid", "quotes": "quoteid",
    }

    def primary_key(self, entity_set: str, overrides: dict[str, str]) -> str:
        """The key attribute of an entity set: configured, known, else singular + ``id``."""
        if entity_set in overrides:
            return overrides[entity_set]
        if entity_set in self.primary_keys:
            return self.primary_keys[entity_set]
        if entity_set.endswith("ies"):
            return f"{entity_set[:-3]}yid"
        return f"{entity_set[:-1] if entity_set.endswith('s') else entity_set}id"


DATAVERSE = DataverseSpec()


class DataverseConnection(BaseModel):
    """An Integration's ``connection`` for Dynamics 365 / Dataverse."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    instance_url: str = Field(validation_alias=AliasChoices("instanceUrl", "orgUrl", "instance_url"))
    api_version: str = Field(
        default=DATAVERSE.default_api_version, validation_alias=AliasChoices("apiVersion", "api_version")
    )
    # Change tracking must be enabled per table ("Track changes"); without it we filter on modifiedon
    # and cannot see deletions.
    change_tracking: bool = Field(
        default=True, validation_alias=AliasChoices("changeTracking", "change_tracking")
    )
    primary_keys: dict[str, str] = Field(
        default_factory=dict, validation_alias=AliasChoices("primaryKeys", "primary_keys")
    )

    @field_validator("instance_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return http_base_url(value, "instanceUrl")

    def set_url(self, entity_set: str, suffix: str = "") -> str:
        return f"{self.instance_url}/api/data/{self.api_version}/{entity_set}{suffix}"

    def key(self, entity_set: str) -> str:
        return DATAVERSE.primary_key(entity_set, self.primary_keys)
