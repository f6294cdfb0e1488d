"""`/_admin/*`: ground truth, remote edits, runtime options, counters, reset and OAuth bootstrap.

No authentication: the routes answer loopback callers only. Request and response shapes are listed in
`sandbox/README.md`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic import ValidationError

from sandbox.context import CLOCK, COUNTERS, DATAVERSE, HUBSPOT, OPTIONS, SALESFORCE
from sandbox.dataverse import admin_ops as dataverse_ops
from sandbox.errors import ProviderError
from sandbox.hubspot import admin_ops as hubspot_ops
from sandbox.jsonio import json_response, read_json
from sandbox.oauth_state import OAuthError, OAuthState
from sandbox.options import RUNTIME_FIELDS, SandboxOptions
from sandbox.salesforce import admin_ops as salesforce_ops

routes = web.RouteTableDef()
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_OPS: dict[str, ModuleType] = {"salesforce": salesforce_ops, "hubspot": hubspot_ops, "dataverse": dataverse_ops}
_STATES: dict[str, web.AppKey[Any]] = {"salesforce": SALESFORCE, "hubspot": HUBSPOT, "dataverse": DATAVERSE}
_RNG = web.AppKey("admin_rng", random.Random)


class AdminError(Exception):
    """A refused admin request."""

    def __init__(self, status: int, message: str, detail: Any = None) -> None:
        super().__init__(message)
        self.status, self.message, self.detail = status, message, detail


@web.middleware
async def admin_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Loopback only; every failure as `{"error": message}` with the provider's body when it has one."""
    if request.remote not in _LOOPBACK:
        return json_response({"error": "admin routes answer loopback callers only"}, status=403)
    try:
        return await handler(request)
    except AdminError as exc:
        return json_response({"error": exc.message, "detail": exc.detail}, status=exc.status)
    except ProviderError as exc:
        return json_response({"error": str(exc), "detail": exc.body()}, status=exc.status)
    except OAuthError as exc:
        return json_response({"error": exc.error, "detail": exc.description}, status=exc.status)


async def _body(request: web.Request) -> dict[str, Any]:
    body = await read_json(request)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise AdminError(400, "expected a JSON object")
    return body


def _provider(request: web.Request, name: str | None = None) -> tuple[str, Any, ModuleType]:
    provider = name or request.match_info["provider"]
    if provider not in _OPS:
        raise AdminError(404, f"unknown provider {provider!r}; use one of {', '.join(_OPS)}")
    return provider, request.config_dict[_STATES[provider]], _OPS[provider]


@routes.get("/health")
async def health(request: web.Request) -> web.Response:
    return json_response({"status": "ok"})


@routes.get("/{provider}/{object}/records")
async def records(request: web.Request) -> web.Response:
    _, state, ops = _provider(request)
    fields = [f.strip() for f in request.query.get("fields", "").split(",") if f.strip()] or None
    return json_response(ops.dump(state, request.match_info["object"], fields))


def _mutation(name: str) -> Callable[[web.Request], Any]:
    async def handler(request: web.Request) -> web.Response:
        _, state, ops = _provider(request)
        ids = getattr(ops, name)(state, request.match_info["object"], await _body(request), request.app[_RNG])
        return json_response({"ids": ids})

    handler.__doc__ = f"Remote {name}: by `ids` or a random `count`; returns the affected ids."
    return handler


for _name in ("update", "delete", "create"):
    routes.post("/{provider}/{object}/" + _name)(_mutation(_name))


@routes.post("/warm")
async def warm(request: web.Request) -> web.Response:
    """Generate every table now (otherwise each is generated on first use), e.g. before a benchmark."""
    started = time.perf_counter()
    generated = {name: request.config_dict[key].warm() for name, key in _STATES.items()}
    return json_response({"generated": generated, "seconds": round(time.perf_counter() - started, 3)})


@routes.get("/options")
async def get_options(request: web.Request) -> web.Response:
    return json_response(request.config_dict[OPTIONS].model_dump())


@routes.patch("/options")
async def set_options(request: web.Request) -> web.Response:
    """Change runtime options; the whole change is validated before any of it applies."""
    options, changes = request.config_dict[OPTIONS], await _body(request)
    fixed = sorted(set(changes) - RUNTIME_FIELDS)
    if fixed:
        raise AdminError(400, f"not changeable at runtime: {', '.join(fixed)}")
    try:
        SandboxOptions.model_validate({**options.model_dump(), **changes})
    except ValidationError as exc:
        detail = exc.errors(include_url=False, include_context=False)
        raise AdminError(422, "invalid options", detail) from exc
    for key, value in changes.items():
        setattr(options, key, value)
    return json_response(options.model_dump())


@routes.get("/counters")
async def counters(request: web.Request) -> web.Response:
    snapshot = request.config_dict[COUNTERS].snapshot()
    gates = {name: request.config_dict[key].gate for name, key in _STATES.items()}
    snapshot["api_usage"] = {name: gate.quota.current() for name, gate in gates.items()}
    # Per second: [epoch second, admitted, refused by a limit, faulted], oldest first.
    snapshot["timeline"] = {name: [[s, *gate.timeline[s]] for s in sorted(gate.timeline)]
                            for name, gate in gates.items()}
    return json_response(snapshot)


@routes.post("/counters/reset")
async def reset_counters(request: web.Request) -> web.Response:
    request.config_dict[COUNTERS].clear()
    return json_response({"status": "ok"})


@routes.post("/reset")
async def reset(request: web.Request) -> web.Response:
    """Regenerate data (optionally with a new `seed`/`records`), clear counters and limits; with
    `"oauth": true` also forget every issued token (registered clients stay)."""
    options, body = request.config_dict[OPTIONS], await _body(request)
    try:
        options.seed = int(body.get("seed", options.seed))
        options.records = int(body.get("records", options.records))
    except (TypeError, ValueError, ValidationError) as exc:
        raise AdminError(422, "seed and records must be non-negative integers") from exc
    for key in _STATES.values():
        state = request.config_dict[key]
        state.reset_data(options.seed, options.records)
        if body.get("oauth"):
            state.oauth.clear_tokens()
    request.config_dict[COUNTERS].clear()
    request.app[_RNG].seed(f"{options.seed}:admin")
    return json_response({"status": "ok", "seed": options.seed, "records": options.records})


def _oauth(request: web.Request, body: dict[str, Any]) -> tuple[str, OAuthState]:
    provider, state, _ = _provider(request, str(body.get("provider", "")))
    return provider, state.oauth


@routes.post("/oauth/clients")
async def register_client(request: web.Request) -> web.Response:
    body = await _body(request)
    provider, oauth = _oauth(request, body)
    client_id, secret = oauth.register_client(body.get("client_id"), body.get("client_secret"))
    return json_response({"provider": provider, "client_id": client_id, "client_secret": secret}, status=201)


@routes.post("/oauth/tokens")
async def issue_tokens(request: web.Request) -> web.Response:
    """A new token pair for a registered client, as an authorization-code grant would give."""
    body = await _body(request)
    provider, oauth = _oauth(request, body)
    issued = oauth.issue_pair(str(body.get("client_id", "")), request.config_dict[OPTIONS].token_lifetime)
    request.config_dict[COUNTERS].grants[f"{provider}:authorization_code"] += 1
    expires_at = request.config_dict[CLOCK].time() + issued.expires_in
    return json_response({"provider": provider, "access_token": issued.access_token,
                          "refresh_token": issued.refresh_token, "token_type": "Bearer",
                          "expires_in": issued.expires_in, "expires_at": expires_at,
                          "instance_url": f"{request.scheme}://{request.host}"}, status=201)


@routes.post("/oauth/expire")
async def expire_tokens(request: web.Request) -> web.Response:
    """Expire every access token now (of one `provider`, or of both)."""
    body = await _body(request)
    names = [body["provider"]] if body.get("provider") else list(_OPS)
    expired = {name: _provider(request, name)[1].oauth.expire_all() for name in names}
    return json_response({"expired": expired})


def create_admin_app(seed: int) -> web.Application:
    app = web.Application(middlewares=[admin_guard])
    app[_RNG] = random.Random(f"{seed}:admin")
    app.add_routes(routes)
    return app
