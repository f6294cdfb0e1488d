"""What a refresh or a save leaves behind besides tokens: audit records, integration state, alerts.

Audit ``details`` hold ids, timestamps, versions and error codes only. The alert for a credential
that needs re-authorization is an audit record (``alert.credential_needs_reauth``, outcome
``failure``) plus a WARNING log line that operators' alert rules can match on.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from core.models import AuditOutcome, AuditRecord, IntegrationState
from credentials.vault import CredentialStores
from stores.errors import RecordNotFound, StaleETag

log = logging.getLogger("castiel.credentials")
_STATE_ATTEMPTS = 5


def audit(stores: CredentialStores, tenant_id: str, integration_id: str, action: str, at: datetime, *,
          outcome: AuditOutcome = AuditOutcome.SUCCESS, actor: str = "token_refresher",
          **details: Any) -> None:
    """Append one audit record (``action`` like ``credential.refreshed``)."""
    record = AuditRecord(id=uuid.uuid4().hex, tenant_id=tenant_id, integration_id=integration_id, action=action,
                         outcome=outcome, actor=actor, at=at,
                         details={k: v for k, v in details.items() if v is not None})
    stores.audit.append(record)


def set_integration_state(stores: CredentialStores, tenant_id: str, integration_id: str,
                          state: IntegrationState, reason: str | None, *, only_from: IntegrationState | None = None
                          ) -> bool:
    """Set the integration's ``state``/``stateReason`` under ETag CAS (retried on a concurrent write).

    With ``only_from`` the change applies only when the current state is that one (re-supplying
    credentials must not un-pause a paused integration). False when nothing changed.
    """
    for _ in range(_STATE_ATTEMPTS):
        current = stores.integrations.get(tenant_id, integration_id)
        if current is None:
            return False
        if only_from is not None and current.state != only_from:
            return False
        if current.state == state and current.state_reason == reason:
            return False
        try:
            stores.integrations.update(tenant_id, integration_id, {"state": state, "state_reason": reason},
                                       if_match=current.etag)
        except StaleETag:
            continue
        except RecordNotFound:
            return False
        return True
    raise StaleETag(f"integration {integration_id} kept changing while its state was being set")


def raise_reauth_alert(stores: CredentialStores, tenant_id: str, integration_id: str, at: datetime,
                       error_code: str, reason: str) -> None:
    """Audit and log that a person must re-authorize this integration."""
    audit(stores, tenant_id, integration_id, "alert.credential_needs_reauth", at, outcome=AuditOutcome.FAILURE,
          error_code=error_code, reason=reason)
    log.warning("ALERT credential needs re-authorization tenant=%s integration=%s code=%s",
                tenant_id, integration_id, error_code)
