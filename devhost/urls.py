"""The URLs and JSON the Durable extension hands to clients: the client binding, check-status payloads and
instance status.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from .history import EventType

WEBHOOK_PATH = "/runtime/webhooks/durabletask"
RPC_PATH = "/durabletask"
PLACEHOLDER = "INSTANCEID"


def _query(hub: str, key: str | None) -> str:
    return f"taskHub={quote(hub)}&connection=Storage" + (f"&code={quote(key)}" if key else "")


def management_urls(base_url: str, instance_id: str, hub: str, key: str | None) -> dict[str, str]:
    """The check-status payload for one instance (what `start` and `create_check_status_response` return)."""
    q = _query(hub, key)
    inst = f"{base_url}{WEBHOOK_PATH}/instances/{instance_id}"
    return {
        "id": instance_id,
        "statusQueryGetUri": f"{inst}?{q}",
        "sendEventPostUri": f"{inst}/raiseEvent/{{eventName}}?{q}",
        "terminatePostUri": f"{inst}/terminate?reason={{text}}&{q}",
        "rewindPostUri": f"{inst}/rewind?reason={{text}}&{q}",
        "purgeHistoryDeleteUri": f"{inst}?{q}",
        "restartPostUri": f"{inst}/restart?{q}",
        "suspendPostUri": f"{inst}/suspend?reason={{text}}&{q}",
        "resumePostUri": f"{inst}/resume?reason={{text}}&{q}",
    }


def client_binding(base_url: str, hub: str, key: str | None) -> str:
    """The durable client binding value, as the JSON text the SDK's DurableOrchestrationClient expects."""
    code = f"?code={quote(key)}" if key else ""
    amp = f"&code={quote(key)}" if key else ""
    orchestrators = f"{base_url}{WEBHOOK_PATH}/orchestrators/{{functionName}}[/{{instanceId}}]"
    return json.dumps({
        "taskHubName": hub,
        "creationUrls": {
            "createNewInstancePostUri": orchestrators + code,
            "createAndWaitOnNewInstancePostUri":
                orchestrators + "?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}" + amp,
        },
        "managementUrls": management_urls(base_url, PLACEHOLDER, hub, key),
        "baseUrl": f"{base_url}{WEBHOOK_PATH}",
        "requiredQueryStringParameters": f"code={quote(key)}" if key else "",
        "rpcBaseUrl": f"{base_url}{RPC_PATH}/",
    })


def _time(ts: str | None) -> str | None:
    return ts[:19] + "Z" if ts else None


def _value(text: str | None) -> Any:
    if text is None:
        return None
    value = json.loads(text)
    if isinstance(value, str):  # JSON text of the payload, as the orchestrator received it
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def instance_status(inst: dict[str, Any], show_input: bool = True,
                    history: list[dict[str, Any]] | None = None, show_output: bool = False) -> dict[str, Any]:
    status: dict[str, Any] = {
        "name": inst["name"],
        "instanceId": inst["instance_id"],
        "runtimeStatus": inst["status"],
        "input": _value(inst["input"]) if show_input else None,
        "customStatus": json.loads(inst["custom_status"]) if inst["custom_status"] else None,
        "output": json.loads(inst["output"]) if inst["output"] else None,
        "createdTime": _time(inst["created_at"]),
        "lastUpdatedTime": _time(inst["updated_at"]),
    }
    if history is not None:
        status["historyEvents"] = [_history_event(e, show_output) for e in history
                                   if e["EventType"] not in (EventType.ORCHESTRATOR_STARTED,
                                                             EventType.ORCHESTRATOR_COMPLETED)]
    return status


def _history_event(e: dict[str, Any], show_output: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"EventType": _pascal(EventType(e["EventType"]).name), "Timestamp": _time(e["Timestamp"])}
    for key in ("Name", "InstanceId", "TaskScheduledId", "TimerId", "FireAt", "Reason"):
        if e.get(key) is not None:
            out["FunctionName" if key == "Name" else key] = e[key]
    if show_output:
        for key in ("Input", "Result", "Details"):
            if e.get(key) is not None:
                out[key] = e[key]
    return out


def _pascal(name: str) -> str:
    special = {"SUB_ORCHESTRATION_CREATED": "SubOrchestrationInstanceCreated",
               "SUB_ORCHESTRATION_COMPLETED": "SubOrchestrationInstanceCompleted",
               "SUB_ORCHESTRATION_FAILED": "SubOrchestrationInstanceFailed"}
    return special.get(name) or "".join(p.capitalize() for p in name.split("_"))
