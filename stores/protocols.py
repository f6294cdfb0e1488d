"""Every store contract in one import (each is defined next to its implementation)."""

from stores.audit import AuditStore
from stores.credentials import CredentialMetaStore
from stores.deadletters import DeadLetterStore
from stores.integrations import IntegrationStore
from stores.runs import RunStore
from stores.secrets.base import SecretStore
from stores.shards import ShardStore
from stores.staging import StagingStore
from stores.syncstate import SyncStateStore
from stores.webhooks import WebhookInbox

__all__ = [
    "AuditStore",
    "CredentialMetaStore",
    "DeadLetterStore",
    "IntegrationStore",
    "RunStore",
    "SecretStore",
    "ShardStore",
    "StagingStore",
    "SyncStateStore",
    "WebhookInbox",
]
