"""The samples app again, under a host.json that allows three concurrent activities."""

import importlib.util
import sys
from pathlib import Path

_path = Path(__file__).resolve().parents[1] / "samples" / "function_app.py"
_spec = importlib.util.spec_from_file_location("samples_function_app", _path)
assert _spec is not None and _spec.loader is not None
samples = importlib.util.module_from_spec(_spec)
sys.modules["samples_function_app"] = samples
_spec.loader.exec_module(samples)

app = samples.app
