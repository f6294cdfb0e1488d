"""The Functions app: composition only. Each module brings its own blueprint."""

import azure.durable_functions as df
import azure.functions as func

from activities import hello as hello_activities
from api import health, orchestrations
from orchestrators import hello

app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)

for blueprint in (health.bp, orchestrations.bp, hello.bp, hello_activities.bp):
    app.register_functions(blueprint)
