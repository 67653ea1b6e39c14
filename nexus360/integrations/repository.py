"""Queries of the integration database's connectors and their state (the run log's are in logs/repository.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from nexus360.integrations.models import IntegrationConfig, IntegrationLog, IntegrationState


def find_config(session: Session, *, type: str | None = None, name: str) -> IntegrationConfig | None:
    """The oldest config (of this type, if given) whose name matches (case-insensitive)."""
    statement = select(IntegrationConfig).where(func.lower(IntegrationConfig.name) == name.strip().lower())
    if type is not None:
        statement = statement.where(IntegrationConfig.type == type)
    return session.scalars(statement.order_by(IntegrationConfig.id)).first()


def get_config(session: Session, config_id: int, *, lock: bool = False) -> IntegrationConfig | None:
    statement = select(IntegrationConfig).where(IntegrationConfig.id == config_id)
    if lock:
        statement = statement.with_for_update()
    return session.scalars(statement).first()


def list_configs(session: Session, *, type: str | None = None, active_only: bool = False) -> list[IntegrationConfig]:
    statement = select(IntegrationConfig).order_by(func.lower(IntegrationConfig.name), IntegrationConfig.id)
    if type is not None:
        statement = statement.where(IntegrationConfig.type == type)
    if active_only:
        statement = statement.where(IntegrationConfig.is_active.is_not(False))
    return list(session.scalars(statement))


def first_active(session: Session, *, type: str, except_name: str | None = None) -> IntegrationConfig | None:
    """The oldest active config of `type` (leaving out the one named `except_name`, case-insensitive)."""
    statement = (select(IntegrationConfig).where(IntegrationConfig.type == type,
                                                 IntegrationConfig.is_active.is_not(False))
                 .order_by(IntegrationConfig.id))
    if except_name is not None:
        statement = statement.where(func.lower(IntegrationConfig.name) != except_name.strip().lower())
    return session.scalars(statement).first()


def add_config(session: Session, *, name: str, type: str, config: dict[str, Any],
               is_active: bool = True) -> IntegrationConfig:
    row = IntegrationConfig(name=name, type=type, config=config, is_active=is_active)
    session.add(row)
    session.flush()
    return row


def set_config(session: Session, row: IntegrationConfig, config: dict[str, Any]) -> None:
    row.config = config  # a new dict: JSONB changes in place are not tracked
    session.flush()


def set_active(session: Session, row: IntegrationConfig, active: bool) -> None:
    row.is_active = active
    session.flush()


def delete_config(session: Session, config_id: int) -> None:
    """The config, its state and its whole run log."""
    session.execute(delete(IntegrationLog).where(IntegrationLog.integration_id == config_id))
    session.execute(delete(IntegrationState).where(IntegrationState.integration_id == config_id))
    session.execute(delete(IntegrationConfig).where(IntegrationConfig.id == config_id))


def add_log(
    session: Session, *, integration_id: int, event_type: str, status: str, payload: dict[str, Any] | None,
    error_message: str | None, created_at: datetime | None = None, **measures: Any,
) -> None:
    session.add(IntegrationLog(integration_id=integration_id, event_type=event_type, status=status, payload=payload,
                               error_message=error_message, created_at=created_at, **measures))
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


# --- state ----------------------------------------------------------------------------------------


def lock_state(session: Session, integration_id: int) -> IntegrationState:
    """The connector's state row, created if missing, locked for this transaction (runs update it in turn)."""
    session.execute(pg_insert(IntegrationState).values(integration_id=integration_id)
                    .on_conflict_do_nothing(index_elements=["integration_id"]))
    statement = select(IntegrationState).where(IntegrationState.integration_id == integration_id).with_for_update()
    return session.scalars(statement).one()


def get_states(session: Session, ids: list[int]) -> dict[int, IntegrationState]:
    rows = session.scalars(select(IntegrationState).where(IntegrationState.integration_id.in_(ids)))
    return {row.integration_id: row for row in rows}


def set_cursor(session: Session, integration_id: int, *, cursor: str | None, at: datetime | None) -> None:
    """Save a sync's resume point; `at` None keeps the time saved before."""
    lock_state(session, integration_id)
    values: dict[str, Any] = {"cursor": cursor} if at is None else {"cursor": cursor, "cursor_at": at}
    session.execute(update(IntegrationState).where(IntegrationState.integration_id == integration_id).values(**values))
