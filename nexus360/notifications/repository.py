"""Queries of the notifications database."""

from __future__ import annotations

from sqlalchemy import func, select, text
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
