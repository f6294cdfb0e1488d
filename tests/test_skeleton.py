"""The Functions app root has the layout Azure expects."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_host_json_declares_route_prefix_and_task_hub() -> None:
    host = json.loads((ROOT / "host.json").read_text())
    assert host["version"] == "2.0"
    assert host["extensions"]["http"]["routePrefix"] == "api"
    assert host["extensions"]["durableTask"]["hubName"]
