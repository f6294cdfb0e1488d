"""The credential service over real stores: save/read split, refresh outcomes, needs_reauth and resume."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest

from adapters.http.credentials import auth_for
from adapters.http.oauth import OAuthToken
from core import errors
from core.models import CredentialStatus, IntegrationState
from core.models.credentials import parse_credential
from credentials.models import CredentialRef, RefreshResult
from credentials.vault import read_secret, write_secret
from tests.credentials.conftest import TENANT, Harness, integration_body

TOKEN_URL = "https://login.example.test/services/oauth2/token"


class TokenEndpoint:
    """A scripted token endpoint: answers from `replies` in order, records the refresh tokens it saw."""

    def __init__(self, *replies: tuple[int, dict[str, Any]]) -> None:
        self.replies = list(replies)
        self.seen: list[str] = []
        self.before_reply: Any = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        form = dict(x.split("=", 1) for x in request.content.decode().split("&"))
        self.seen.append(form.get("refresh_token", ""))
        if self.before_reply is not None:
            self.before_reply()
        status, body = self.replies.pop(0)
        return httpx.Response(status, json=body)


def credential(harness: Harness, expires_in: float) -> dict[str, Any]:
    return {"type": "oauth2", "accessToken": "at-secret-0", "refreshToken": "rt-secret-0", "clientId": "cid",
            "clientSecret": "cs-secret", "tokenUrl": TOKEN_URL,
            "expiresAt": (harness.clock() + timedelta(seconds=expires_in)).isoformat()}


def grant(n: int) -> tuple[int, dict[str, Any]]:
    return 200, {"access_token": f"at-secret-{n}", "refresh_token": f"rt-secret-{n}", "expires_in": 7200}


@pytest.fixture
def added(any_harness: Harness) -> Harness:
    integration = integration_body("https://acme.example.test").with_server_fields(next_sync_at=any_harness.clock())
    any_harness.add("sf1", credential(any_harness, expires_in=600), integration)
    return any_harness


async def refresh(harness: Harness, endpoint: TokenEndpoint, within: float = 3600) -> Any:
    service = harness.service(transport=httpx.MockTransport(endpoint))
    return await service.refresh_credential(TENANT, "sf1", due_before=harness.clock() + timedelta(seconds=within))


def test_save_splits_secret_and_metadata(added: Harness) -> None:
    meta = added.stores.credentials.get(TENANT, "sf1")
    assert meta is not None and meta.status == CredentialStatus.ACTIVE and meta.version == 1
    stored_doc = json.dumps(meta.to_wire())
    assert "secret" not in stored_doc  # no token, refresh token or client secret in the record store
    secret = read_secret(added.stores.secrets, TENANT, "sf1")
    assert secret is not None and secret["refreshToken"] == "rt-secret-0"
    assert [a.action for a in added.stores.audit.list(TENANT)] == ["credential.saved"]
    assert added.service().describe(TENANT, "sf1") == {
        "type": "oauth2", "expiresAt": meta.to_wire()["expiresAt"], "status": "active", "lastRefreshedAt": None}
    assert added.service().describe(TENANT, "nope") is None


async def test_success_persists_new_access_and_refresh_token_with_a_new_version(added: Harness) -> None:
    endpoint = TokenEndpoint(grant(1))
    outcome = await refresh(added, endpoint)
    assert outcome.result == RefreshResult.REFRESHED and outcome.version == 2
    assert endpoint.seen == ["rt-secret-0"]
    secret = read_secret(added.stores.secrets, TENANT, "sf1")
    assert secret is not None and (secret["accessToken"], secret["refreshToken"]) == ("at-secret-1", "rt-secret-1")
    meta = added.stores.credentials.get(TENANT, "sf1")
    assert meta is not None and meta.version == 2 and meta.last_refreshed_at == added.clock()
    assert meta.expires_at == added.clock() + timedelta(seconds=7200)
    audit = added.stores.audit.list(TENANT, "credential.refreshed")
    assert len(audit) == 1 and "secret" not in json.dumps(audit[0].to_wire())
    again = await refresh(added, TokenEndpoint())  # not due any more: no token request at all
    assert again.result == RefreshResult.ALREADY_FRESH


async def test_invalid_grant_marks_needs_reauth_and_saving_again_resumes(added: Harness) -> None:
    outcome = await refresh(added, TokenEndpoint((400, {"error": "invalid_grant"})))
    assert outcome.result == RefreshResult.NEEDS_REAUTH and outcome.error_code == "INVALID_GRANT"
    meta = added.stores.credentials.get(TENANT, "sf1")
    integration = added.stores.integrations.get(TENANT, "sf1")
    assert meta is not None and meta.status == CredentialStatus.NEEDS_REAUTH
    assert integration is not None and integration.state == IntegrationState.NEEDS_REAUTH
    assert integration.state_reason and "re-authorize" in integration.state_reason
    assert added.stores.audit.list(TENANT, "alert.credential_needs_reauth")
    assert added.stores.integrations.list_due(added.clock() + timedelta(days=1), 10) == []  # scheduler skips it
    with pytest.raises(errors.InvalidGrant):
        added.service().open(TENANT, "sf1")
    # The refresher leaves it alone until a person re-supplies the credential.
    assert (await refresh(added, TokenEndpoint())).result == RefreshResult.NEEDS_REAUTH

    added.service().save(TENANT, "sf1", parse_credential(credential(added, expires_in=600)))
    meta = added.stores.credentials.get(TENANT, "sf1")
    integration = added.stores.integrations.get(TENANT, "sf1")
    assert meta is not None and meta.status == CredentialStatus.ACTIVE
    assert integration is not None and (integration.state, integration.state_reason) == (IntegrationState.ACTIVE,
                                                                                         None)
    due = added.stores.integrations.list_due(added.clock() + timedelta(days=1), 10)
    assert [i.integration_id for i in due] == ["sf1"]  # scheduled syncs resume
    assert (await refresh(added, TokenEndpoint(grant(2)))).result == RefreshResult.REFRESHED


async def test_saving_does_not_resume_a_paused_integration(added: Harness) -> None:
    added.stores.integrations.update(TENANT, "sf1", {"state": IntegrationState.PAUSED})
    added.service().save(TENANT, "sf1", parse_credential(credential(added, expires_in=600)))
    integration = added.stores.integrations.get(TENANT, "sf1")
    assert integration is not None and integration.state == IntegrationState.PAUSED


async def test_transient_failure_keeps_the_credential_working(added: Harness) -> None:
    outcome = await refresh(added, TokenEndpoint((503, {"error": "unavailable"})))
    assert outcome.result == RefreshResult.TRANSIENT_FAILURE and outcome.error_code == "SERVICE_UNAVAILABLE"
    meta = added.stores.credentials.get(TENANT, "sf1")
    secret = read_secret(added.stores.secrets, TENANT, "sf1")
    assert meta is not None and meta.status == CredentialStatus.ACTIVE and meta.version == 1
    assert secret is not None and secret["accessToken"] == "at-secret-0"
    # A sync holding the still-valid token keeps using it while the endpoint is down.
    service = added.service(transport=httpx.MockTransport(TokenEndpoint((503, {}))))
    session = service.open(TENANT, "sf1")
    auth = auth_for(session.credential, "salesforce", on_token=session.on_token)
    token = await session.renew(auth.token)  # type: ignore[attr-defined]
    assert token.access_token == "at-secret-0"


async def test_invalid_grant_after_a_concurrent_rotation_is_not_a_revocation(added: Harness) -> None:
    endpoint = TokenEndpoint((400, {"error": "invalid_grant"}))

    def someone_else_rotates() -> None:  # e.g. a holder whose lease ran out committed meanwhile
        current = read_secret(added.stores.secrets, TENANT, "sf1")
        assert current is not None
        rotated = {**current, "accessToken": "at-secret-9", "refreshToken": "rt-secret-9",
                   "expiresAt": (added.clock() + timedelta(hours=2)).isoformat()}
        write_secret(added.stores.secrets, TENANT, "sf1", rotated)

    endpoint.before_reply = someone_else_rotates
    outcome = await refresh(added, endpoint)
    assert outcome.result == RefreshResult.ALREADY_FRESH
    meta = added.stores.credentials.get(TENANT, "sf1")
    assert meta is not None and meta.status == CredentialStatus.ACTIVE


async def test_static_credentials_are_skipped(harness: Harness) -> None:
    harness.add("key1", {"type": "api_key", "apiKey": "k-secret"}, integration_body("https://x.example.test"))
    service = harness.service()
    outcome = await service.refresher.refresh(CredentialRef(tenant_id=TENANT, integration_id="key1"))
    assert outcome.result == RefreshResult.SKIPPED
    assert service.expiring(harness.clock() + timedelta(days=365), 10) == []


async def test_a_token_obtained_outside_the_refresher_is_persisted_with_a_new_version(added: Harness) -> None:
    session = added.service().open(TENANT, "sf1")
    expires = added.clock() + timedelta(hours=1)
    await session.on_token(OAuthToken(access_token="at-secret-5", refresh_token="rt-secret-5", expires_at=expires))
    secret = read_secret(added.stores.secrets, TENANT, "sf1")
    meta = added.stores.credentials.get(TENANT, "sf1")
    assert secret is not None and (secret["accessToken"], secret["refreshToken"]) == ("at-secret-5", "rt-secret-5")
    assert meta is not None and meta.version == 2 and meta.expires_at == expires
    assert session.credential["refreshToken"] == "rt-secret-5"
