"""Outgoing webhooks: which endpoints an event goes to, one attempt prepared and its outcome recorded, replays.

The worker calls `route_event` while relaying an outbox (one keyed job per event and endpoint), then for
each due job `prepare` (in a transaction), the HTTP attempt (outside any transaction, webhooks.client), and
`record_outcome` (in a transaction): one log row per attempt, the job done, retried by the schedule (later
if the receiver sent Retry-After on 429/503) or failed, and the endpoint switched off on 410 Gone or after
failing for days. The message id (webhook-id) is the event's and stays the same on every attempt, so a
receiver that saw an attempt the worker could not record (a worker killed mid-delivery) can drop the repeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from nexus360.common.clock import SYSTEM_CLOCK, Clock
from nexus360.common.errors import NotFoundError, ValidationError
from nexus360.config import Settings
from nexus360.integrations import repository
from nexus360.integrations.connectors import service as connectors
from nexus360.integrations.connectors.schemas import WEBHOOK
from nexus360.integrations.connectors.service import Actor, require_manage
from nexus360.integrations.logs import repository as logs_repository
from nexus360.integrations.logs import service as logs
from nexus360.integrations.webhooks import engine
from nexus360.integrations.webhooks.client import Outcome
from nexus360.jobs import service as jobs
from nexus360.jobs.schemas import ClaimedJob, Enqueue, OutboxEvent

DELIVER = "webhook.deliver"
DELIVERED, RETRYING, GAVE_UP, DISABLED, SKIPPED, LOST = "delivered", "retrying", "failed", "disabled", "skipped", "lost"


@dataclass(frozen=True)
class Delivery:
    """One attempt, ready to send: where, the signed bytes and headers."""

    endpoint_id: int
    url: str
    body: bytes
    headers: dict[str, str]
    allow_private: bool
    attempt: int
    message_id: str
    event_type: str


def job_key(event_id: str, endpoint_id: int) -> str:
    return f"webhook:{event_id}:{endpoint_id}"


def route_event(session: Session, actor: Actor, event: OutboxEvent) -> list[Enqueue]:
    """One delivery job for each active webhook subscribed to the event's type."""
    require_manage(actor)
    payload = {"event_id": event.event_id, "event_type": event.event_type,
               "occurred_at": event.occurred_at.isoformat(timespec="seconds") + "Z", "data": event.data}
    return [Enqueue(kind=DELIVER, key=job_key(event.event_id, row.id), payload={**payload, "endpoint_id": row.id})
            for row in repository.list_configs(session, type=WEBHOOK, active_only=True)
            if event.event_type in (row.config or {}).get("events", ())]


def prepare(session: Session, actor: Actor, job: ClaimedJob, *, settings: Settings,
            clock: Clock = SYSTEM_CLOCK) -> Delivery | None:
    """The attempt to make, or None when the endpoint is gone or switched off (the job is then cancelled)."""
    require_manage(actor)
    payload = job.payload
    row = repository.get_config(session, int(payload["endpoint_id"]))
    if row is None or row.type != WEBHOOK or row.is_active is False:
        jobs.give_up(session, job, error="The endpoint is switched off or deleted.", cancelled=True, clock=clock)
        return None
    secret = connectors.resolve_secret(row.config.get("secret"), settings)
    if not secret:
        raise ValidationError(f"The webhook {row.name!r} has no signing secret available: set the variable or "
                              "secrets.toml key it names, or paste a secret in its settings.")
    body = engine.body_of(payload["event_type"], payload["occurred_at"], payload.get("data") or {})
    headers = engine.signed_headers(secret, message_id=payload["event_id"], moment=clock.now(), body=body)
    return Delivery(endpoint_id=row.id, url=row.config["url"], body=body, headers=headers,
                    allow_private=bool(row.config.get("allow_private")), attempt=job.attempts,
                    message_id=payload["event_id"], event_type=payload["event_type"])


def record_outcome(session: Session, actor: Actor, job: ClaimedJob, delivery: Delivery, outcome: Outcome, *,
                   settings: Settings, clock: Clock = SYSTEM_CLOCK) -> str:
    """Log the attempt, then finish, reschedule or give up the job; returns what became of it."""
    require_manage(actor)
    recorded = logs.record_run(
        session, actor, integration_id=delivery.endpoint_id, event_type=delivery.event_type,
        status="success" if outcome.ok else "failed", payload=_logged_payload(job), error=outcome.error,
        attempt=delivery.attempt, status_code=outcome.status_code, duration_ms=outcome.duration_ms,
        message_id=delivery.message_id, response_excerpt=outcome.excerpt, settings=settings, clock=clock)
    if outcome.ok:
        return DELIVERED if jobs.complete(session, job, clock=clock) else LOST
    if outcome.status_code == engine.GONE:
        _switch_off(session, delivery.endpoint_id)
        jobs.give_up(session, job, error="The receiver answered 410 Gone; the endpoint is switched off.", clock=clock)
        return DISABLED
    if _failing_for_days(recorded, settings, clock.now()):
        _switch_off(session, delivery.endpoint_id)
        jobs.give_up(session, job, error=f"Failing since {recorded.streak_started_at:%Y-%m-%d %H:%M} UTC; "
                                         "the endpoint is switched off.", clock=clock)
        return DISABLED
    moment = engine.next_run(attempt=delivery.attempt, status_code=outcome.status_code,
                             retry_after_header=outcome.retry_after, now=clock.now())
    if moment is None:
        jobs.give_up(session, job, error=outcome.error or "Failed.", clock=clock)
        return GAVE_UP
    jobs.retry_at(session, job, moment, error=outcome.error, clock=clock)
    return RETRYING


def _logged_payload(job: ClaimedJob) -> dict:
    payload = job.payload
    return {"type": payload.get("event_type"), "timestamp": payload.get("occurred_at"), "data": payload.get("data")}


def _failing_for_days(recorded: logs.RunRecorded, settings: Settings, now: datetime) -> bool:
    return (recorded.consecutive_failures >= settings.webhook_disable_after_failures
            and recorded.streak_started_at is not None
            and now - recorded.streak_started_at >= timedelta(days=settings.webhook_disable_after_days))


def _switch_off(session: Session, endpoint_id: int) -> None:
    row = repository.get_config(session, endpoint_id, lock=True)
    if row is not None:
        repository.set_active(session, row, False)


# --- replays --------------------------------------------------------------------------------------


def retry_log(session: Session, principal: Actor, *, log_id: int, clock: Clock = SYSTEM_CLOCK) -> str:
    """Send the delivery of this log row again (a fresh schedule, the same webhook-id); returns the endpoint."""
    require_manage(principal)
    row = logs_repository.get_log(session, log_id)
    if row is None or not row.message_id:
        raise NotFoundError("This log entry is not a webhook delivery that can be sent again.")
    config = repository.get_config(session, row.integration_id)
    if config is None or config.type != WEBHOOK:
        raise NotFoundError("This log entry is not a webhook delivery that can be sent again.")
    if config.is_active is False:
        raise ValidationError(f"Switch the webhook {config.name!r} on before sending it deliveries again.")
    count = jobs.requeue(session, kind=DELIVER, keys=[job_key(row.message_id, row.integration_id)],
                         statuses=("failed", "cancelled", "done"), clock=clock)
    if not count:
        raise ValidationError("This delivery is already queued or running, or was pruned.")
    return config.name


def retry_failed_since(session: Session, principal: Actor, *, since: datetime, connector_id: int | None = None,
                       clock: Clock = SYSTEM_CLOCK) -> int:
    """Queue again every delivery that failed for good, of events since `since` (of one endpoint, if given)."""
    require_manage(principal)
    if since > clock.now():
        raise ValidationError("Since must not be in the future.")
    match = None
    if connector_id is not None:
        config = repository.get_config(session, connector_id)
        if config is None or config.type != WEBHOOK:
            raise NotFoundError("Retry: that integration is not an outgoing webhook.")
        match = {"endpoint_id": connector_id}
    return jobs.requeue(session, kind=DELIVER, since=since, payload_match=match, statuses=("failed", "cancelled"),
                        clock=clock)
