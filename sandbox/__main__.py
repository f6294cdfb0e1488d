"""`python -m sandbox [--port 8081] [--records N] [--seed S] [--rate-limit R/s] [--daily-limit N]
[--fault-rate F] [--token-lifetime SECONDS] [--page-size-max N] [--rotate-refresh-tokens]
[--operation-limit update=150] ...` (see sandbox/README.md)

Prints `sandbox listening on http://127.0.0.1:PORT` once ready (with `--port 0`, the port chosen by the
OS); SIGTERM or SIGINT stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from aiohttp import web

from sandbox.app import create_app
from sandbox.options import DEFAULT_PORT, SandboxOptions


def _rate(text: str) -> float:
    """`25`, `25/s` or `25/sec` requests per second."""
    value = text.split("/", 1)[0]
    try:
        return float(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a rate: {text} (use R or R/s)") from exc


def _operation_limit(text: str) -> tuple[str, float]:
    """`update=150` or `update=150/min`."""
    kind, _, value = text.partition("=")
    try:
        return kind.strip(), float(value.split("/", 1)[0])
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not KIND=N: {text}") from exc


def parse_args(argv: list[str]) -> SandboxOptions:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="Simulated Salesforce and HubSpot")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--records", type=int, default=SandboxOptions.model_fields["records"].default)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate-limit", type=_rate, default=None, help="requests per second per provider")
    parser.add_argument("--daily-limit", type=int, default=SandboxOptions.model_fields["daily_limit"].default)
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of API calls answered 503")
    parser.add_argument("--token-lifetime", type=float,
                        default=SandboxOptions.model_fields["token_lifetime"].default, help="seconds")
    parser.add_argument("--page-size-max", type=int, default=None, help="cap every page size below the "
                        "provider's own maximum")
    parser.add_argument("--rotate-refresh-tokens", action="store_true")
    parser.add_argument("--revoke-family-on-reuse", action="store_true")
    parser.add_argument("--salesforce-limit-status", type=int, choices=(403, 429), default=403)
    parser.add_argument("--hubspot-search-rate-limit", type=_rate, default=None)
    parser.add_argument("--hubspot-search-lag", type=float, default=0.0, help="seconds")
    parser.add_argument("--warm", action="store_true", help="generate all data before reporting ready")
    parser.add_argument("--operation-limit", dest="operation_limits", type=_operation_limit, action="append",
                        default=[], metavar="KIND=N", help="calls per minute for read|create|update|delete")
    args = parser.parse_args(argv)
    return SandboxOptions(**{**vars(args), "operation_limits": dict(args.operation_limits)})


async def serve(options: SandboxOptions) -> None:
    runner = web.AppRunner(create_app(options), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, options.host, options.port)
    await site.start()
    port = runner.addresses[0][1]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    url = f"http://{options.host}:{port}"
    print(f"sandbox listening on {url} (records={options.records}, seed={options.seed})", flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    asyncio.run(serve(parse_args(sys.argv[1:] if argv is None else argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
