"""`python -m sandbox` as a process: prints its URL when ready, serves, stops cleanly on SIGTERM."""

import json
import signal
import subprocess
import sys
import urllib.request

from sandbox.__main__ import parse_args


def test_parse_args() -> None:
    options = parse_args(["--port", "0", "--records", "10", "--rate-limit", "25/s", "--fault-rate", "0.05",
                          "--token-lifetime", "30", "--page-size-max", "500", "--rotate-refresh-tokens",
                          "--operation-limit", "update=150/min", "--operation-limit", "create=100"])
    assert (options.port, options.records, options.rate_limit, options.fault_rate) == (0, 10, 25.0, 0.05)
    assert (options.token_lifetime, options.page_size_max, options.rotate_refresh_tokens) == (30, 500, True)
    assert options.operation_limits == {"update": 150, "create": 100}


def test_process_serves_and_stops_on_sigterm() -> None:
    process = subprocess.Popen([sys.executable, "-m", "sandbox", "--port", "0", "--records", "10"],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "http://127.0.0.1:" in line
        url = line.split()[3]
        with urllib.request.urlopen(f"{url}/_admin/health", timeout=5) as response:
            assert json.load(response) == {"status": "ok"}
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
