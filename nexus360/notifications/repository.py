"""Queries of the notifications database."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from nexus360.notifications.models import Notification


def count_unread(session: Session, user_id: int) -> int:
    statement = select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.status == "unread"
    )
    return int(session.execute(statement).scalar_one())


# Plain SQL on purpose: SQLAlchemy adds RETURNING id to every single-row insert (Core and ORM), and
# row-level security refuses to return a row the session may not read (another user's notification).
INSERT = text("INSERT INTO notifications (user_id, type, title, message, status) "
              "VALUES (:user_id, :type, :title, :message, 'unread')")


def insert_for(session: Session, *, user_id: int, type: str, title: str, message: str) -> None:
    session.execute(INSERT, {"user_id": user_id, "type": type, "title": title, "message": message})


def list_for(session: Session, user_id: int, *, unread_only: bool, before_id: int | None,
             limit: int) -> list[Notification]:
    """The user's notifications, newest first, older than `before_id` if given."""
    statement = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        statement = statement.where(Notification.status == "unread")
    if before_id is not None:
        statement = statement.where(Notification.id < before_id)
    return list(session.scalars(statement.order_by(Notification.id.desc()).limit(limit)))


def mark_read(session: Session, user_id: int, *, notification_ids: Sequence[int] | None) -> int:
    """Mark the user's unread notifications (those of `notification_ids`, or all) read; returns how many."""
    statement = (update(Notification)
                 .where(Notification.user_id == user_id, Notification.status == "unread")
                 .values(status="read", read_at=func.timezone("utc", func.now())))
    if notification_ids is not None:
        statement = statement.where(Notification.id.in_(list(notification_ids)))
    return session.execute(statement).rowcount or 0
