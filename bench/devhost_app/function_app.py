"""The app bench/devhost.py measures: trivial activities, so the figures are the host's own cost."""

import azure.durable_functions as df

app = df.DFApp()


@app.activity_trigger(input_name="value")
def echo(value: int) -> int:
    return value


@app.orchestration_trigger(context_name="context")
def sequential(context: df.DurableOrchestrationContext):
    total = 0
    for i in range(context.get_input()):
        total += yield context.call_activity(echo, i)
    return total


@app.orchestration_trigger(context_name="context")
def fan_out(context: df.DurableOrchestrationContext):
    results = yield context.task_all([context.call_activity(echo, i) for i in range(context.get_input())])
    return sum(results)


@app.orchestration_trigger(context_name="context")
def single(context: df.DurableOrchestrationContext):
    return (yield context.call_activity(echo, 1))
