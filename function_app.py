"""The Functions app: composition only. Each module brings its own blueprint."""

import azure.durable_functions as df
import azure.functions as func

from activities import hello as hello_activities
from activities import sync_pages, sync_runs
from api import health, orchestrations
from entities import rate_limit
from orchestrators import hello, sync_integration, sync_mapping

app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)

for blueprint in (
    health.bp,
    orchestrations.bp,
    hello.bp,
    hello_activities.bp,
    sync_integration.bp,
    sync_mapping.bp,
    sync_runs.bp,
    sync_pages.bp,
    rate_limit.bp,
):
    app.register_functions(blueprint)
