"""Host configuration: host.json, local.settings.json and the devhost settings.

The Functions host reads `host.json` for the HTTP route prefix and the Durable task hub settings, and puts
`local.settings.json`'s `Values` into the process environment before the worker imports the app. devhost
does the same, so an app behaves as it would under `func start`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_ACTIVITY_CONCURRENCY = 10  # the Durable extension's default per-worker activity concurrency


class HostConfigError(Exception):
    """host.json or local.settings.json cannot be used."""


@dataclass(frozen=True)
class HostConfig:
    app_root: Path
    data_dir: Path
    port: int
    route_prefix: str
    hub_name: str
    max_activities: int
    function_key: str | None
    host: str = "127.0.0.1"
    full_replay: bool = False

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise HostConfigError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise HostConfigError(f"{path}: expected a JSON object")
    return data


def load_local_settings(app_root: Path) -> None:
    """Export local.settings.json `Values` into the environment; variables already set win."""
    path = app_root / "local.settings.json"
    if not path.exists():
        return
    values = _read_json(path).get("Values") or {}
    for key, value in values.items():
        os.environ.setdefault(str(key), str(value))


def load_config(app_root: Path, port: int, data_dir: Path | None, host: str = "127.0.0.1") -> HostConfig:
    """Read host.json under `app_root` (required, as for the real host) and the devhost settings."""
    host_json = app_root / "host.json"
    if not host_json.exists():
        raise HostConfigError(f"{host_json} not found: APP_ROOT must hold function_app.py and host.json")
    settings = _read_json(host_json)
    extensions = settings.get("extensions") or {}
    http = extensions.get("http") or {}
    durable = extensions.get("durableTask") or {}
    prefix = str(http.get("routePrefix", "api")).strip("/")
    max_activities = int(durable.get("maxConcurrentActivityFunctions") or DEFAULT_ACTIVITY_CONCURRENCY)
    if max_activities < 1:
        raise HostConfigError("host.json: extensions.durableTask.maxConcurrentActivityFunctions must be >= 1")
    key = os.environ.get("DEVHOST_FUNCTION_KEY") or None
    return HostConfig(
        app_root=app_root,
        data_dir=data_dir or (app_root / ".devhost"),
        port=port,
        route_prefix=prefix,
        hub_name=str(durable.get("hubName") or "TestHubName"),
        max_activities=max_activities,
        function_key=key,
        host=host,
        full_replay=os.environ.get("DEVHOST_FULL_REPLAY", "").lower() in ("1", "true"),
    )
