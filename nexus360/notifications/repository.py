"""Queries of the notifications database."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nexus360.notifications.models import Notification


def count_unread(session: Session, user_id: int) -> int:
    statement = select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.status == "unread"
    )
    return int(session.execute(statement).scalar_one())
