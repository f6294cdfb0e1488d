"""How fast this machine runs Python right now: the CPU time of a fixed workload, taken beside each benchmark run.

The machines here are virtual, and their speed drifts by a third or more within minutes (the same sync has
used 3.3 s of worker CPU at one minute and 5.8 s ten minutes later, with nothing else running). A figure
printed beside each run shows which runs had a fast machine and which a slow one; it is not an adjustment.

The workload is the kind of work a sync page does: build records as dicts, encode and decode them as JSON,
hash each one. Lower is faster.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import time

import orjson


def _workload(records: int) -> None:
    rows = [{"Id": f"001Sb{n:013d}AAA", "Name": f"Account {n}", "AnnualRevenue": n * 1.5, "Industry": "Energy",
             "Owner": {"Email": f"owner{n % 97}@example.com"}, "IsDeleted": False} for n in range(records)]
    decoded = orjson.loads(orjson.dumps(rows))
    for row in json.loads(json.dumps(decoded)):
        hashlib.sha256(orjson.dumps(row, option=orjson.OPT_SORT_KEYS)).digest()


def reference_ms(records: int = 20_000, repeats: int = 3) -> float:
    """Median CPU milliseconds of the workload over ``repeats`` tries."""
    _workload(1_000)  # first-use costs out of the way
    spent = []
    for _ in range(repeats):
        started = time.process_time()
        _workload(records)
        spent.append(1000 * (time.process_time() - started))
    return statistics.median(spent)
