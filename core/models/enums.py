"""The closed vocabularies of the API (api.md) and the seeds, as ``StrEnum``s."""

from __future__ import annotations

from enum import StrEnum


class Provider(StrEnum):
    """Providers the engine syncs with (seed 002's adapter list); values match ``adapters/<name>``."""

    SALESFORCE = "salesforce"
    DYNAMICS = "dynamics"
    HUBSPOT = "hubspot"
    GRAPH = "graph"
    GDRIVE = "gdrive"
    ZOOM = "zoom"
    GONG = "gong"


class SyncDirection(StrEnum):
    PULL = "pull"
    PUSH = "push"
    BIDIRECTIONAL = "bidirectional"


class Priority(StrEnum):
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class ConflictResolution(StrEnum):
    LOCAL_WINS = "local_wins"
    REMOTE_WINS = "remote_wins"
    NEWEST_WINS = "newest_wins"
    MERGE = "merge"
    MANUAL = "manual"


class IntegrationState(StrEnum):
    ACTIVE = "active"
    NEEDS_REAUTH = "needs_reauth"
    PAUSED = "paused"


class DedupStrategy(StrEnum):
    EXTERNAL_ID = "external_id"
    CONTENT_HASH = "content_hash"
    COMPOSITE_KEY = "composite_key"
    FUZZY = "fuzzy"


class Transform(StrEnum):
    """Field transforms; ``valueMap`` and ``default`` are separate fields of a FieldMapping."""

    STRING = "string"
    NUMBER = "number"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    LOWERCASE = "lowercase"
    UPPERCASE = "uppercase"
    TRIM = "trim"


class FilterOperator(StrEnum):
    EQ = "eq"
    NE = "ne"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    IN = "in"
    LIKE = "like"


class FrequencyType(StrEnum):
    INTERVAL = "interval"
    CRON = "cron"
    MANUAL = "manual"


class SyncStatus(StrEnum):
    """Status of one shard's link to one external record."""

    SYNCED = "synced"
    PENDING = "pending"
    FAILED = "failed"
    CONFLICT = "conflict"


class RunMode(StrEnum):
    INCREMENTAL = "incremental"
    FULL = "full"


class RunTrigger(StrEnum):
    HTTP = "http"
    SCHEDULE = "schedule"
    NIGHTLY = "nightly"
    WEBHOOK = "webhook"


class RunStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    PARTIAL = "partial"


class MappingStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class WebhookOperation(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class RateLimitOperation(StrEnum):
    """The seeds' per-operation levels; delete is the risky one (rejected, not queued, when throttled)."""

    FETCH = "fetch"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class CredentialType(StrEnum):
    """The nine credential types (seed 001, issue 5)."""

    OAUTH2 = "oauth2"
    OAUTH2_CLIENT_CREDENTIALS = "oauth2_client_credentials"
    JWT_BEARER = "jwt_bearer"
    API_KEY = "api_key"
    BASIC = "basic"
    BEARER = "bearer"
    CONNECTION_STRING = "connection_string"
    CERTIFICATE = "certificate"
    CUSTOM_HEADERS = "custom_headers"


class CredentialStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    NEEDS_REAUTH = "needs_reauth"


class DeadLetterKind(StrEnum):
    """What kind of work ended in the dead letter."""

    SYNC_PAGE = "sync_page"
    SYNC_MAPPING = "sync_mapping"
    WRITE_BACK = "write_back"
    WEBHOOK_EVENT = "webhook_event"
    TOKEN_REFRESH = "token_refresh"


class DeadLetterStatus(StrEnum):
    PENDING = "pending"
    RETRIED = "retried"


class AuditOutcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    REJECTED = "rejected"
