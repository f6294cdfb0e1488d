"""Running one activity invocation, in the host process or in a language worker process.

The Python worker decodes the activity's input with the Durable converter, calls the function (async ones on
the worker's event loop, others on its thread pool) and encodes what it returns; a raised exception is the
activity's failure, reported as the extension reports it (message and details). ``ActivityCall`` is that
invocation as the host hands it to a worker process (``devhost.server``'s worker pool).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import traceback
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from azure.functions import meta
from azure.functions.durable_functions import ActivityTriggerConverter

from .discovery import ActivityFunction

log = logging.getLogger("devhost")
# The outcome: (result JSON, None) on success, (None, (reason, details)) on failure.
Outcome = tuple[str | None, tuple[str, str] | None]


@dataclass(frozen=True, slots=True)
class ActivityCall:
    """One activity invocation: the function's name, its input (JSON text) and the instance, for logs."""

    name: str
    input: str | None
    instance_id: str

    def __reduce__(self) -> tuple[Any, ...]:  # pickled as a plain tuple: the generic dataclass path is slow
        return ActivityCall, (self.name, self.input, self.instance_id)


def missing(name: str) -> Outcome:
    return None, (f"The activity function '{name}' does not exist", "")


async def run_activity(activity: ActivityFunction, call: ActivityCall, pool: Executor) -> Outcome:
    """Invoke ``activity`` with ``call``'s input; never raises for the function's own errors."""
    try:
        arg = ActivityTriggerConverter.decode(meta.Datum(call.input, "json"), trigger_metadata=None)
        kwargs = {activity.trigger_param: arg}
        if activity.is_async:
            value = await activity.fn(**kwargs)
        else:
            value = await asyncio.get_running_loop().run_in_executor(pool, functools.partial(activity.fn, **kwargs))
        return ActivityTriggerConverter.encode(value, expected_type=None).value, None
    except Exception as exc:
        log.warning("activity %s (%s) failed: %s", call.name, call.instance_id, exc)
        return None, (f"Activity function '{call.name}' failed: {exc}", traceback.format_exc())
