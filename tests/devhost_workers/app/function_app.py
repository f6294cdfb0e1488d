"""Test app for devhost's language worker processes: activities report the process they ran in."""

import os
from pathlib import Path

import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)
MARKS = Path(os.environ.get("WORKERS_MARKS_DIR", "."))


@app.route(route="pid", methods=["GET"])
def http_pid(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(str(os.getpid()))


@app.orchestration_trigger(context_name="context")
def fan_out(context: df.DurableOrchestrationContext):
    count = context.get_input()
    sync = [context.call_activity(pid_sync, n) for n in range(count)]
    asynchronous = [context.call_activity(pid_async, n) for n in range(count)]
    results = yield context.task_all(sync + asynchronous)
    return results


@app.orchestration_trigger(context_name="context")
def survives_a_lost_worker(context: df.DurableOrchestrationContext):
    first = yield context.call_activity(exit_once, context.instance_id)
    return first


@app.orchestration_trigger(context_name="context")
def poisoned(context: df.DurableOrchestrationContext):
    return (yield context.call_activity(exit_always, context.instance_id))


@app.activity_trigger(input_name="n")
def pid_sync(n: int) -> list[int]:
    return [n, os.getpid()]


@app.activity_trigger(input_name="n")
async def pid_async(n: int) -> list[int]:
    return [n, os.getpid()]


@app.activity_trigger(input_name="key")
def exit_once(key: str) -> int:
    # The first call ends its process abruptly (as a crashed worker would); later calls answer.
    marker = MARKS / f"exited-{key}"
    runs = MARKS / f"runs-{key}"
    with runs.open("a") as fh:
        fh.write("x\n")
    if not marker.exists():
        marker.write_text("1")
        os._exit(3)
    return os.getpid()


@app.activity_trigger(input_name="key")
def exit_always(key: str) -> int:
    # A poison activity: every call ends its process abruptly.
    with (MARKS / f"runs-{key}").open("a") as fh:
        fh.write("x\n")
    os._exit(3)
