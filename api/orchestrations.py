"""`POST /api/orchestrators/{functionName}[/{instanceId}]`: start any orchestration by name (for operators and
the README's examples); answers 202 with the Durable check-status payload.
"""

import json

import azure.durable_functions as df
import azure.functions as func

bp = df.Blueprint()


@bp.route(route="orchestrators/{functionName}/{instanceId?}", methods=["POST"])
@bp.durable_client_input(client_name="client")
async def start_orchestration(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    body = req.get_body()
    try:
        payload = json.loads(body) if body else None
    except json.JSONDecodeError:
        error = {"error": {"code": "malformed_json", "message": "The request body is not valid JSON", "details": []}}
        return func.HttpResponse(json.dumps(error), status_code=400, mimetype="application/json")
    instance_id = await client.start_new(req.route_params["functionName"], req.route_params.get("instanceId"), payload)
    return client.create_check_status_response(req, instance_id)
