"""The providers' OAuth 2.0 token endpoints (refresh_token and client_credentials grants).

https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm
https://developers.hubspot.com/docs/api/oauth/refresh-access-token
"""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any

from aiohttp import web

from sandbox.context import COUNTERS, DATAVERSE, HUBSPOT, OPTIONS, SALESFORCE
from sandbox.jsonio import json_response
from sandbox.oauth_state import InvalidClient, InvalidGrant, IssuedTokens, OAuthError, OAuthState, UnsupportedGrantType

routes = web.RouteTableDef()


def _basic_credentials(request: web.Request) -> tuple[str | None, str | None]:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None, None
    try:
        client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidClient("malformed Basic credentials") from exc
    return client_id, secret


async def _grant(request: web.Request, state: OAuthState, *, microsoft: bool = False) -> IssuedTokens:
    """Run the grant the form asks for; counts successes by grant type and invalid_grant failures."""
    form = await request.post()
    options, counters = request.config_dict[OPTIONS], request.config_dict[COUNTERS]
    basic_id, basic_secret = _basic_credentials(request)
    client_id = basic_id or _text(form.get("client_id"))
    secret = basic_secret if basic_id else _text(form.get("client_secret"))
    grant_type = _text(form.get("grant_type"))
    try:
        if grant_type == "refresh_token":
            issued = state.refresh(client_id, secret, _text(form.get("refresh_token")),
                                   lifetime=options.token_lifetime, rotate=microsoft or options.rotate_refresh_tokens,
                                   revoke_family_on_reuse=options.revoke_family_on_reuse, keep_old=microsoft)
        elif grant_type == "client_credentials":
            issued = state.client_credentials(client_id, secret, options.token_lifetime)
        else:
            raise UnsupportedGrantType("grant type not supported")
    except InvalidGrant:
        counters.invalid_grants[state.provider] += 1
        raise
    counters.grants[f"{state.provider}:{grant_type}"] += 1
    return issued


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def instance_url(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def salesforce_token_body(request: web.Request, issued: IssuedTokens) -> dict[str, Any]:
    """Salesforce's token response: no `expires_in` (the lifetime is the org's session timeout), and a
    `refresh_token` only when one is issued (rotation, or a new authorization)."""
    body: dict[str, Any] = {
        "access_token": issued.access_token, "signature": uuid.uuid4().hex, "scope": "api refresh_token",
        "instance_url": instance_url(request), "id": f"{instance_url(request)}/id/00DSb0000000001/005Sb0000000001",
        "token_type": "Bearer", "issued_at": str(issued.issued_at_ms),
    }
    if issued.refresh_token:
        body["refresh_token"] = issued.refresh_token
    return body


@routes.post("/services/oauth2/token")
async def salesforce_token(request: web.Request) -> web.Response:
    try:
        issued = await _grant(request, request.config_dict[SALESFORCE].oauth)
    except OAuthError as exc:
        description = {"invalid_grant": "expired access/refresh token"}.get(exc.error, exc.description)
        return json_response({"error": exc.error, "error_description": description}, status=exc.status)
    return json_response(salesforce_token_body(request, issued))


_HUBSPOT_STATUS = {"invalid_grant": "BAD_REFRESH_TOKEN", "invalid_client": "BAD_CLIENT_ID"}


@routes.post("/oauth/v1/token")
async def hubspot_token(request: web.Request) -> web.Response:
    """HubSpot always returns a refresh token (the same one unless rotation is switched on)."""
    form_refresh = _text((await request.post()).get("refresh_token"))
    try:
        issued = await _grant(request, request.config_dict[HUBSPOT].oauth)
    except OAuthError as exc:
        return json_response({"status": _HUBSPOT_STATUS.get(exc.error, "BAD_REQUEST"), "message": exc.description,
                              "correlationId": str(uuid.uuid4()), "error": exc.error,
                              "error_description": exc.description}, status=exc.status)
    body: dict[str, Any] = {"token_type": "bearer", "access_token": issued.access_token,
                            "expires_in": issued.expires_in}
    if issued.refresh_token or form_refresh:
        body["refresh_token"] = issued.refresh_token or form_refresh
    return json_response(body)


_AADSTS = {"invalid_grant": (70000, "The provided value for the 'refresh_token' is invalid."),
           "invalid_client": (7000215, "Invalid client secret provided."),
           "unsupported_grant_type": (70003, "The app requested an unsupported grant type."),
           "invalid_request": (900144, "The request body must contain the required parameter.")}


@routes.post("/{tenant}/oauth2/v2.0/token")
async def microsoft_token(request: web.Request) -> web.Response:
    """Microsoft identity platform (Dataverse): refresh tokens rotate on every use, but old ones are not
    revoked, so concurrent refreshes are harmless there."""
    try:
        issued = await _grant(request, request.config_dict[DATAVERSE].oauth, microsoft=True)
    except OAuthError as exc:
        code, text = _AADSTS.get(exc.error, (90000, exc.description))
        status = 401 if exc.error == "invalid_client" else exc.status
        return json_response({"error": exc.error, "error_description": f"AADSTS{code}: {text}",
                              "error_codes": [code]}, status=status)
    body: dict[str, Any] = {"token_type": "Bearer", "expires_in": issued.expires_in,
                            "ext_expires_in": issued.expires_in, "access_token": issued.access_token}
    if issued.refresh_token:
        body["refresh_token"] = issued.refresh_token
    return json_response(body)
