"""The Functions app: composition only. Each module brings its own blueprint."""

import azure.durable_functions as df
import azure.functions as func

from activities import credentials as credential_activities
from activities import hello as hello_activities
from activities import sync_pages, sync_runs, webhook_events
from activities import writeback as writeback_activities
from api import conflicts, credentials, deadletters, health, integrations, orchestrations, runs, shards, sync, webhooks
from entities import rate_limit
from orchestrators import hello, sync_integration, sync_mapping, token_refresher, writeback
from orchestrators import webhook_events as webhook_orchestration
from timers import scheduler, webhook_drainer
from timers import token_refresher as token_refresher_starter
from writeback import routes as writeback_routes

app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)

for blueprint in (
    # HTTP API
    health.bp,
    integrations.bp,
    credentials.bp,
    sync.bp,
    runs.bp,
    shards.bp,
    deadletters.bp,
    orchestrations.bp,
    # pull sync
    sync_integration.bp,
    sync_mapping.bp,
    sync_runs.bp,
    sync_pages.bp,
    rate_limit.bp,
    scheduler.bp,
    # webhooks
    webhooks.bp,
    webhook_orchestration.bp,
    webhook_events.bp,
    webhook_drainer.bp,
    # write-back
    writeback.bp,
    writeback_activities.bp,
    writeback_routes.bp,
    conflicts.bp,
    # credentials
    token_refresher.bp,
    credential_activities.bp,
    token_refresher_starter.bp,
    # example
    hello.bp,
    hello_activities.bp,
):
    app.register_functions(blueprint)
