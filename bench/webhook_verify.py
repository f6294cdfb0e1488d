"""Micro-benchmark: GitHub-style HMAC-SHA256 webhook verification of a 2 KB body.

Run: ``.venv/bin/python bench/webhook_verify.py [seconds]``. Prints verifications per second for
(1) ``verify`` on a prebuilt request (registry lookup, signature check, event id) and (2) the same
plus building the ``RawRequest`` from plain headers, as the HTTP route will do per request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, as bench/devhost.py does

from webhooks import Accepted, RawRequest, verify  # noqa: E402
from webhooks.config import GitHubConfig  # noqa: E402

SECRET = "bench-secret-0123456789abcdef"
URL = "https://castiel.example.com/api/webhooks/github/reg-1"


def _rate(label: str, step: Callable[[], object], seconds: float) -> float:
    assert isinstance(step(), Accepted), "the benchmark request must verify"
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for _ in range(1000):
            step()
        count += 1000
    rate = count / (time.perf_counter() - start)
    print(f"{label:<46} {rate:>12,.0f} verifications/s  ({1e6 / rate:.1f} us each)")
    return rate


def main(seconds: float = 2.0) -> None:
    body = json.dumps({"action": "opened", "issue": {"id": 1, "body": "x" * (2048 - 52)}}).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-GitHub-Event": "issues", "X-GitHub-Delivery": "d-1",
               "X-Hub-Signature-256": signature, "User-Agent": "GitHub-Hookshot/abc"}
    config = GitHubConfig(secret=SecretStr(SECRET))
    now = datetime.now(tz=UTC)
    request = RawRequest.build("POST", URL, headers, body)
    print(f"body: {len(body)} bytes, python {sys.version.split()[0]}")
    _rate("verify(prebuilt request)", lambda: verify(config, request, now), seconds)
    _rate("RawRequest.build + verify", lambda: verify(config, RawRequest.build("POST", URL, headers, body), now),
          seconds)


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 2.0)
