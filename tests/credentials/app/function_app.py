"""Test app: the credential blueprints exactly as the root app will register them, plus one test-only
route that runs the singleton starter on demand (the timer also runs it at startup)."""

import json

import azure.durable_functions as df
import azure.functions as func

from activities import credentials as credential_activities
from orchestrators import token_refresher
from timers import token_refresher as token_refresher_timer
from timers.token_refresher import ensure_token_refresher

app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)

for blueprint in (credential_activities.bp, token_refresher.bp, token_refresher_timer.bp):
    app.register_functions(blueprint)


@app.route(route="test/refresher/ensure", methods=["POST"])
@app.durable_client_input(client_name="client")
async def ensure_refresher(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    started = await ensure_token_refresher(client)
    return func.HttpResponse(json.dumps({"started": started}), mimetype="application/json")
