"""Credentials: one input model per type (secrets as ``SecretStr``) and the stored metadata.

The secret part lives only in the secret store. ``CredentialMetadata`` (type, expiry, status,
version) is what the record store keeps and what ``GET .../credentials`` returns.
``secret_fields(credential)`` reveals the secrets for the secret store and nothing else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, TypeAdapter, ValidationInfo, field_validator

from core.models.base import (
    CamelModel,
    DocumentModel,
    Identifier,
    NonEmptyStr,
    UtcDatetime,
    register_root_union_tags,
)
from core.models.enums import CredentialStatus, CredentialType


def _http_url(value: str) -> str:
    # Kept as a plain string (pydantic's Url types normalise, e.g. add a trailing slash).
    if not value.startswith(("https://", "http://")) or len(value) < 10:
        raise ValueError("must be an http(s) URL")
    return value


class _UrlMixin(CamelModel):
    @field_validator("token_url", mode="after", check_fields=False)
    @classmethod
    def _token_url(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value)


class OAuth2Credential(_UrlMixin):
    """OAuth 2.0 authorization code grant: an access token, refreshed with the refresh token."""

    type: Literal["oauth2"] = "oauth2"
    access_token: SecretStr | None = None
    refresh_token: SecretStr | None = Field(default=None, validate_default=True)
    expires_at: UtcDatetime | None = None
    client_id: NonEmptyStr
    client_secret: SecretStr | None = None
    token_url: str
    scope: str | None = None

    @field_validator("refresh_token")
    @classmethod
    def _some_token(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        # Checked on a field (not the model) so that the 422 names one.
        if value is None and info.data.get("access_token") is None:
            raise ValueError("accessToken or refreshToken is required")
        return value


class ClientCredentialsCredential(_UrlMixin):
    """OAuth 2.0 client credentials (Dataverse, Graph, Zoom server-to-server)."""

    type: Literal["oauth2_client_credentials"] = "oauth2_client_credentials"
    client_id: NonEmptyStr
    client_secret: SecretStr
    token_url: str
    scope: str | None = None
    access_token: SecretStr | None = None
    expires_at: UtcDatetime | None = None


class JwtBearerCredential(_UrlMixin):
    """JWT bearer grant / service account (Google, Salesforce JWT flow): a signed assertion."""

    type: Literal["jwt_bearer"] = "jwt_bearer"
    issuer: NonEmptyStr
    subject: str | None = None
    audience: str | None = None
    private_key: SecretStr
    key_id: str | None = None
    token_url: str
    scope: str | None = None
    access_token: SecretStr | None = None
    expires_at: UtcDatetime | None = None


class ApiKeyCredential(CamelModel):
    """An API key sent in a header (default ``Authorization``) or a query parameter."""

    type: Literal["api_key"] = "api_key"
    api_key: SecretStr
    header_name: str | None = None
    query_param: str | None = None
    prefix: str | None = None


class BasicCredential(CamelModel):
    type: Literal["basic"] = "basic"
    username: NonEmptyStr
    password: SecretStr


class BearerCredential(CamelModel):
    type: Literal["bearer"] = "bearer"
    token: SecretStr
    expires_at: UtcDatetime | None = None


class ConnectionStringCredential(CamelModel):
    type: Literal["connection_string"] = "connection_string"
    connection_string: SecretStr


class CertificateCredential(_UrlMixin):
    """Client certificate (PEM) with its private key, e.g. Entra ID certificate credentials."""

    type: Literal["certificate"] = "certificate"
    client_id: str | None = None
    certificate: SecretStr
    private_key: SecretStr
    passphrase: SecretStr | None = None
    thumbprint: str | None = None
    token_url: str | None = None
    scope: str | None = None


class CustomHeadersCredential(CamelModel):
    """Arbitrary headers, every value secret."""

    type: Literal["custom_headers"] = "custom_headers"
    headers: dict[NonEmptyStr, SecretStr] = Field(min_length=1)


Credential = Annotated[
    OAuth2Credential
    | ClientCredentialsCredential
    | JwtBearerCredential
    | ApiKeyCredential
    | BasicCredential
    | BearerCredential
    | ConnectionStringCredential
    | CertificateCredential
    | CustomHeadersCredential,
    Field(discriminator="type"),
]
"""Any credential, chosen by ``type``."""

CREDENTIAL_ADAPTER: TypeAdapter[Credential] = TypeAdapter(Credential)
register_root_union_tags(frozenset(t.value for t in CredentialType))


def parse_credential(data: Any) -> Credential:
    """Validate a credential body (raises ``pydantic.ValidationError``; see ``validation_details``)."""
    return CREDENTIAL_ADAPTER.validate_python(data)


def _reveal(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {k: _reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_reveal(v) for v in value]
    return value


def secret_fields(credential: CamelModel) -> dict[str, Any]:
    """The credential as camelCase JSON with secrets revealed: for the secret store only, never logs."""
    return _reveal(credential.model_dump(mode="python", by_alias=True, exclude_none=True))


class CredentialMetadata(DocumentModel):
    """What the record store keeps about a credential, and what the API returns: no secrets."""

    type: CredentialType
    expires_at: UtcDatetime | None = None
    status: CredentialStatus = CredentialStatus.ACTIVE
    last_refreshed_at: UtcDatetime | None = None
    version: int = Field(default=1, ge=1)
    tenant_id: Identifier | None = None
    integration_id: Identifier | None = None
    etag: str | None = None

    @classmethod
    def for_credential(cls, credential: Credential, **fields: Any) -> CredentialMetadata:
        """Metadata describing ``credential`` (its type and expiry), plus ``fields``."""
        fields.setdefault("expires_at", getattr(credential, "expires_at", None))
        return cls(type=CredentialType(credential.type), **fields)
