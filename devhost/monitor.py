"""A small monitor for debugging: `/_devhost/monitor` lists instances (filter by status or id prefix) and
`/_devhost/monitor/{instanceId}` shows one with its history, inputs and outputs. Server-rendered HTML, no
scripts; protected by the function key like the management API.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web

from .urls import instance_status

if TYPE_CHECKING:
    from .server import Host

MONITOR_PATH = "/_devhost/monitor"
STATUSES = ("Running", "Pending", "Suspended", "Completed", "Failed", "Terminated")
_STYLE = """
body{font:14px system-ui,sans-serif;margin:24px;color:#1d2330}
h1{font-size:20px} table{border-collapse:collapse;width:100%} td,th{padding:6px 10px;border-bottom:1px solid #e3e6ee;
text-align:left;vertical-align:top} th{background:#f4f6fa} .Completed{color:#17803d} .Failed{color:#c0262d}
.Running,.Pending{color:#1d5fd1} .Terminated,.Suspended{color:#8a6d00} pre{white-space:pre-wrap;margin:0;
max-width:900px} a{color:#1d5fd1} form{margin:12px 0}
"""


def _page(title: str, body: str) -> web.Response:
    doc = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
           f"<style>{_STYLE}</style></head><body>{body}</body></html>")
    return web.Response(text=doc, content_type="text/html")


def _short(value: Any, limit: int = 300) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value)
    return html.escape(text if len(text) <= limit else text[:limit] + "…")


class Monitor:
    def __init__(self, host: Host) -> None:
        self.host = host

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(MONITOR_PATH, self.index)
        app.router.add_get(MONITOR_PATH + "/{instance_id}", self.instance)

    def _key(self, request: web.Request) -> str:
        code = request.query.get("code")
        return f"&code={quote(code)}" if code else ""

    async def index(self, request: web.Request) -> web.Response:
        status, prefix = request.query.get("status", ""), request.query.get("prefix", "")
        clauses, args = [], []
        if status in STATUSES:
            clauses.append("status = ?")
            args.append(status)
        if prefix:
            clauses.append("instance_id >= ? AND instance_id < ?")
            args += [prefix, prefix + "\uffff"]
        rows = await self.host.dispatcher.call(self.host.store.list_instances, " AND ".join(clauses), tuple(args))
        rows = sorted(rows, key=lambda r: r["created_at"], reverse=True)[:500]
        key = self._key(request)
        options = "".join(f"<option {'selected' if s == status else ''}>{s}</option>" for s in STATUSES)
        hidden = f"<input type='hidden' name='code' value='{html.escape(request.query['code'])}'>" \
            if request.query.get("code") else ""
        lines = "".join(
            f"<tr><td><a href='{MONITOR_PATH}/{quote(r['instance_id'], safe='')}?x=1{key}'>"
            f"{html.escape(r['instance_id'])}</a></td><td>{html.escape(r['name'])}</td>"
            f"<td class='{r['status']}'>{r['status']}</td><td>{r['created_at'][:19]}</td>"
            f"<td>{r['updated_at'][:19]}</td>"
            f"<td><pre>{_short(json.loads(r['custom_status'] or 'null'), 120)}</pre></td></tr>"
            for r in rows
        )
        body = (
            f"<h1>devhost monitor: {html.escape(self.host.config.hub_name)}</h1>"
            f"<form>{hidden}<select name='status'><option value=''>any status</option>{options}</select> "
            f"<input name='prefix' placeholder='instance id prefix' value='{html.escape(prefix)}'> "
            f"<button>Filter</button></form><p>{len(rows)} instance(s)</p>"
            "<table><tr><th>Instance</th><th>Orchestrator</th><th>Status</th><th>Created (UTC)</th>"
            f"<th>Updated (UTC)</th><th>Custom status</th></tr>{lines}</table>"
        )
        return _page("devhost monitor", body)

    async def instance(self, request: web.Request) -> web.Response:
        iid = request.match_info["instance_id"]
        inst = await self.host.dispatcher.call(self.host.store.get_instance, iid)
        if inst is None:
            return _page("not found", f"<p>No instance <b>{html.escape(iid)}</b>.</p>")
        history = [json.loads(e) for e in await self.host.dispatcher.call(self.host.store.load_history, iid)]
        status = instance_status(inst, True, history, True)
        events = "".join(
            f"<tr><td>{html.escape(str(e.get('Timestamp')))}</td><td>{html.escape(e['EventType'])}</td>"
            f"<td>{html.escape(str(e.get('FunctionName', '')))}</td>"
            f"<td><pre>{_short({k: v for k, v in e.items() if k not in ('EventType', 'Timestamp', 'FunctionName')})}"
            "</pre></td></tr>"
            for e in status["historyEvents"]
        )
        body = (
            f"<p><a href='{MONITOR_PATH}?x=1{self._key(request)}'>← all instances</a></p>"
            f"<h1>{html.escape(iid)}</h1><table>"
            f"<tr><th>Orchestrator</th><td>{html.escape(status['name'])}</td></tr>"
            f"<tr><th>Status</th><td class='{status['runtimeStatus']}'>{status['runtimeStatus']}</td></tr>"
            f"<tr><th>Input</th><td><pre>{_short(status['input'], 2000)}</pre></td></tr>"
            f"<tr><th>Output</th><td><pre>{_short(status['output'], 2000)}</pre></td></tr>"
            f"<tr><th>Custom status</th><td><pre>{_short(status['customStatus'], 2000)}</pre></td></tr>"
            f"</table><h2>History (current generation)</h2><table><tr><th>Time</th><th>Event</th>"
            f"<th>Function</th><th>Details</th></tr>{events}</table>"
        )
        return _page(iid, body)
