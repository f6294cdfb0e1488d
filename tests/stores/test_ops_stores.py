"""DeadLetterStore, AuditStore, WebhookInbox and CredentialMetaStore contracts on both backends."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from core.models import (
    AuditRecord,
    CredentialMetadata,
    CredentialStatus,
    CredentialType,
    DeadLetter,
    DeadLetterKind,
    DeadLetterStatus,
    WebhookEvent,
)
from stores.audit import new_audit_id
from stores.errors import RecordExists, RecordNotFound, StaleETag
from stores.factory import Stores
from stores.webhooks import InboxItem

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def dead_letter(n: int, tenant: str = "t1", status: DeadLetterStatus = DeadLetterStatus.PENDING) -> DeadLetter:
    at = NOW + timedelta(minutes=n)
    return DeadLetter(id=f"dl{n}", tenant_id=tenant, kind=DeadLetterKind.SYNC_PAGE, payload={"stagingKey": "k"},
                      error_type="ValidationFailed", error_message="bad", first_failed_at=at, last_failed_at=at,
                      status=status)


def test_dead_letters(stores: Stores) -> None:
    dls = stores.dead_letters
    for n in range(3):
        dls.add(dead_letter(n))
    dls.add(dead_letter(3, status=DeadLetterStatus.RETRIED))
    dls.add(dead_letter(9, tenant="t2"))
    assert [d.id for d in dls.list("t1")] == ["dl3", "dl2", "dl1", "dl0"]
    assert [d.id for d in dls.list("t1", DeadLetterStatus.PENDING, limit=2)] == ["dl2", "dl1"]
    assert dls.get("t1", "dl9") is None
    assert dls.get("t1", "dl1").payload == {"stagingKey": "k"}  # type: ignore[union-attr]
    assert dls.delete("t1", "dl1") and not dls.delete("t1", "dl9")
    assert [d.id for d in dls.list("t2")] == ["dl9"]


def test_audit_append_and_list(stores: Stores) -> None:
    def record(n: int, action: str, tenant: str = "t1") -> AuditRecord:
        return AuditRecord(id=f"a{n}", tenant_id=tenant, action=action, at=NOW + timedelta(seconds=n))

    stores.audit.append(record(1, "credential.refreshed"))
    stores.audit.append(record(2, "webhook.rejected"))
    stores.audit.append(record(3, "credential.refreshed"))
    stores.audit.append(record(4, "credential.refreshed", tenant="t2"))
    with pytest.raises(RecordExists):
        stores.audit.append(record(1, "credential.refreshed"))
    assert [r.id for r in stores.audit.list("t1")] == ["a3", "a2", "a1"]
    assert [r.id for r in stores.audit.list("t1", action="credential.refreshed")] == ["a3", "a1"]


def test_new_audit_ids_sort_by_time_and_do_not_repeat() -> None:
    ids = [new_audit_id(NOW + timedelta(milliseconds=n // 3)) for n in range(300)]
    assert len(set(ids)) == 300
    assert [i[:12] for i in ids] == sorted(i[:12] for i in ids)  # time first: appended at the end of the key order
    assert new_audit_id(NOW + timedelta(milliseconds=1)) > max(ids[:3])
    AuditRecord(id=ids[0], tenant_id="t1", action="webhook.received", at=NOW)  # a valid Identifier


def inbox_item(event_id: str, registration: str = "reg1", minutes: int = 0) -> InboxItem:
    event = WebhookEvent(integration_id="i1", tenant_id="t1", event_type="record.updated", entity_type="Account",
                         entity_id="001", operation="update", timestamp=NOW)
    return InboxItem(tenant_id="t1", registration_id=registration, event_id=event_id, event=event,
                     received_at=NOW + timedelta(minutes=minutes))


def test_webhook_inbox_dedup_and_processing(stores: Stores) -> None:
    inbox = stores.webhooks
    assert inbox.insert_if_absent(inbox_item("evt/1#a", minutes=1))
    assert not inbox.insert_if_absent(inbox_item("evt/1#a", minutes=2))  # redelivery
    assert inbox.insert_if_absent(inbox_item("evt/1#a", registration="reg2"))  # other registration
    assert inbox.insert_if_absent(inbox_item("evt-2", minutes=3))
    assert [(i.registration_id, i.event_id) for i in inbox.list_pending("t1")] == [
        ("reg2", "evt/1#a"), ("reg1", "evt/1#a"), ("reg1", "evt-2"),
    ]
    inbox.mark_processed("t1", "reg1", "evt/1#a", NOW)
    assert [i.event_id for i in inbox.list_pending("t1", registration_id="reg1")] == ["evt-2"]
    assert inbox.list_pending("t2") == []
    with pytest.raises(RecordNotFound):
        inbox.mark_processed("t2", "reg1", "evt-2", NOW)


def meta(expires_in: timedelta | None, status: CredentialStatus = CredentialStatus.ACTIVE) -> CredentialMetadata:
    return CredentialMetadata(type=CredentialType.OAUTH2, status=status,
                              expires_at=NOW + expires_in if expires_in is not None else None)


def test_credential_metadata_cas_and_expiring(stores: Stores) -> None:
    creds = stores.credentials
    first = creds.put("t1", "i1", meta(timedelta(minutes=30)), expected_version=0)
    assert first.version == 1 and first.tenant_id == "t1" and first.integration_id == "i1"
    refreshed = creds.put("t1", "i1", meta(timedelta(hours=2)), expected_version=1)
    assert refreshed.version == 2
    with pytest.raises(StaleETag):  # the losing refresher of a race
        creds.put("t1", "i1", meta(timedelta(hours=3)), expected_version=1)
    assert creds.put("t1", "i1", meta(timedelta(minutes=10)), expected_version=None).version == 3
    creds.put("t2", "i1", meta(timedelta(minutes=50)), expected_version=0)
    creds.put("t2", "i2", meta(timedelta(minutes=5), CredentialStatus.NEEDS_REAUTH), expected_version=0)
    creds.put("t2", "i3", meta(None), expected_version=0)
    creds.put("t1", "i4", meta(timedelta(hours=5)), expected_version=0)
    expiring = creds.list_expiring(NOW + timedelta(hours=1))
    assert [(m.tenant_id, m.integration_id) for m in expiring] == [("t1", "i1"), ("t2", "i1")]
    assert creds.get("t3", "i1") is None
    assert creds.delete("t1", "i1") and creds.get("t1", "i1") is None


def test_only_one_of_racing_refreshers_wins(stores: Stores) -> None:
    stores.credentials.put("t1", "i1", meta(timedelta(minutes=5)), expected_version=0)
    outcomes: list[str] = []

    def refresh(n: int) -> None:
        try:
            stores.credentials.put("t1", "i1", meta(timedelta(hours=n)), expected_version=1)
            outcomes.append("won")
        except StaleETag:
            outcomes.append("lost")

    threads = [threading.Thread(target=refresh, args=(n,)) for n in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["lost"] * 7 + ["won"]
    assert stores.credentials.get("t1", "i1").version == 2  # type: ignore[union-attr]
