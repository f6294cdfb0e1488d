"""The stores a credential lives in, and reading/writing its secret part.

The secret store holds the whole credential (camelCase JSON, secrets revealed, the shape
``adapters.http.credentials.auth_for`` takes) under ``credential_secret_name``; the record store
holds ``CredentialMetadata``. Nothing here logs or returns a secret except ``read_secret``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from core import errors
from core.models import CredentialType
from core.models.credentials import parse_credential
from credentials.lease import CredentialLeases
from stores.audit import AuditStore
from stores.credentials import CredentialMetaStore
from stores.integrations import IntegrationStore
from stores.secrets import SecretStore, credential_secret_name

Clock = Callable[[], datetime]

# Types whose access token the engine mints or renews itself (the others are static secrets).
RENEWABLE_TYPES = frozenset({
    CredentialType.OAUTH2, CredentialType.OAUTH2_CLIENT_CREDENTIALS, CredentialType.JWT_BEARER,
})


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CredentialStores:
    """Everything the credential service reads and writes; built once per process."""

    metas: CredentialMetaStore
    secrets: SecretStore
    leases: CredentialLeases
    integrations: IntegrationStore
    audit: AuditStore


def read_secret(secrets: SecretStore, tenant_id: str, integration_id: str) -> dict[str, Any] | None:
    """The stored credential dict (secrets revealed), or None when there is none."""
    value = secrets.get(credential_secret_name(tenant_id, integration_id))
    if value is None:
        return None
    try:
        data = json.loads(value.get_secret_value())
    except ValueError:
        # The message names the credential, never the content.
        raise errors.ConfigError(f"stored credential of {integration_id} is not JSON") from None
    if not isinstance(data, dict):
        raise errors.ConfigError(f"stored credential of {integration_id} is not an object")
    return data


def write_secret(secrets: SecretStore, tenant_id: str, integration_id: str, credential: dict[str, Any]) -> None:
    """Validate and store the credential dict (a bad shape never reaches the store)."""
    try:
        parse_credential(credential)
    except ValidationError as exc:
        raise errors.ConfigError(f"refusing to store an invalid credential: {exc.error_count()} problem(s)") from None
    name = credential_secret_name(tenant_id, integration_id)
    secrets.set(name, json.dumps(credential, separators=(",", ":")))
