"""A small example orchestration (function chaining) that `make run` serves for the README's first curl."""

import azure.durable_functions as df

from activities.hello import say_hello

bp = df.Blueprint()


@bp.orchestration_trigger(context_name="context")
def hello_sequence(context: df.DurableOrchestrationContext):
    names = context.get_input() or ["Tokyo", "Seattle", "London"]
    greetings = []
    for name in names:
        greetings.append((yield context.call_activity(say_hello, name)))
    return greetings
