"""Notification rules: every user reads their own notifications."""

from __future__ import annotations

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.notifications import repository


def count_unread(session: Session, principal: Principal) -> int:
    """How many of the principal's own notifications are unread."""
    return repository.count_unread(session, principal.id)
