"""Secret stores: the ``SecretStore`` Protocol, a local file store, and Azure Key Vault."""

from stores.secrets.base import SecretStore, credential_secret_name

__all__ = ["SecretStore", "credential_secret_name"]
