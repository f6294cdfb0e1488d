"""The Durable HTTP management API, served at `/runtime/webhooks/durabletask/` (function key when one is
configured) and at the client SDK's RPC base `/durabletask/` (loopback callers only).

Paths, query parameters and status codes follow the extension's `HttpApiHandler`, because the SDK branches
on them: 202 while running and 200 when done, 404 unknown, 410 not running, 400 with `ExceptionMessage`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .engine import InstanceExists, UnknownFunction
from .history import TERMINAL
from .urls import instance_status, management_urls

if TYPE_CHECKING:
    from .server import Host


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"Message": message, "ExceptionMessage": message}, status=status)


def _flag(request: web.Request, name: str, default: bool = False) -> bool:
    value = request.query.get(name)
    return default if value is None else value.lower() == "true"


class ManagementApi:
    def __init__(self, host: Host) -> None:
        self.host = host

    def add_routes(self, app: web.Application, prefix: str) -> None:
        r = app.router
        r.add_post(prefix + "/orchestrators/{name}", self.start)
        r.add_post(prefix + "/orchestrators/{name}/{instance_id}", self.start)
        r.add_get(prefix + "/instances", self.list_instances)
        r.add_get(prefix + "/instances/", self.list_instances)
        r.add_delete(prefix + "/instances", self.purge_many)
        r.add_delete(prefix + "/instances/", self.purge_many)
        r.add_get(prefix + "/instances/{instance_id}", self.status)
        r.add_delete(prefix + "/instances/{instance_id}", self.purge)
        r.add_post(prefix + "/instances/{instance_id}/raiseEvent/{event}", self.raise_event)
        r.add_post(prefix + "/instances/{instance_id}/terminate", self.terminate)
        r.add_post(prefix + "/instances/{instance_id}/suspend", self.suspend)
        r.add_post(prefix + "/instances/{instance_id}/resume", self.resume)
        r.add_post(prefix + "/instances/{instance_id}/restart", self.restart)
        r.add_post(prefix + "/instances/{instance_id}/rewind", self.rewind)
        r.add_get(prefix + "/entities", self.list_entities)
        r.add_get(prefix + "/entities/", self.list_entities)
        r.add_get(prefix + "/entities/{name}", self.list_entities)
        r.add_get(prefix + "/entities/{name}/{key}", self.read_entity)
        r.add_post(prefix + "/entities/{name}/{key}", self.signal_entity)

    def _base(self, request: web.Request) -> str:
        return f"{request.scheme}://{request.host}"

    def _check_status(self, request: web.Request, instance_id: str) -> web.Response:
        cfg = self.host.config
        payload = management_urls(self._base(request), instance_id, cfg.hub_name, cfg.function_key)
        return web.json_response(payload, status=202, headers={"Location": payload["statusQueryGetUri"],
                                                               "Retry-After": "10"})

    async def start(self, request: web.Request) -> web.Response:
        body = await request.text()
        try:
            ctx_input = json.loads(body) if body.strip() else None
        except json.JSONDecodeError:
            return _error(400, "The request body is not valid JSON")
        if ctx_input is not None and not isinstance(ctx_input, str):
            # A plain JSON body (curl -d '5'): hand the orchestrator its JSON text, as the SDK client's
            # double-encoded body ('"5"') does; the SDK cannot decode a bare number or list.
            ctx_input = json.dumps(ctx_input)
        name = request.match_info["name"]
        try:
            iid = await self.host.dispatcher.call(
                self.host.core.start, name, request.match_info.get("instance_id"), ctx_input
            )
        except UnknownFunction:
            return _error(400, f"The function '{name}' doesn't exist, is disabled, or is not an orchestrator function.")
        except InstanceExists as exc:
            return _error(409, f"An Orchestration instance with the ID '{exc}' already exists and is running.")
        return self._check_status(request, iid)

    async def status(self, request: web.Request) -> web.Response:
        iid = request.match_info["instance_id"]
        show_history = _flag(request, "showHistory")
        inst, history = await self.host.dispatcher.call(self._load, iid, show_history)
        if inst is None:
            return web.Response(status=404)
        body = instance_status(inst, _flag(request, "showInput", True), history, _flag(request, "showHistoryOutput"))
        if inst["status"] in ("Running", "Pending", "Suspended"):
            url = str(request.url)
            return web.json_response(body, status=202, headers={"Location": url, "Retry-After": "5"})
        if inst["status"] == "Failed" and _flag(request, "returnInternalServerErrorOnFailure"):
            return web.json_response(body, status=500)
        return web.json_response(body)

    def _load(self, iid: str, with_history: bool) -> tuple[dict[str, Any] | None, list[dict[str, Any]] | None]:
        inst = self.host.core.store.get_instance(iid)
        if inst is None or not with_history:
            return inst, None
        return inst, [json.loads(e) for e in self.host.core.store.load_history(iid)]

    def _filter(self, request: web.Request) -> tuple[str, tuple[Any, ...]]:
        clauses: list[str] = []
        args: list[Any] = []
        q = request.query
        for param, op in (("createdTimeFrom", ">="), ("createdTimeTo", "<=")):
            if q.get(param):
                ts = datetime.fromisoformat(q[param].replace("Z", "+00:00"))
                clauses.append(f"created_at {op} ?")
                args.append(ts.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        if q.get("runtimeStatus"):
            statuses = [s.strip() for s in q["runtimeStatus"].split(",") if s.strip()]
            clauses.append("status IN (" + ",".join("?" for _ in statuses) + ")")
            args += statuses
        if q.get("instanceIdPrefix"):
            clauses.append("instance_id >= ? AND instance_id < ?")
            args += [q["instanceIdPrefix"], q["instanceIdPrefix"] + "\uffff"]
        return " AND ".join(clauses), tuple(args)

    async def list_instances(self, request: web.Request) -> web.Response:
        try:
            where, args = self._filter(request)
            top = int(request.query.get("top", "0") or 0)
            offset = int(request.headers.get("x-ms-continuation-token") or 0)
        except ValueError as exc:
            return _error(400, f"Invalid query parameter: {exc}")
        rows = await self.host.dispatcher.call(self.host.core.store.list_instances, where, args)
        show_input = _flag(request, "showInput")
        page = rows[offset: offset + top] if top else rows[offset:]
        headers = {}
        if top and offset + top < len(rows):
            headers["x-ms-continuation-token"] = str(offset + top)
        return web.json_response([instance_status(r, show_input) for r in page], headers=headers)

    async def purge(self, request: web.Request) -> web.Response:
        outcome = await self.host.dispatcher.call(self.host.core.purge, request.match_info["instance_id"])
        if outcome == "missing":
            return web.Response(status=404)
        if outcome == "running":
            return _error(412, "Only instances in a terminal state can be purged")
        return web.json_response({"instancesDeleted": 1})

    async def purge_many(self, request: web.Request) -> web.Response:
        try:
            where, args = self._filter(request)
        except ValueError as exc:
            return _error(400, f"Invalid query parameter: {exc}")
        rows = await self.host.dispatcher.call(self.host.core.store.list_instances, where, args)
        deleted = 0
        for row in rows:
            if row["status"] in TERMINAL:
                deleted += await self.host.dispatcher.call(self.host.core.purge, row["instance_id"]) == "ok"
        if not deleted:
            return web.Response(status=404)
        return web.json_response({"instancesDeleted": deleted})

    async def raise_event(self, request: web.Request) -> web.Response:
        body = await request.text()
        outcome = await self.host.dispatcher.call(
            self.host.core.raise_event, request.match_info["instance_id"], request.match_info["event"], body or None
        )
        return _outcome(outcome, 202)

    async def terminate(self, request: web.Request) -> web.Response:
        reason = request.query.get("reason", "")
        outcome = await self.host.dispatcher.call(self.host.core.terminate, request.match_info["instance_id"], reason)
        return _outcome(outcome, 202)

    async def suspend(self, request: web.Request) -> web.Response:
        return await self._suspend(request, True)

    async def resume(self, request: web.Request) -> web.Response:
        return await self._suspend(request, False)

    async def _suspend(self, request: web.Request, suspend: bool) -> web.Response:
        outcome = await self.host.dispatcher.call(
            self.host.core.set_suspended, request.match_info["instance_id"], suspend, request.query.get("reason", "")
        )
        return _outcome(outcome, 202)

    async def restart(self, request: web.Request) -> web.Response:
        iid = request.match_info["instance_id"]
        inst = await self.host.dispatcher.call(self.host.core.store.get_instance, iid)
        if inst is None:
            return web.Response(status=404)
        new_id = None if _flag(request, "restartWithNewInstanceId", True) else iid
        ctx_input = json.loads(inst["input"]) if inst["input"] else None
        try:
            started = await self.host.dispatcher.call(self.host.core.start, inst["name"], new_id, ctx_input)
        except InstanceExists:
            return _error(409, f"Instance '{iid}' is still running")
        return self._check_status(request, started)

    async def rewind(self, request: web.Request) -> web.Response:
        return _error(501, "rewind is not supported by devhost (it is deprecated in the Durable extension)")

    async def list_entities(self, request: web.Request) -> web.Response:
        name = request.match_info.get("name")
        rows = await self.host.dispatcher.call(self.host.core.store.list_entities, name.lower() if name else None)
        return web.json_response([
            {"entityId": {"name": r["name"], "key": r["key"]}, "lastOperationTime": r["updated_at"][:19] + "Z",
             "state": json.loads(r["state"]) if r["state"] else None}
            for r in rows
        ])

    async def read_entity(self, request: web.Request) -> web.Response:
        entity_id = f"@{request.match_info['name'].lower()}@{request.match_info['key']}"
        record = await self.host.dispatcher.call(self.host.core.store.get_entity, entity_id)
        if record is None or not record["exists_"]:
            return web.Response(status=404)
        return web.Response(text=record["state"] or "null", content_type="application/json")

    async def signal_entity(self, request: web.Request) -> web.Response:
        op = request.query.get("op")
        if not op:
            return _error(400, "The 'op' query parameter is required")
        body = await request.text()
        name, key = request.match_info["name"], request.match_info["key"]
        await self.host.dispatcher.call(self.host.core.signal_entity, name, key, op, body or None)
        return web.Response(status=202)


def _outcome(outcome: str, ok_status: int) -> web.Response:
    if outcome == "missing":
        return web.Response(status=404)
    if outcome == "gone":
        return web.Response(status=410)
    return web.Response(status=ok_status)
