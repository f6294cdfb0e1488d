"""Credentials routes in-process: secrets go to the secret store and never come back."""

from __future__ import annotations

from core.models import IntegrationState
from services import Services
from tests.api.conftest import INTEGRATION, Api

PATH = "/tenants/acme/integrations/sf-1/credentials"
OAUTH = {"type": "oauth2", "accessToken": "at-SECRET-1", "refreshToken": "rt-SECRET-2",
         "expiresAt": "2026-01-01T00:00:00Z", "clientId": "cid", "clientSecret": "cs-SECRET-3",
         "tokenUrl": "https://login.salesforce.com/services/oauth2/token"}


async def test_put_stores_the_secret_and_get_returns_metadata_only(api: Api, services: Services) -> None:
    await api.call("PUT", "/tenants/acme/integrations/sf-1", json_body=INTEGRATION)
    r = await api.call("PUT", PATH, json_body=OAUTH)
    assert r.status == 204 and r.body == b""
    got = await api.call("GET", PATH)
    assert got.status == 200
    assert got.json() == {"type": "oauth2", "expiresAt": "2026-01-01T00:00:00Z", "status": "active",
                          "lastRefreshedAt": None}
    assert b"SECRET" not in got.body
    stored = services.stores.secrets.get("cred--acme--sf-1")
    assert stored is not None and "rt-SECRET-2" in stored.get_secret_value()


async def test_put_lifts_needs_reauth_but_not_paused(api: Api, services: Services) -> None:
    await api.call("PUT", "/tenants/acme/integrations/sf-1", json_body=INTEGRATION)
    services.stores.integrations.update("acme", "sf-1", {"state": IntegrationState.NEEDS_REAUTH})
    assert (await api.call("PUT", PATH, json_body=OAUTH)).status == 204
    assert (await api.call("GET", "/tenants/acme/integrations/sf-1")).json()["state"] == "active"
    services.stores.integrations.update("acme", "sf-1", {"state": IntegrationState.PAUSED})
    assert (await api.call("PUT", PATH, json_body=OAUTH)).status == 204
    assert (await api.call("GET", "/tenants/acme/integrations/sf-1")).json()["state"] == "paused"


async def test_invalid_credentials_are_422_without_echoing_secrets(api: Api) -> None:
    await api.call("PUT", "/tenants/acme/integrations/sf-1", json_body=INTEGRATION)
    without_client_id = {k: v for k, v in OAUTH.items() if k != "clientId"}
    r = await api.call("PUT", PATH, json_body=without_client_id | {"extra": 1})
    assert r.status == 422
    assert {d["field"] for d in r.json()["error"]["details"]} == {"clientId", "extra"}
    assert b"SECRET" not in r.body
    r = await api.call("PUT", PATH, json_body={"type": "carrier_pigeon"})
    assert r.status == 422 and r.json()["error"]["details"][0]["field"] == "type"


async def test_unknown_integration_or_missing_credential_is_404(api: Api) -> None:
    assert (await api.call("PUT", PATH, json_body=OAUTH)).status == 404
    assert (await api.call("GET", PATH)).status == 404
    await api.call("PUT", "/tenants/acme/integrations/sf-1", json_body=INTEGRATION)
    assert (await api.call("GET", PATH)).status == 404
    await api.call("PUT", PATH, json_body=OAUTH)
    assert (await api.call("GET", "/tenants/globex/integrations/sf-1/credentials")).status == 404
