"""The API's end-to-end test app: the route blueprints plus a stub `sync_integration`."""

import azure.durable_functions as df
import azure.functions as func
from stub_sync import bp as stub_sync_bp

from api import credentials, deadletters, integrations, runs, shards, sync

app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)

for blueprint in (integrations.bp, credentials.bp, sync.bp, runs.bp, shards.bp, deadletters.bp, stub_sync_bp):
    app.register_functions(blueprint)
