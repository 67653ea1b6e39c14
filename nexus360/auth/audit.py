"""The audit log: refusals and admin actions, with who, what, on which object, result and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from nexus360.auth.models import AuditEvent

ALLOWED = "allowed"
REFUSED = "refused"
FAILED = "failed"


def record(
    session: Session,
    *,
    user_id: int | None,
    action: str,
    result: str,
    object_type: str | None = None,
    object_id: object | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add one audit event to the session's transaction."""
    session.add(
        AuditEvent(
            user_id=user_id,
            action=action,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            result=result,
            details=details,
        )
    )
    session.flush()


def list_events(
    session: Session,
    *,
    user_id: int | None = None,
    action: str | None = None,
    result: str | None = None,
    since: datetime | None = None,
    limit: int = 200,
) -> pd.DataFrame:
    """Newest events first, filtered in SQL."""
    statement = select(
        AuditEvent.created_at, AuditEvent.user_id, AuditEvent.action, AuditEvent.object_type,
        AuditEvent.object_id, AuditEvent.result, AuditEvent.details,
    ).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit)
    if user_id is not None:
        statement = statement.where(AuditEvent.user_id == user_id)
    if action:
        statement = statement.where(AuditEvent.action == action)
    if result:
        statement = statement.where(AuditEvent.result == result)
    if since is not None:
        statement = statement.where(AuditEvent.created_at >= since)
    rows = session.execute(statement).all()
    return pd.DataFrame(rows, columns=["time", "user_id", "action", "object_type", "object_id", "result", "details"])
