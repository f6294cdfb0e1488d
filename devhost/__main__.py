"""`python -m devhost [APP_ROOT] [--port 7071] [--data DIR]`: run a Durable Functions app locally."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from .config import HostConfigError, load_config, load_local_settings
from .discovery import DiscoveryError
from .workers import quiet_noisy_loggers


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devhost", description=__doc__)
    parser.add_argument("app_root", nargs="?", default=".", help="folder with function_app.py and host.json")
    parser.add_argument("--port", type=int, default=7071)
    parser.add_argument("--data", type=Path, default=None, help="task hub folder (default APP_ROOT/.devhost)")
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> int:
    from .server import Host

    app_root = Path(args.app_root).resolve()
    load_local_settings(app_root)
    config = load_config(app_root, args.port, args.data.resolve() if args.data else None)
    host = Host(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await host.start()
    print("Functions:\n" + "\n".join(host.registry.summary()), flush=True)
    print(f"devhost ready on {config.base_url} (task hub {config.data_dir})", flush=True)
    await stop.wait()
    logging.getLogger("devhost").info("stopping")
    await host.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_noisy_loggers()
    try:
        return asyncio.run(_serve(args))
    except (HostConfigError, DiscoveryError) as exc:
        print(f"devhost: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
