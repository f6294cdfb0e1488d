"""The webhook end-to-end test app: the repository's sync blueprints plus the webhook ones."""

import azure.durable_functions as df
import azure.functions as func

from activities import sync_pages, sync_runs
from activities import webhook_events as webhook_activities
from api import credentials, health, integrations, orchestrations, runs, shards, sync, webhooks
from entities import rate_limit
from orchestrators import sync_integration, sync_mapping, webhook_events
from timers import webhook_drainer

app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)

for blueprint in (
    health.bp,
    integrations.bp,
    credentials.bp,
    sync.bp,
    runs.bp,
    shards.bp,
    orchestrations.bp,
    sync_integration.bp,
    sync_mapping.bp,
    sync_runs.bp,
    sync_pages.bp,
    rate_limit.bp,
    webhooks.bp,
    webhook_events.bp,
    webhook_activities.bp,
    webhook_drainer.bp,
):
    app.register_functions(blueprint)
