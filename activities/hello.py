"""The example orchestration's activity."""

import azure.durable_functions as df

bp = df.Blueprint()


@bp.activity_trigger(input_name="name")
def say_hello(name: str) -> str:
    return f"Hello {name}!"
