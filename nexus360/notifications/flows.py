"""Notification work outside a page's request, across the notifications and auth databases: sending due
e-mails and digests, pruning, and telling administrators of a failing integration.
`python -m nexus360 notifications send-due` and the worker call these.

Who receives an e-mail is read from the auth database (active people and their addresses); the outbox,
the digests and the person's choices from the notifications database, as the delivery actor. Every send
is handed to `log_send`, which the caller points at the integration log (integrations' service), since
the notifications domain does not reach into the integrations database itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from nexus360.auth.schemas import Principal
from nexus360.auth.users import service as users
from nexus360.common.periods import now_utc
from nexus360.config import Settings, get_settings
from nexus360.db import Database, session_scope
from nexus360.notifications.delivery import client, repository, service
from nexus360.notifications.delivery.schemas import DeliveryReport, Recipient, SendLog
from nexus360.notifications.preferences import engine as zones
from nexus360.notifications.preferences.service import require_delivery
from nexus360.notifications.schemas import DELIVERY
from nexus360.notifications.service import notify_event

BATCH = 50
PRUNE_BATCH = 5_000
DELIVERY_HISTORY = timedelta(days=30)
_DIRECTORY_READER = Principal(id=0, email="notifications")


def send_due(*, log_send: SendLog, settings: Settings | None = None, now: datetime | None = None,
             batch: int = BATCH, mailer: client.Mailer | None = None) -> DeliveryReport:
    """Send every immediate e-mail and digest that is due; safe to run several times at once."""
    settings = settings or get_settings()
    report = DeliveryReport()
    if not client.configured(settings):
        report.problem = "E-mail is not set up (NEXUS360_SMTP_HOST is empty): nothing was sent; the e-mails wait."
        return report
    moment = now or now_utc()
    contacts = _contacts()
    mailer = mailer or client.Mailer(settings)
    try:
        for step in (service.send_immediate, service.send_digests):
            while report.problem is None:
                with session_scope(Database.NOTIFICATIONS, actor=DELIVERY) as session:
                    taken = step(session, DELIVERY, contacts=contacts, mailer=mailer, settings=settings, now=moment,
                                 limit=batch, log=log_send, report=report)
                if taken < batch:
                    break
    finally:
        mailer.close()
    return report


def prune(*, settings: Settings | None = None, now: datetime | None = None, batch: int = PRUNE_BATCH,
          actor=DELIVERY) -> dict[str, int]:
    """Delete archived notifications older than the retention setting, and old outbox rows, in batches
    (one transaction each, so a long prune never holds locks for long); returns how many of each."""
    require_delivery(actor)
    settings = settings or get_settings()
    moment = zones.to_naive_utc(now or now_utc())
    cutoff = moment - timedelta(days=settings.notifications_retention_days)
    counts = {"notifications": 0, "deliveries": 0}
    for name, step, before in (("notifications", repository.prune_archived, cutoff),
                               ("deliveries", repository.prune_deliveries, moment - DELIVERY_HISTORY)):
        while True:
            with session_scope(Database.NOTIFICATIONS, actor=actor) as session:
                deleted = step(session, before=before, batch=batch)
            counts[name] += deleted
            if deleted < batch:
                break
    return counts


def notify_integration_failing(*, integration: str, error: str, key: str, now: datetime | None = None) -> int:
    """Tell every administrator of integrations (integrations.manage holders) that an integration is failing,
    through its template, preferences and e-mail; `key` names the failure (one per failure streak: a retry
    tells nobody twice). Returns how many were told now. The worker's failing-connector job calls this."""
    with session_scope(Database.AUTH) as auth:
        admins = users.list_permission_holders(auth, _DIRECTORY_READER, permission="integrations.manage")
    with session_scope(Database.NOTIFICATIONS, actor=DELIVERY) as notes:
        return notify_event(notes, None, type="integration_failing", recipients=admins,
                            data={"integration": {"name": integration, "error": error}},
                            key=f"integration:{key}"[:200], now=now)


def _contacts() -> dict[int, Recipient]:
    with session_scope(Database.AUTH) as auth:
        people = users.list_people(auth, _DIRECTORY_READER, active_only=True)
    return {person.id: Recipient(name=person.name, email=person.email) for person in people if person.email}
