"""Queries of the audit log."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from nexus360.auth.models import AuditEvent


def add_event(session: Session, **values) -> None:
    session.add(AuditEvent(**values))
    session.flush()


def list_events(
    session: Session,
    *,
    user_id: int | None = None,
    action: str | None = None,
    result: str | None = None,
    since: datetime | None = None,
    limit: int = 200,
    action_prefixes: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Newest events first, filtered in SQL (`action_prefixes`: actions starting with any of them)."""
    statement = select(
        AuditEvent.created_at, AuditEvent.user_id, AuditEvent.action, AuditEvent.object_type,
        AuditEvent.object_id, AuditEvent.result, AuditEvent.details,
    ).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit)
    if user_id is not None:
        statement = statement.where(AuditEvent.user_id == user_id)
    if action:
        statement = statement.where(AuditEvent.action == action)
    if action_prefixes:
        statement = statement.where(or_(*(AuditEvent.action.startswith(prefix, autoescape=True)
                                          for prefix in action_prefixes)))
    if result:
        statement = statement.where(AuditEvent.result == result)
    if since is not None:
        statement = statement.where(AuditEvent.created_at >= since)
    rows = session.execute(statement).all()
    return pd.DataFrame(rows, columns=["time", "user_id", "action", "object_type", "object_id", "result", "details"])
