"""Notification rules: every user reads and marks their own notifications; anyone may notify anyone.

Row-level security lets a session insert a notification for another user but not read it back, so
`notify` inserts without RETURNING (an ORM add would ask for the new id and be refused).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.common.errors import ValidationError
from nexus360.notifications import repository
from nexus360.notifications.schemas import NotificationRead

TITLE_MAX = 255
PAGE_SIZE = 50


def count_unread(session: Session, principal: Principal) -> int:
    """How many of the principal's own notifications are unread."""
    return repository.count_unread(session, principal.id)


def notify(session: Session, *, user_id: int, type: str, title: str, message: str) -> None:
    """Queue a notification for `user_id` (a service decides who may trigger it; this only writes it)."""
    title, message = (title or "").strip(), (message or "").strip()
    if not title or not message:
        raise ValidationError("A notification needs a title and a message.")
    repository.insert_for(session, user_id=user_id, type=type[:50], title=title[:TITLE_MAX], message=message)


def notify_many(session: Session, *, user_ids: Sequence[int], type: str, title: str, message: str) -> None:
    """The same notification for each of the users (once each)."""
    for user_id in dict.fromkeys(user_ids):
        notify(session, user_id=user_id, type=type, title=title, message=message)


def list_notifications(session: Session, principal: Principal, *, unread_only: bool = False,
                       before_id: int | None = None, limit: int = PAGE_SIZE) -> list[NotificationRead]:
    """The principal's own notifications, newest first, one page at a time (keyset on id)."""
    rows = repository.list_for(session, principal.id, unread_only=unread_only, before_id=before_id,
                               limit=max(1, min(limit, 200)))
    return [NotificationRead.model_validate(row, from_attributes=True) for row in rows]


def mark_read(session: Session, principal: Principal, *, notification_ids: Sequence[int] | None = None) -> int:
    """Mark the given notifications (None: all) of the principal as read; returns how many changed."""
    return repository.mark_read(session, principal.id, notification_ids=notification_ids)
