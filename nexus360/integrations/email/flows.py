"""Notification e-mail as a scheduled job: the notifications sender, each send logged in integration_logs.

`send_due_notifications()` is what a scheduler runs every minute (`python -m nexus360 notifications send-due`,
or the worker): safe to run several times at once (the sender locks what it sends). It lives here because it
spans the notifications database (the outbox, the digests) and the integration database (the log), and the
notifications domain never reaches into the integration database itself.
"""

from __future__ import annotations

from datetime import datetime

from nexus360.config import Settings, get_settings
from nexus360.db import Database, session_scope
from nexus360.integrations.email import service
from nexus360.notifications import flows as notifications
from nexus360.notifications.delivery.schemas import DeliveryReport, SendRecord
from nexus360.notifications.schemas import DELIVERY


def send_due_notifications(*, settings: Settings | None = None, now: datetime | None = None,
                           batch: int | None = None, integration_id: int | None = None) -> DeliveryReport:
    """Send every due notification e-mail and digest, logging each send in the integration log (on the
    connector `integration_id` the settings came from, else on the environment's row)."""
    settings = settings or get_settings()

    def log_send(record: SendRecord) -> None:
        with session_scope(Database.INTEGRATION, actor=DELIVERY) as session:
            service.log_notification_email(session, DELIVERY, settings=settings, record=record,
                                           integration_id=integration_id)

    options = {"batch": batch} if batch else {}
    return notifications.send_due(log_send=log_send, settings=settings, now=now, **options)
