"""Instruction counts of a benchmark script under valgrind: unlike CPU time, they do not drift with this machine's
speed, so a change of a few percent shows (``cachegrind`` without its cache simulation; child processes, such as
the sandbox, are not traced)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys


def available() -> bool:
    """Whether valgrind is installed; when it is not, says so and how to install it."""
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: no instruction counts (apt-get install valgrind)")
        return False
    return True


def instructions(script: str, *args: str) -> int:
    """The instructions ``python script args`` executes, start-up included (subtract a shorter run's count)."""
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
               sys.executable, script, *args]
    # A fixed hash seed: string hashing decides dict and set layouts, and so a few instructions.
    out = subprocess.run(command, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONHASHSEED": "0"}).stderr
    found = re.search(r"I\s+refs:\s+([\d,]+)", out)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output: {out[-500:]}")
    return int(found.group(1).replace(",", ""))
