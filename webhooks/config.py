"""Every scheme's configuration model, as one discriminated union on ``scheme``.

A webhook registration stores one of these (secrets go to the secret store and are put back into
the model when the registration is loaded; ``SecretStr`` keeps them out of logs and reprs).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from .schemes.generic_hmac import GenericHmacConfig, JsonFields
from .schemes.github import GitHubConfig
from .schemes.gong import GongConfig
from .schemes.google_drive import DriveChannelConfig
from .schemes.google_pubsub import PubSubConfig
from .schemes.hubspot import HubSpotConfig
from .schemes.msgraph import GraphConfig
from .schemes.notion import NotionConfig
from .schemes.salesforce import SalesforceConfig
from .schemes.shopify import ShopifyConfig
from .schemes.slack import SlackConfig
from .schemes.stripe import StripeConfig
from .schemes.zoom import ZoomConfig

AnySchemeConfig = Annotated[
    GitHubConfig | SlackConfig | HubSpotConfig | ShopifyConfig | StripeConfig | ZoomConfig | NotionConfig
    | GraphConfig | DriveChannelConfig | PubSubConfig | SalesforceConfig | GongConfig | GenericHmacConfig,
    Field(discriminator="scheme"),
]
"""Any scheme's configuration; ``scheme`` selects the model."""

_ADAPTER: TypeAdapter[Any] = TypeAdapter(AnySchemeConfig)


def load_scheme_config(data: dict[str, Any]) -> AnySchemeConfig:
    """Validate a stored configuration (camelCase or snake_case keys); raises ``pydantic.ValidationError``."""
    config: AnySchemeConfig = _ADAPTER.validate_python(data)
    return config


__all__ = [
    "AnySchemeConfig", "DriveChannelConfig", "GenericHmacConfig", "GitHubConfig", "GongConfig", "GraphConfig",
    "HubSpotConfig", "JsonFields", "NotionConfig", "PubSubConfig", "SalesforceConfig", "ShopifyConfig",
    "SlackConfig", "StripeConfig", "ZoomConfig", "load_scheme_config",
]
