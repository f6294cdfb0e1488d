"""The secret store contract. Values go in as ``str`` and come back as ``SecretStr``, so an
accidental log line or repr prints ``**********``, never the value."""

from __future__ import annotations

from typing import Protocol

from pydantic import SecretStr


def credential_secret_name(tenant_id: str, integration_id: str) -> str:
    """The name under which an integration's credential secret is kept."""
    return f"cred--{tenant_id}--{integration_id}"


class SecretStore(Protocol):
    def get(self, name: str) -> SecretStr | None:
        """The current value, or None when there is no such secret."""
        ...

    def set(self, name: str, value: str | SecretStr) -> None:
        """Create or replace (a new version, where the backend keeps versions)."""
        ...

    def delete(self, name: str) -> bool:
        """Remove; False when it did not exist."""
        ...


def reveal(value: str | SecretStr) -> str:
    return value.get_secret_value() if isinstance(value, SecretStr) else value
