"""Queries of message templates (one per event type; the newest row of a type is the one in use)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from nexus360.notifications.models import NotificationTemplate


def get_current(session: Session, type: str) -> NotificationTemplate | None:
    statement = (select(NotificationTemplate).where(NotificationTemplate.type == type)
                 .order_by(NotificationTemplate.updated_at.desc().nulls_last(), NotificationTemplate.id.desc()))
    return session.scalars(statement.limit(1)).first()


def list_current(session: Session) -> dict[str, NotificationTemplate]:
    """The template in use of every type that has one."""
    rows = session.scalars(select(NotificationTemplate).order_by(
        NotificationTemplate.type, NotificationTemplate.updated_at.desc().nulls_last(), NotificationTemplate.id.desc()))
    current: dict[str, NotificationTemplate] = {}
    for row in rows:
        current.setdefault(row.type, row)
    return current


def save(session: Session, *, type: str, name: str, subject: str, content: str, user_id: int) -> None:
    """Change the type's template in use, or add one."""
    template = get_current(session, type)
    if template is None:
        template = NotificationTemplate(type=type, name=name)
        session.add(template)
    template.subject, template.content, template.updated_by = subject, content, user_id
    session.flush()


def delete_type(session: Session, type: str) -> None:
    session.execute(delete(NotificationTemplate).where(NotificationTemplate.type == type))
