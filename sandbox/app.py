"""Composition: one aiohttp application serving both simulated providers, their token endpoints and the
admin routes.

    from sandbox.app import create_app
    from sandbox.options import SandboxOptions
    app = create_app(SandboxOptions(records=5_000, seed=7))         # then aiohttp's TestServer, or run_app

Salesforce: `/services/oauth2/token`, `/services/data/v{ver}/...`; HubSpot: `/oauth/v1/token`,
`/crm/v3/...`; Dataverse: `/{tenant}/oauth2/v2.0/token`, `/api/data/v{ver}/...`; admin: `/_admin/...`.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from sandbox.admin import create_admin_app
from sandbox.clock import Clock, SystemClock
from sandbox.context import CLOCK, COUNTERS, DATAVERSE, HUBSPOT, OPTIONS, SALESFORCE
from sandbox.counters import Counters
from sandbox.dataverse.gate import dataverse_gate
from sandbox.dataverse.routes import routes as dataverse_routes
from sandbox.dataverse.state import DataverseState
from sandbox.hubspot.gate import hubspot_gate
from sandbox.hubspot.routes import routes as hubspot_routes
from sandbox.hubspot.state import HubSpotState
from sandbox.oauth_routes import routes as oauth_routes
from sandbox.options import SandboxOptions
from sandbox.salesforce.gate import salesforce_gate
from sandbox.salesforce.routes_query import routes as query_routes
from sandbox.salesforce.routes_replication import routes as replication_routes
from sandbox.salesforce.routes_sobjects import routes as sobject_routes
from sandbox.salesforce.state import SalesforceState

# Pre-registered OAuth clients so a demo can start without an admin call (register more via /_admin).
DEFAULT_CLIENTS = {
    "salesforce": ("sandbox-salesforce-client", "sandbox-salesforce-secret"),
    "hubspot": ("sandbox-hubspot-client", "sandbox-hubspot-secret"),
    "dataverse": ("sandbox-dataverse-client", "sandbox-dataverse-secret"),
}


@web.middleware
async def count_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Counts every request by method and route pattern (`GET /services/data/v{ver}/query`)."""
    resource = request.match_info.route.resource
    pattern = resource.canonical if resource is not None else "unmatched"
    request.config_dict[COUNTERS].requests[f"{request.method} {pattern}"] += 1
    return await handler(request)


def create_app(options: SandboxOptions, clock: Clock | None = None) -> web.Application:
    """The sandbox as an aiohttp application. `clock` defaults to the system clock (tests inject one)."""
    clock = clock or SystemClock()
    app = web.Application(middlewares=[count_requests], client_max_size=32 * 1024 * 1024)
    app[OPTIONS] = options
    app[CLOCK] = clock
    app[COUNTERS] = Counters()
    app[SALESFORCE] = SalesforceState(clock, options.seed, options.records)
    app[HUBSPOT] = HubSpotState(clock, options.seed, options.records)
    app[SALESFORCE].oauth.register_client(*DEFAULT_CLIENTS["salesforce"])
    app[HUBSPOT].oauth.register_client(*DEFAULT_CLIENTS["hubspot"])
    app[DATAVERSE] = DataverseState(clock, options.seed, options.records)
    app[DATAVERSE].oauth.register_client(*DEFAULT_CLIENTS["dataverse"])
    app.add_routes(oauth_routes)

    salesforce = web.Application(middlewares=[salesforce_gate])
    salesforce.add_routes(query_routes)
    salesforce.add_routes(replication_routes)  # before sobject rows: `/deleted/` is not a record id
    salesforce.add_routes(sobject_routes)
    app.add_subapp("/services/data", salesforce)

    hubspot = web.Application(middlewares=[hubspot_gate])
    hubspot.add_routes(hubspot_routes)
    app.add_subapp("/crm/v3", hubspot)

    dataverse = web.Application(middlewares=[dataverse_gate])
    dataverse.add_routes(dataverse_routes)
    app.add_subapp("/api/data", dataverse)

    app.add_subapp("/_admin", create_admin_app(options.seed))
    if options.warm:
        app[SALESFORCE].warm()
        app[HUBSPOT].warm()
        app[DATAVERSE].warm()
    return app
