"""Queries of the integration database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nexus360.integrations.models import IntegrationConfig, IntegrationLog


def find_config(session: Session, *, type: str, name: str) -> IntegrationConfig | None:
    """The oldest config of this type whose name matches (case-insensitive)."""
    statement = (
        select(IntegrationConfig)
        .where(IntegrationConfig.type == type, func.lower(IntegrationConfig.name) == name.lower())
        .order_by(IntegrationConfig.id)
    )
    return session.scalars(statement).first()


def add_config(session: Session, *, name: str, type: str, config: dict[str, Any]) -> IntegrationConfig:
    row = IntegrationConfig(name=name, type=type, config=config)
    session.add(row)
    session.flush()
    return row


def set_config(session: Session, row: IntegrationConfig, config: dict[str, Any]) -> None:
    row.config = config  # a new dict: JSONB changes in place are not tracked
    session.flush()


def add_log(
    session: Session, *, integration_id: int, event_type: str, status: str, payload: dict[str, Any] | None,
    error_message: str | None,
) -> None:
    session.add(IntegrationLog(integration_id=integration_id, event_type=event_type, status=status, payload=payload,
                               error_message=error_message))
    session.flush()


def get_latest_log(session: Session, *, integration_type: str, event_type: str) -> IntegrationLog | None:
    """The newest log row of this event for integrations of this type."""
    statement = (
        select(IntegrationLog)
        .join(IntegrationConfig, IntegrationConfig.id == IntegrationLog.integration_id)
        .where(IntegrationConfig.type == integration_type, IntegrationLog.event_type == event_type)
        .order_by(IntegrationLog.created_at.desc(), IntegrationLog.id.desc())
        .limit(1)
    )
    return session.scalars(statement).first()
