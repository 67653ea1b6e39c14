"""What each kind of job does. A handler gets the claimed job and the worker's context, opens the
transactions it needs (never one around a network call) and returns a word for the summary.

A handler that raises is retried by the runner with the webhook schedule's backoff; a webhook delivery
never raises for the receiver's failures: `record_outcome` reschedules it itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from nexus360.auth.service import SYSTEM
from nexus360.common.clock import Clock
from nexus360.config import Settings
from nexus360.db import Database, session_scope
from nexus360.integrations import flows as directory
from nexus360.integrations.connectors import service as connectors
from nexus360.integrations.email import flows as email
from nexus360.integrations.email import service as mail
from nexus360.integrations.logs import service as logs
from nexus360.integrations.webhooks import client as webhook_client
from nexus360.integrations.webhooks import service as webhooks
from nexus360.jobs import service as jobs
from nexus360.jobs.schemas import ClaimedJob
from nexus360.notifications import flows as notification_flows

log = logging.getLogger(__name__)

OUTBOX_DATABASES = (Database.CRM, Database.MARKETING, Database.COMPENSATION, Database.FORECASTING)
EVENT_RETENTION = timedelta(days=7)
NOTIFICATIONS_KIND, RETENTION_KIND = "notifications.send_due", "retention.prune"
# Schedules every worker makes sure of at start: (kind, key, every).
SCHEDULES = ((NOTIFICATIONS_KIND, "schedule:notifications", timedelta(minutes=1)),
             (RETENTION_KIND, "schedule:retention", timedelta(hours=1)))


@dataclass(frozen=True)
class Context:
    settings: Settings
    clock: Clock
    worker: str


def deliver_webhook(job: ClaimedJob, ctx: Context) -> str:
    with session_scope(Database.INTEGRATION) as session:
        delivery = webhooks.prepare(session, SYSTEM, job, settings=ctx.settings, clock=ctx.clock)
    if delivery is None:
        return webhooks.SKIPPED
    outcome = webhook_client.post(delivery.url, body=delivery.body, headers=delivery.headers,
                                  allow_private=delivery.allow_private, timeout=ctx.settings.webhook_timeout_seconds)
    with session_scope(Database.INTEGRATION) as session:
        return webhooks.record_outcome(session, SYSTEM, job, delivery, outcome, settings=ctx.settings, clock=ctx.clock)


def sync_directory(job: ClaimedJob, ctx: Context) -> str:
    connector_id = job.payload.get("integration_id")
    with session_scope(Database.INTEGRATION) as session:
        settings = connectors.graph_settings(session, SYSTEM, settings=ctx.settings, connector_id=connector_id)
    result = directory.run_directory_sync(SYSTEM, settings=settings, connector_id=connector_id, clock=ctx.clock)
    return f"directory sync {result.status}"


def notify_failing(job: ClaimedJob, ctx: Context) -> str:
    """Tell every active admin, once per failure streak, that a connector is failing."""
    integration_id = int(job.payload["integration_id"])
    with session_scope(Database.INTEGRATION) as session:
        tiles = {tile.integration_id: tile for tile in logs.health(session, SYSTEM, settings=ctx.settings,
                                                                     clock=ctx.clock)}
    tile = tiles.get(integration_id)
    if tile is None:
        return "connector gone"
    # The notifications' template, preferences and e-mail; one notice per key (a failure streak).
    told = notification_flows.notify_integration_failing(
        integration=tile.name, key=job.key, error=f"{tile.consecutive_failures} failures in a row. {tile.reason}")
    return f"told {told} admin(s)"


def send_due_notifications(job: ClaimedJob, ctx: Context) -> str:
    """Due notification e-mails and digests, through the active SMTP connector (else NEXUS360_SMTP_*)."""
    with session_scope(Database.INTEGRATION) as session:
        settings, connector_id = mail.mail_route(session, SYSTEM, settings=ctx.settings)
    email.send_due_notifications(settings=settings, integration_id=connector_id)
    return "notification e-mails sent"


def prune(job: ClaimedJob, ctx: Context) -> str:
    """Retention: logs by age and count, finished jobs, dispatched outbox events; batch by batch, each committed."""
    totals = [0, 0, 0, 0]
    for _ in range(100):
        with session_scope(Database.INTEGRATION) as session:
            pruned = logs.prune(session, SYSTEM, settings=ctx.settings, clock=ctx.clock)
        totals[0] += pruned.by_age
        totals[1] += pruned.by_count
        totals[2] += pruned.jobs
        if not (pruned.by_age or pruned.by_count or pruned.jobs):
            break
    for database in OUTBOX_DATABASES:
        with session_scope(database) as session:
            totals[3] += jobs.prune_events(session, older_than=EVENT_RETENTION, clock=ctx.clock)
    return "pruned {} old and {} surplus log rows, {} jobs, {} events".format(*totals)


def relay_outboxes(ctx: Context) -> int:
    """Move every emitting database's undispatched events into the queue (the queue commits first)."""
    moved = 0
    for database in OUTBOX_DATABASES:
        while True:
            with session_scope(database) as source, session_scope(Database.INTEGRATION) as target:
                count = jobs.relay_events(source, target, clock=ctx.clock,
                                          route=lambda event, t=target: webhooks.route_event(t, SYSTEM, event))
            moved += count
            if count < jobs.RELAY_BATCH:
                break
    return moved


def ensure_schedules(ctx: Context) -> None:
    with session_scope(Database.INTEGRATION) as session:
        for kind, key, every in SCHEDULES:
            jobs.set_schedule(session, kind=kind, key=key, every=every, clock=ctx.clock)


# Handlers that finish their job themselves (a delivery reschedules or gives up by the receiver's answer);
# the runner completes every other job when its handler returns.
SELF_FINISHING = frozenset({webhooks.DELIVER})

HANDLERS: dict[str, Callable[[ClaimedJob, Context], str]] = {
    webhooks.DELIVER: deliver_webhook,
    connectors.DIRECTORY_SYNC_KIND: sync_directory,
    logs.FAILING_NOTICE: notify_failing,
    NOTIFICATIONS_KIND: send_due_notifications,
    RETENTION_KIND: prune,
}
