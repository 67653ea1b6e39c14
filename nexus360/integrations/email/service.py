"""The integration log's side of notification e-mail: every e-mail and digest the notifications sender hands
to the mail server is logged on the SMTP connector it went through or, sent with NEXUS360_SMTP_* (no
connector), on the "Notification e-mail" config row (server, port, security and sender; the password as a
reference only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from nexus360.common.errors import AuthorizationError
from nexus360.config import Settings
from nexus360.integrations import repository
from nexus360.integrations.connectors import service as connectors
from nexus360.integrations.connectors.schemas import ENVIRONMENT_SMTP_NAME, SMTP
from nexus360.notifications.delivery.schemas import SendRecord

NOTIFICATION_EMAIL_EVENTS = {"immediate": "notification_email", "digest": "notification_digest"}


def mail_route(session: Session, actor: Any, *, settings: Settings) -> tuple[Settings, int | None]:
    """What to send with and where to log it: the active SMTP connector's settings and its id, else
    `settings` as they are and None (logged on the environment's row)."""
    connector = connectors.sending_smtp(session)
    if connector is None:
        return settings, None
    return connectors.mail_settings(session, actor, settings=settings), connector.id


def log_notification_email(session: Session, actor: Any, *, settings: Settings, record: SendRecord,
                           integration_id: int | None = None) -> None:
    """One log row per e-mail: who (by id), which event type, sent or failed and why, how long it took; on the
    connector it went through (`integration_id`), else on the environment's row."""
    if "notifications.deliver" not in getattr(actor, "permissions", frozenset()):
        raise AuthorizationError("notifications.deliver")
    repository.add_log(
        session, integration_id=integration_id or _notification_email_config(session, settings),
        event_type=NOTIFICATION_EMAIL_EVENTS.get(record.kind, "notification_email"),
        status="success" if record.status == "sent" else "error",
        payload={"user_id": record.user_id, "type": record.type, "items": record.items,
                 "duration_ms": record.elapsed_ms},
        error_message=record.error,
    )


def _notification_email_config(session: Session, settings: Settings) -> int:
    wanted = {"host": settings.smtp_host, "port": settings.smtp_port, "security": settings.smtp_security,
              "from_address": settings.smtp_from, "username": settings.smtp_user,
              "password": "env:NEXUS360_SMTP_PASSWORD" if settings.smtp_password else None}
    config = repository.find_config(session, type=SMTP, name=ENVIRONMENT_SMTP_NAME)
    if config is None:
        config = repository.add_config(session, name=ENVIRONMENT_SMTP_NAME, type=SMTP,
                                       config=wanted)
    elif any(config.config.get(key) != value for key, value in wanted.items()):
        repository.set_config(session, config, {**config.config, **wanted})
    return config.id
