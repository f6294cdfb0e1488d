"""``SecretStore`` on Azure Key Vault (``azure-keyvault-secrets`` with ``DefaultAzureCredential``).

Key Vault names allow only ``[0-9a-zA-Z-]`` (1-127 characters): other characters become ``-``
and a hash of the original name is appended, so two names never collide after sanitising.
Key Vault soft-deletes: setting a name that was deleted recovers it first, then writes.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.keyvault.secrets import SecretClient
from pydantic import SecretStr

from stores.errors import StoreUnavailable
from stores.secrets.base import reveal

_DISALLOWED = re.compile(r"[^0-9A-Za-z-]")


def vault_name(name: str) -> str:
    """A Key Vault-safe, collision-free name for ``name``."""
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    return f"{_DISALLOWED.sub('-', name)[:100]}-{digest}"


class KeyVaultSecretStore:
    """Secrets in one vault. Build once per process (the client pools connections)."""

    def __init__(self, vault_url: str, credential: Any = None, **client_kwargs: Any) -> None:
        if credential is None:
            from azure.identity import DefaultAzureCredential

            credential = DefaultAzureCredential()
        self._vault_url = vault_url
        self._client = SecretClient(vault_url=vault_url, credential=credential, **client_kwargs)

    def __repr__(self) -> str:
        return f"KeyVaultSecretStore({self._vault_url!r})"

    def get(self, name: str) -> SecretStr | None:
        try:
            secret = self._client.get_secret(vault_name(name))
        except ResourceNotFoundError:
            return None
        except HttpResponseError as exc:
            raise StoreUnavailable(f"key vault get failed with status {exc.status_code}") from None
        return SecretStr(secret.value or "")

    def set(self, name: str, value: str | SecretStr) -> None:
        target = vault_name(name)
        try:
            self._client.set_secret(target, reveal(value))
        except ResourceExistsError:
            # 409: the name is soft-deleted; recover it, then write the new version.
            self._client.begin_recover_deleted_secret(target).wait()
            self._client.set_secret(target, reveal(value))
        except HttpResponseError as exc:
            # "from None": the exception chain must not carry the request (and its value) along.
            raise StoreUnavailable(f"key vault set failed with status {exc.status_code}") from None

    def delete(self, name: str) -> bool:
        try:
            self._client.begin_delete_secret(vault_name(name)).wait()
        except ResourceNotFoundError:
            return False
        return True
