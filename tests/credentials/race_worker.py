"""One "worker process" of the multi-process race test (``python -m tests.credentials.race_worker``).

It opens the shared record and secret stores, builds N adapters holding the (expired) stored token,
prints ``ready``, waits for the go file, sends N concurrent requests and prints one JSON line with
how many succeeded and the error types of those that did not.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import httpx

from adapters.base import FetchMode, FetchRequest
from adapters.registry import build_adapter
from core.settings import Settings
from credentials.runtime import build_credential_service, lease_collection
from stores.factory import build_stores

REQUEST = FetchRequest(entity="Account", mode=FetchMode.FULL, page_size=5, fields=["Id", "Name"])


async def main(data_dir: str, instance_url: str, go_file: str, count: int) -> dict[str, object]:
    settings = Settings(data_dir=Path(data_dir))
    stores = build_stores(settings)
    service = build_credential_service(settings, stores, lease_collection(settings))
    transport = httpx.AsyncHTTPTransport()
    connection = {"instanceUrl": instance_url, "apiVersion": "v60.0"}
    adapters = []
    for _ in range(count):
        session = service.open("acme", "sf-procs")
        adapters.append(build_adapter("salesforce", connection, session.credential, on_token=session.on_token,
                                      transport=transport))
    print("ready", flush=True)
    while not Path(go_file).exists():
        await asyncio.sleep(0.005)

    async def one(adapter: object) -> str | None:
        try:
            await adapter.fetch_page(REQUEST)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - reported to the test by type name
            return type(exc).__name__
        return None

    started = time.perf_counter()
    errors = [e for e in await asyncio.gather(*(one(a) for a in adapters)) if e is not None]
    elapsed = time.perf_counter() - started
    await transport.aclose()
    stores.close()
    return {"ok": count - len(errors), "errors": errors, "seconds": round(elapsed, 3)}


if __name__ == "__main__":
    result = asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
    print(json.dumps(result), flush=True)
