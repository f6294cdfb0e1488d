"""Write-back's end-to-end test app: the repository's blueprints plus write-back's."""

import azure.durable_functions as df
import azure.functions as func

from activities import sync_pages, sync_runs
from activities import writeback as writeback_activities
from api import conflicts, credentials, deadletters, health, integrations, orchestrations, runs, shards, sync
from entities import rate_limit
from orchestrators import sync_integration, sync_mapping
from orchestrators import writeback as writeback_orchestrators
from writeback import routes as writeback_routes

app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)

for blueprint in (
    health.bp, orchestrations.bp, integrations.bp, credentials.bp, sync.bp, runs.bp, shards.bp, deadletters.bp,
    sync_integration.bp, sync_mapping.bp, sync_runs.bp, sync_pages.bp, rate_limit.bp,
    writeback_orchestrators.bp, writeback_activities.bp, writeback_routes.bp, conflicts.bp,
):
    app.register_functions(blueprint)
