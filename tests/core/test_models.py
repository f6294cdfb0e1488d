"""Wire models: api.md's example round-trips; bad configs give per-field 422 details."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from core.models import (
    CredentialMetadata,
    CredentialType,
    CronFrequency,
    Integration,
    IntegrationState,
    IntervalFrequency,
    ManualFrequency,
    RateLimitCheck,
    Run,
    RunStats,
    Shard,
    SyncTaskMessage,
    WebhookEvent,
    parse_credential,
    secret_fields,
    validation_details,
)
from core.models.enums import MappingStatus, RunStatus
from core.models.run import MappingProgress, overall_status

API_EXAMPLE = {
    "provider": "salesforce",
    "displayName": "Acme Salesforce",
    "connection": {
        "instanceUrl": "https://acme.my.salesforce.com",
        "apiVersion": "v60.0",
        "tokenUrl": "https://login.salesforce.com/services/oauth2/token",
    },
    "entityMappings": [
        {
            "externalEntity": "Account",
            "shardTypeId": "account",
            "direction": "pull",
            "createNew": True,
            "fieldMappings": [
                {"source": "Name", "target": "name"},
                {"source": "AnnualRevenue", "target": "revenue", "transform": "number"},
                {"source": "Owner.Email", "target": "ownerEmail"},
            ],
            "dedup": {"strategy": "external_id"},
            "pullFilters": [],
        }
    ],
    "syncFrequency": {"type": "interval", "intervalMinutes": 60},
    "nightlyFullSync": True,
    "priority": "normal",
    "writeBack": {"enabled": False},
    "conflictResolution": "local_wins",
    "rateLimits": {"requestsPerSecond": 25, "requestsPerDay": 100000},
}


def _with(path: str, value: object) -> dict:
    """API_EXAMPLE with one dotted path (list indexes as digits) replaced."""
    body = copy.deepcopy(API_EXAMPLE)
    node: object = body
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]  # type: ignore[index]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value  # type: ignore[index]
    return body


def test_api_example_round_trips_in_camel_case() -> None:
    integration = Integration.model_validate(API_EXAMPLE)
    assert integration.entity_mappings[0].field_mappings[2].source == "Owner.Email"
    wire = integration.to_wire(exclude_none=True)
    for key, value in API_EXAMPLE.items():
        if key != "entityMappings":
            assert wire[key] == value, key
    assert wire["state"] == "active"
    assert Integration.model_validate(wire) == integration


def test_defaults_and_snake_case_construction() -> None:
    minimal = {k: API_EXAMPLE[k] for k in ("provider", "connection", "entityMappings")}
    integration = Integration.model_validate(minimal)
    assert integration.sync_frequency == IntervalFrequency(interval_minutes=60)
    assert integration.conflict_resolution == "local_wins"
    assert integration.priority == "normal"


def test_cosmos_system_properties_are_dropped() -> None:
    doc = dict(API_EXAMPLE, _rid="abc", _ts=1, _etag='"x"')
    assert Integration.model_validate(doc).provider == "salesforce"


CRON_FIELD = "syncFrequency.cronExpression"
FIELD_1 = "entityMappings[0].fieldMappings[1]"
STAT_NAMES = {"fetched", "created", "updated", "unchanged", "skipped", "deleted", "failed"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_with("entityMappings.0.direction", "sideways"), "entityMappings[0].direction"),
        (_with("provider", "myspace"), "provider"),
        (_with("priority", "urgent"), "priority"),
        (_with("conflictResolution", "coin_flip"), "conflictResolution"),
        (_with("syncFrequency", {"type": "cron", "cronExpression": "0 * * * *"}), CRON_FIELD),
        (_with("syncFrequency", {"type": "cron", "cronExpression": "0 99 * * * *"}), CRON_FIELD),
        (_with("syncFrequency", {"type": "interval", "intervalMinutes": 0}), "syncFrequency.intervalMinutes"),
        (_with("syncFrequency", {"type": "hourly"}), "syncFrequency.type"),
        (_with("entityMappings.0.fieldMappings", []), "entityMappings[0].fieldMappings"),
        (_with("entityMappings.0.fieldMappings.1.transform", "rot13"), f"{FIELD_1}.transform"),
        (_with("entityMappings.0.fieldMappings.1.source", "Owner..Email"), f"{FIELD_1}.source"),
        (_with("entityMappings.0.fieldMappings.1.target", "name"), "entityMappings[0].fieldMappings"),
        (_with("entityMappings.0.dedup", {"strategy": "composite_key"}), "entityMappings[0].dedup.keys"),
        (_with("entityMappings.0.dedup", {"strategy": "fuzzy", "keys": ["nope"]}), "entityMappings[0].dedup"),
        (_with("entityMappings.0.dedup", {"strategy": "fuzzy", "keys": ["name"], "threshold": 2}),
         "entityMappings[0].dedup.threshold"),
        (_with("entityMappings.0.shardTypeId", "a/b"), "entityMappings[0].shardTypeId"),
        (_with("rateLimits", {"requestsPerSecond": -1}), "rateLimits.requestsPerSecond"),
        (_with("nightlyFullSyncc", True), "nightlyFullSyncc"),
        (_with("entityMappings", []), "entityMappings"),
        (_with("entityMappings.0.pullFilters", [{"field": "Type", "operator": "in", "value": "x"}]),
         "entityMappings[0].pullFilters[0].value"),
        (_with("entityMappings.0.pullFilters", [{"field": "Type", "value": ["a"]}]),
         "entityMappings[0].pullFilters[0].value"),
        (_with("entityMappings.0.pullFilters", [{"field": "Type", "operator": "near"}]),
         "entityMappings[0].pullFilters[0].operator"),
    ],
)
def test_invalid_config_names_the_field(body: dict, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Integration.model_validate(body)
    fields = [d["field"] for d in validation_details(caught.value)]
    assert field in fields, fields


def test_a_failed_union_reports_its_most_specific_member_once() -> None:
    body = _with("entityMappings.0.fieldMappings.1.transform", ["trim", "bogus"])
    with pytest.raises(ValidationError) as caught:
        Integration.model_validate(body)
    assert [d["field"] for d in validation_details(caught.value)] == [f"{FIELD_1}.transform[1]"]
    with pytest.raises(ValidationError) as caught:
        Integration.model_validate(_with("entityMappings.0.fieldMappings.1.transform", "bogus"))
    assert [d["field"] for d in validation_details(caught.value)] == [f"{FIELD_1}.transform"]


def test_missing_required_fields_are_each_named() -> None:
    with pytest.raises(ValidationError) as caught:
        Integration.model_validate({})
    fields = {d["field"] for d in validation_details(caught.value)}
    assert fields == {"provider", "connection", "entityMappings"}


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        ({"type": "interval", "intervalMinutes": 15}, IntervalFrequency(interval_minutes=15)),
        ({"type": "cron", "cronExpression": "0 */5 * * * *"}, CronFrequency(cron_expression="0 */5 * * * *")),
        ({"type": "manual"}, ManualFrequency()),
    ],
)
def test_frequency_is_discriminated_on_type(frequency: dict, expected: object) -> None:
    assert Integration.model_validate(_with("syncFrequency", frequency)).sync_frequency == expected


CREDENTIALS = [
    {"type": "oauth2", "accessToken": "at-1", "refreshToken": "rt-1", "expiresAt": "2026-01-01T00:00:00Z",
     "clientId": "cid", "clientSecret": "cs-1", "tokenUrl": "https://login.salesforce.com/services/oauth2/token"},
    {"type": "oauth2_client_credentials", "clientId": "cid", "clientSecret": "cs-2", "tokenUrl": "https://l/t"},
    {"type": "jwt_bearer", "issuer": "sa@x", "privateKey": "pk-3", "tokenUrl": "https://oauth2.googleapis.com/token"},
    {"type": "api_key", "apiKey": "key-4", "headerName": "X-Api-Key"},
    {"type": "basic", "username": "u", "password": "pw-5"},
    {"type": "bearer", "token": "tok-6"},
    {"type": "connection_string", "connectionString": "Server=x;Password=pw-7"},
    {"type": "certificate", "certificate": "CERT-8", "privateKey": "pk-8"},
    {"type": "custom_headers", "headers": {"X-Token": "hdr-9"}},
]


@pytest.mark.parametrize("body", CREDENTIALS, ids=[c["type"] for c in CREDENTIALS])
def test_each_credential_type_masks_secrets_and_reveals_them_only_for_the_store(body: dict) -> None:
    credential = parse_credential(body)
    secrets = [v for k, v in body.items() if k not in ("type", "clientId", "tokenUrl", "issuer", "username",
                                                       "headerName", "expiresAt")]
    if body["type"] == "custom_headers":
        secrets = ["hdr-9"]
    text = repr(credential) + str(credential.to_wire())
    for secret in secrets:
        assert secret not in text
    revealed = secret_fields(credential)
    assert revealed == body
    assert parse_credential(revealed) == credential
    metadata = CredentialMetadata.for_credential(credential)
    assert metadata.type == CredentialType(body["type"])
    assert set(metadata.to_wire()) >= {"type", "expiresAt", "status", "lastRefreshedAt", "version"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "oauth2", "clientId": "c", "tokenUrl": "ftp://x/y"}, "tokenUrl"),
        ({"type": "basic", "username": "u"}, "password"),
        ({"type": "telepathy"}, "type"),
        ({"type": "api_key", "apiKey": "k", "extra": 1}, "extra"),
    ],
)
def test_invalid_credentials_name_the_field(body: dict, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_credential(body)
    assert field in [d["field"] for d in validation_details(caught.value)]


def test_oauth2_needs_a_token_and_details_never_echo_input() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_credential(
            {"type": "oauth2", "clientId": "c", "tokenUrl": "https://l/t", "clientSecret": "s3cr3t"}
        )
    details = validation_details(caught.value)
    assert details == [{"field": "refreshToken", "message": "accessToken or refreshToken is required"}]
    assert "s3cr3t" not in str(details)


def test_shard_and_run_shapes() -> None:
    shard = Shard.model_validate({
        "id": "s1", "tenantId": "t1", "shardTypeId": "account", "structuredData": {"name": "Acme"},
        "externalRelationships": [{"system": "salesforce", "integrationId": "i1", "externalId": "001",
                                   "syncDirection": "pull", "lastSyncedAt": "2026-01-01T00:00:00+02:00",
                                   "syncStatus": "synced", "remoteVersion": "v1", "contentHash": "ab"}],
        "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z", "etag": "e", "_ts": 5,
    })
    relationship = shard.relationship_for("i1")
    assert relationship is not None
    assert relationship.last_synced_at == datetime(2025, 12, 31, 22, tzinfo=UTC)
    assert shard.to_wire()["externalRelationships"][0]["lastSyncedAt"] == "2025-12-31T22:00:00Z"
    run = Run(run_id="sync-t1-i1", integration_id="i1", started_at=datetime(2026, 1, 1))
    assert run.started_at.tzinfo is UTC
    assert set(run.to_wire()["stats"]) == STAT_NAMES
    total = RunStats(created=1, fetched=2) + RunStats(created=2, failed=1)
    assert total == RunStats(created=3, fetched=2, failed=1)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], RunStatus.COMPLETED),
        (["completed", "completed"], RunStatus.COMPLETED),
        (["failed", "failed"], RunStatus.FAILED),
        (["completed", "failed"], RunStatus.PARTIAL),
        (["completed", "running"], RunStatus.RUNNING),
    ],
)
def test_overall_status(statuses: list[str], expected: RunStatus) -> None:
    mappings = [
        MappingProgress(external_entity="A", shard_type_id="a", status=MappingStatus(s)) for s in statuses
    ]
    assert overall_status(mappings) == expected


def test_seed_messages() -> None:
    task = SyncTaskMessage.model_validate({
        "integrationId": "salesforce", "tenantId": "tenant-1", "connectionId": "conn-sf-001",
        "syncMode": "pull", "priority": "normal", "correlationId": "c1", "enqueuedAt": "2026-01-01T00:00:00Z",
    })
    assert task.to_wire()["enqueuedAt"] == "2026-01-01T00:00:00Z"
    event = WebhookEvent.model_validate({
        "integrationId": "i", "tenantId": "t", "eventType": "account.created", "entityType": "account",
        "entityId": "acc-001", "operation": "create", "data": {"a": 1}, "timestamp": "2026-01-01T00:00:00Z",
    })
    assert event.operation == "create"
    check = RateLimitCheck(allowed=False, queued=True, remaining=0, reset_at=datetime(2026, 1, 1, tzinfo=UTC),
                           retry_after_seconds=1.5)
    assert check.to_wire() == {"allowed": False, "queued": True, "remaining": 0,
                               "resetAt": "2026-01-01T00:00:00Z", "retryAfterSeconds": 1.5}


def test_server_fields_replace_what_the_client_sent() -> None:
    sent = Integration.model_validate(dict(API_EXAMPLE, state="paused", integrationId="spoofed"))
    stored = sent.with_server_fields(tenant_id="t1", integration_id="i1", state="active")
    assert (stored.tenant_id, stored.integration_id, stored.state) == ("t1", "i1", IntegrationState.ACTIVE)
    assert stored.entity_mappings == sent.entity_mappings
    with pytest.raises(ValidationError):
        sent.with_server_fields(state="sleeping")
    with pytest.raises(ValueError, match="not server-side"):
        sent.with_server_fields(provider="hubspot")
