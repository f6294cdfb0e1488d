"""Keeps the ``token_refresher`` singleton running: at startup and every five minutes, start it
under its fixed instance id unless an instance with that id is already running.

Two starters racing (two workers at startup) are harmless: the task hub refuses the second
``start_new`` for a running id, and the loser re-reads the status to confirm.
"""

from __future__ import annotations

import logging

import azure.durable_functions as df
import azure.functions as func

from credentials.models import RefresherState
from orchestrators.instances import is_running
from orchestrators.token_refresher import REFRESHER_INSTANCE_ID, REFRESHER_NAME

log = logging.getLogger("castiel.credentials")
bp = df.Blueprint()

# NCRONTAB with seconds: every five minutes. Checking is a status read; starting happens rarely.
ENSURE_SCHEDULE = "0 */5 * * * *"


async def ensure_token_refresher(client: df.DurableOrchestrationClient,
                                 instance_id: str = REFRESHER_INSTANCE_ID) -> bool:
    """Start the singleton unless it runs; True when this call started it."""
    if await is_running(client, instance_id):
        return False
    try:
        await client.start_new(REFRESHER_NAME, instance_id, RefresherState().to_wire())
    except Exception:  # noqa: BLE001 - the SDK reports "already exists" (409) as a plain Exception
        if await is_running(client, instance_id):
            return False
        raise
    log.info("started the token refresher instance=%s", instance_id)
    return True


@bp.timer_trigger(schedule=ENSURE_SCHEDULE, arg_name="timer", run_on_startup=True, use_monitor=False)
@bp.durable_client_input(client_name="client")
async def token_refresher_starter(timer: func.TimerRequest, client: df.DurableOrchestrationClient) -> None:
    await ensure_token_refresher(client)
