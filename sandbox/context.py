"""Typed application keys: how handlers reach the sandbox's shared state (`request.config_dict[KEY]`)."""

from __future__ import annotations

from aiohttp import web

from sandbox.clock import Clock
from sandbox.counters import Counters
from sandbox.dataverse.state import DataverseState
from sandbox.hubspot.state import HubSpotState
from sandbox.options import SandboxOptions
from sandbox.salesforce.state import SalesforceState

OPTIONS = web.AppKey("options", SandboxOptions)
COUNTERS = web.AppKey("counters", Counters)
CLOCK = web.AppKey("clock", Clock)
SALESFORCE = web.AppKey("salesforce", SalesforceState)
HUBSPOT = web.AppKey("hubspot", HubSpotState)
DATAVERSE = web.AppKey("dataverse", DataverseState)
