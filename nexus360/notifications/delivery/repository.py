"""Queries of the e-mail outbox, the digests and retention. Claims lock their rows and skip rows another
sender holds (FOR UPDATE SKIP LOCKED), so two senders running at once never take the same row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, select, text, update
from sqlalchemy.orm import Session

from nexus360.notifications import repository as inbox
from nexus360.notifications.models import Notification, NotificationDelivery, NotificationSetting
from nexus360.notifications.schemas import ARCHIVED


def claim_due(session: Session, *, now: datetime, limit: int) -> list:
    """Pending immediate e-mails that are due, with their notification (None when it was pruned)."""
    due = (select(NotificationDelivery.id).where(NotificationDelivery.status == "pending",
                                                 NotificationDelivery.kind == "immediate",
                                                 NotificationDelivery.due_at <= now)
           .order_by(NotificationDelivery.due_at).limit(limit).with_for_update(skip_locked=True))
    ids = list(session.scalars(due))
    if not ids:
        return []
    statement = (select(NotificationDelivery.id, NotificationDelivery.user_id, NotificationDelivery.attempts,
                        Notification.type, Notification.title, Notification.message, Notification.link,
                        Notification.reason, Notification.data, Notification.status)
                 .outerjoin(Notification, and_(Notification.user_id == NotificationDelivery.user_id,
                                               Notification.event_key == NotificationDelivery.event_key))
                 .where(NotificationDelivery.id.in_(ids)).order_by(NotificationDelivery.due_at))
    return list(session.execute(statement))


def finish(session: Session, delivery_id: int, **values) -> None:
    session.execute(update(NotificationDelivery).where(NotificationDelivery.id == delivery_id).values(**values))


def forget(session: Session, delivery_ids: list[int]) -> None:
    """Outbox rows that will never be sent (not wanted by e-mail): removed, not kept as history."""
    if delivery_ids:
        session.execute(delete(NotificationDelivery).where(NotificationDelivery.id.in_(delivery_ids)))


def claim_due_digests(session: Session, *, now: datetime, limit: int) -> list[NotificationSetting]:
    statement = (select(NotificationSetting)
                 .where(NotificationSetting.digest_enabled, NotificationSetting.next_digest_at <= now)
                 .order_by(NotificationSetting.next_digest_at).limit(limit).with_for_update(skip_locked=True))
    return list(session.scalars(statement))


def digest_items(session: Session, user_id: int, *, start: datetime, end: datetime, now: datetime) -> list:
    """What the person has not read (awake, not muted) of what arrived in [start, end), newest first."""
    return inbox.list_page(session, user_id, "unread", since=start, until=end, before=None, limit=10_000, now=now)


RECORD_DIGEST = text(
    "INSERT INTO notification_deliveries (user_id, event_key, kind, status, due_at, items, window_start, "
    "window_end, attempts) VALUES (:user_id, :event_key, 'digest', 'sending', :due_at, :items, :window_start, "
    ":window_end, 1) ON CONFLICT (user_id, event_key) DO NOTHING")


def record_digest(session: Session, **values) -> bool:
    """The digest of one window, written before it is sent; False when that window already has one."""
    return (session.execute(RECORD_DIGEST, values).rowcount or 0) == 1


def set_digest_status(session: Session, *, user_id: int, event_key: str, **values) -> None:
    session.execute(update(NotificationDelivery).where(NotificationDelivery.user_id == user_id,
                                                       NotificationDelivery.event_key == event_key).values(**values))


def schedule_digest(session: Session, user_id: int, **values) -> None:
    session.execute(update(NotificationSetting).where(NotificationSetting.user_id == user_id).values(**values))


def prune_archived(session: Session, *, before: datetime, batch: int) -> int:
    """Delete one batch of notifications archived before `before`; returns how many."""
    chosen = (select(Notification.id).where(Notification.status == ARCHIVED, Notification.archived_at < before)
              .limit(batch).with_for_update(skip_locked=True))
    return session.execute(delete(Notification).where(Notification.id.in_(chosen.scalar_subquery()))
                           .execution_options(synchronize_session=False)).rowcount or 0


def prune_deliveries(session: Session, *, before: datetime, batch: int) -> int:
    chosen = (select(NotificationDelivery.id).where(NotificationDelivery.status != "pending",
                                                    NotificationDelivery.created_at < before)
              .limit(batch).with_for_update(skip_locked=True))
    return session.execute(delete(NotificationDelivery).where(NotificationDelivery.id.in_(chosen.scalar_subquery()))
                           .execution_options(synchronize_session=False)).rowcount or 0
