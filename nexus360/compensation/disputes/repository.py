"""Queries of disputes on statement lines."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nexus360.compensation.models import CommissionDispute, CommissionLine, SalesPerformance
from nexus360.compensation.schemas import OPEN


def list_disputes(
    session: Session, *, user_id: int | None = None, performance_id: int | None = None, open_only: bool = False
) -> list[tuple[CommissionDispute, date, date, str | None, int | None]]:
    """(dispute, its statement's period start and end, the disputed line's explanation and deal), newest first."""
    statement = (
        select(CommissionDispute, SalesPerformance.period_start, SalesPerformance.period_end,
               CommissionLine.explanation, CommissionLine.deal_id)
        .join(SalesPerformance, SalesPerformance.id == CommissionDispute.performance_id)
        .outerjoin(CommissionLine, CommissionLine.id == CommissionDispute.line_id)
        .order_by(CommissionDispute.created_at.desc(), CommissionDispute.id.desc())
    )
    if user_id is not None:
        statement = statement.where(CommissionDispute.user_id == user_id)
    if performance_id is not None:
        statement = statement.where(CommissionDispute.performance_id == performance_id)
    if open_only:
        statement = statement.where(CommissionDispute.status == OPEN)
    return [tuple(row) for row in session.execute(statement)]


def list_disputes_of_statement(session: Session, performance_id: int) -> list[CommissionDispute]:
    return list(session.scalars(select(CommissionDispute).where(CommissionDispute.performance_id == performance_id)))


def get_dispute(session: Session, dispute_id: int) -> CommissionDispute | None:
    return session.get(CommissionDispute, dispute_id)


def find_open_dispute_on_line(session: Session, line_id: int) -> int | None:
    return session.scalar(select(CommissionDispute.id).where(
        CommissionDispute.line_id == line_id, CommissionDispute.status == OPEN))


def add_dispute(session: Session, **values) -> CommissionDispute:
    dispute = CommissionDispute(**values)
    session.add(dispute)
    session.flush()
    session.refresh(dispute)
    return dispute


def resolve_dispute(session: Session, dispute: CommissionDispute, *, status: str, resolution: str,
                    resolved_by: int) -> CommissionDispute:
    dispute.status, dispute.resolution, dispute.resolved_by = status, resolution, resolved_by
    dispute.resolved_at = func.timezone("utc", func.now())  # the database clock, like created_at
    session.flush()
    session.refresh(dispute)
    return dispute
