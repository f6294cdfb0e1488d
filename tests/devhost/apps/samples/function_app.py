"""Sample app for devhost's tests: the Durable SDK's patterns plus edge cases, one function each."""

import json
import os
from datetime import timedelta
from pathlib import Path

import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)
MARKS = os.environ.get("SAMPLES_MARKS_DIR", "")


@app.route(route="orchestrators/{functionName}/{instanceId?}", methods=["POST"])
@app.durable_client_input(client_name="client")
async def http_start(req: func.HttpRequest, client) -> func.HttpResponse:
    body = req.get_body()
    payload = json.loads(body) if body else None
    instance_id = await client.start_new(req.route_params["functionName"], req.route_params.get("instanceId"),
                                         payload)
    return client.create_check_status_response(req, instance_id)


@app.route(route="wait/{functionName}", methods=["POST"])
@app.durable_client_input(client_name="client")
async def http_start_wait(req: func.HttpRequest, client) -> func.HttpResponse:
    instance_id = await client.start_new(req.route_params["functionName"], None, req.get_json())
    return await client.wait_for_completion_or_create_check_status_response(req, instance_id, 10000, 50)


@app.route(route="client/{instanceId}/{action}", methods=["POST", "GET"], auth_level=func.AuthLevel.ANONYMOUS)
@app.durable_client_input(client_name="client")
async def client_ops(req: func.HttpRequest, client) -> func.HttpResponse:
    iid, action = req.route_params["instanceId"], req.route_params["action"]
    if action == "status":
        status = await client.get_status(iid, show_history=True)
        return func.HttpResponse(json.dumps(status.to_json() if status else None), mimetype="application/json")
    if action == "raise":
        await client.raise_event(iid, req.params["name"], req.get_json())
    elif action == "terminate":
        await client.terminate(iid, "by test")
    elif action == "suspend":
        await client.suspend(iid, "by test")
    elif action == "resume":
        await client.resume(iid, "by test")
    elif action == "purge":
        result = await client.purge_instance_history(iid)
        return func.HttpResponse(json.dumps({"deleted": result.instances_deleted}), mimetype="application/json")
    elif action == "signal":
        await client.signal_entity(df.EntityId("Counter", iid), req.params["op"], int(req.params.get("v", "1")))
    elif action == "entity":
        state = await client.read_entity_state(df.EntityId("Counter", iid))
        return func.HttpResponse(json.dumps({"exists": state.entity_exists, "state": state.entity_state}),
                                 mimetype="application/json")
    return func.HttpResponse(status_code=202)


@app.route(route="hello/{name:alpha}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def hello_route(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(f"Hello {req.route_params['name']} {req.params.get('x', '')}".strip())


@app.activity_trigger(input_name="name")
def say_hello(name: str) -> str:
    return f"Hello {name}!"


@app.activity_trigger(input_name="value")
async def double(value: int) -> int:
    return value * 2


@app.activity_trigger(input_name="payload")
def flaky(payload: dict) -> str:
    # Fails until it has been called `fail_times` times for this key; the count lives on disk.
    path = os.path.join(MARKS, f"flaky-{payload['key']}")
    count = int(Path(path).read_text()) if os.path.exists(path) else 0
    with open(path, "w") as fh:
        fh.write(str(count + 1))
    if count < payload["fail_times"]:
        raise ValueError(f"flaky attempt {count + 1}")
    return f"ok after {count + 1}"


@app.activity_trigger(input_name="seconds")
def slow(seconds: float) -> float:
    import time

    time.sleep(seconds)
    return seconds


@app.activity_trigger(input_name="key")
def mark(key: str) -> int:
    # Appends one line per execution so a test can count how often an activity really ran.
    with open(os.path.join(MARKS, f"mark-{key}"), "a") as fh:
        fh.write("x\n")
    return 1


@app.orchestration_trigger(context_name="context")
def chaining(context: df.DurableOrchestrationContext):
    a = yield context.call_activity(say_hello, "Tokyo")
    b = yield context.call_activity("say_hello", "Seattle")
    c = yield context.call_activity(say_hello, "London")
    return [a, b, c]


@app.orchestration_trigger(context_name="context")
def fan_out(context: df.DurableOrchestrationContext):
    n = context.get_input() or 10
    results = yield context.task_all([context.call_activity(double, i) for i in range(n)])
    return sum(results)


@app.orchestration_trigger(context_name="context")
def sequence(context: df.DurableOrchestrationContext):
    n = context.get_input() or 10
    total = 0
    for i in range(n):
        total += yield context.call_activity(double, i)
    return total


@app.orchestration_trigger(context_name="context")
def monitor(context: df.DurableOrchestrationContext):
    # Polls until a counter reaches the target, sleeping on durable timers between polls.
    target = context.get_input()
    polls = 0
    while polls < target:
        polls += 1
        context.set_custom_status({"polls": polls})
        yield context.create_timer(context.current_utc_datetime + timedelta(milliseconds=100))
    return polls


@app.orchestration_trigger(context_name="context")
def approval(context: df.DurableOrchestrationContext):
    timeout = context.get_input() or 5
    event = context.wait_for_external_event("Approval")
    timer = context.create_timer(context.current_utc_datetime + timedelta(seconds=timeout))
    winner = yield context.task_any([event, timer])
    if winner == event:
        timer.cancel()
        return {"approved": event.result}
    return {"approved": None, "timedOut": True}


@app.orchestration_trigger(context_name="context")
def with_retry(context: df.DurableOrchestrationContext):
    options = df.RetryOptions(first_retry_interval_in_milliseconds=100, max_number_of_attempts=3)
    return (yield context.call_activity_with_retry("flaky", options, context.get_input()))


@app.orchestration_trigger(context_name="context")
def parent(context: df.DurableOrchestrationContext):
    n = context.get_input() or 3
    children = [context.call_sub_orchestrator("chaining", None, f"{context.instance_id}-child-{i}") for i in range(n)]
    results = yield context.task_all(children)
    return len(results)


@app.orchestration_trigger(context_name="context")
def eternal(context: df.DurableOrchestrationContext):
    state = context.get_input() or {"generation": 0, "until": 5}
    state["generation"] += 1
    yield context.call_activity(double, state["generation"])
    context.set_custom_status({"generation": state["generation"]})
    if state["generation"] >= state["until"]:
        return state
    yield context.create_timer(context.current_utc_datetime + timedelta(milliseconds=20))
    context.continue_as_new(state)


@app.orchestration_trigger(context_name="context")
def counter_user(context: df.DurableOrchestrationContext):
    entity = df.EntityId("Counter", context.get_input())
    context.signal_entity(entity, "add", 5)
    yield context.call_entity(entity, "add", 10)
    value = yield context.call_entity(entity, "get")
    return value


@app.orchestration_trigger(context_name="context")
def failing(context: df.DurableOrchestrationContext):
    yield context.call_activity("flaky", {"key": context.instance_id, "fail_times": 99})


@app.orchestration_trigger(context_name="context")
def nondeterministic(context: df.DurableOrchestrationContext):
    # The activity name depends on a file that the test changes between episodes.
    first = Path(MARKS, "nd").read_text().strip()
    yield context.call_activity(first, "x")
    yield context.wait_for_external_event("go")
    return "done"


@app.orchestration_trigger(context_name="context")
def waiter(context: df.DurableOrchestrationContext):
    value = yield context.wait_for_external_event("go")
    return value


@app.orchestration_trigger(context_name="context")
def http_caller(context: df.DurableOrchestrationContext):
    response = yield context.call_http("GET", context.get_input())
    return {"status": response["statusCode"], "content": response["content"]}


@app.orchestration_trigger(context_name="context")
def crash_timer(context: df.DurableOrchestrationContext):
    yield context.call_activity(mark, f"{context.instance_id}-before")
    yield context.create_timer(context.current_utc_datetime + timedelta(seconds=context.get_input()))
    yield context.call_activity(mark, f"{context.instance_id}-after")
    return "survived"


@app.orchestration_trigger(context_name="context")
def crash_fan_out(context: df.DurableOrchestrationContext):
    n = context.get_input()
    results = yield context.task_all([context.call_activity(slow, 0.05) for _ in range(n)])
    return len(results)


@app.orchestration_trigger(context_name="context")
def deterministic(context: df.DurableOrchestrationContext):
    # Values taken before and after awaits must be the same on every replay of the same history.
    first = (str(context.current_utc_datetime), str(context.new_uuid()))
    yield context.call_activity(double, 1)
    second = (str(context.current_utc_datetime), str(context.new_uuid()))
    yield context.call_activity(double, 2)
    return {"first": first, "second": second, "replaying_at_end": context.is_replaying}


@app.orchestration_trigger(context_name="context")
def child_retry(context: df.DurableOrchestrationContext):
    options = df.RetryOptions(first_retry_interval_in_milliseconds=50, max_number_of_attempts=3)
    return (yield context.call_sub_orchestrator_with_retry("flaky_child", options, context.get_input()))


@app.orchestration_trigger(context_name="context")
def flaky_child(context: df.DurableOrchestrationContext):
    return (yield context.call_activity("flaky", context.get_input()))


@app.activity_trigger(input_name="key")
def concurrency_probe(key: str) -> int:
    # Records how many probes run at once (through marker files), then holds for a moment.
    import time

    marks = Path(MARKS, f"probe-{key}")
    marks.mkdir(exist_ok=True)
    me = marks / f"{time.monotonic_ns()}"
    me.touch()
    running = sum(1 for _ in marks.iterdir())
    with open(Path(MARKS, f"probe-{key}.max"), "a") as fh:
        fh.write(f"{running}\n")
    time.sleep(0.2)
    me.unlink()
    return running


@app.orchestration_trigger(context_name="context")
def probe_fan_out(context: df.DurableOrchestrationContext):
    key = context.get_input()
    results = yield context.task_all([context.call_activity(concurrency_probe, key) for _ in range(12)])
    return max(results)


@app.entity_trigger(context_name="context")
def Counter(context: df.DurableEntityContext):
    value = context.get_state(lambda: 0)
    op = context.operation_name
    if op == "add":
        value += context.get_input()
        context.set_result(value)
    elif op == "reset":
        value = 0
    elif op == "get":
        context.set_result(value)
    elif op == "boom":
        raise ValueError("counter exploded")
    context.set_state(value)


@app.timer_trigger(schedule="*/1 * * * * *", arg_name="tick", run_on_startup=True)
def ticker(tick: func.TimerRequest) -> None:
    if MARKS:
        with open(os.path.join(MARKS, "ticks"), "a") as fh:
            fh.write(f"{tick.past_due}\n")
