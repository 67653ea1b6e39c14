"""Queries of statements (sales_performance), their lines and their history events."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from nexus360.compensation.models import CommissionEvent, CommissionLine, SalesPerformance

# --- statements and lines -----------------------------------------------------------------------------


def find_statement(session: Session, *, user_id: int, period_start: date, period_end: date) -> SalesPerformance | None:
    return session.scalars(select(SalesPerformance).where(
        SalesPerformance.user_id == user_id, SalesPerformance.period_start == period_start,
        SalesPerformance.period_end == period_end,
    )).one_or_none()


def get_statement(session: Session, performance_id: int, *, fresh: bool = False) -> SalesPerformance | None:
    """The statement row; `fresh` reloads it from the database (after bulk changes in this session)."""
    return session.get(SalesPerformance, performance_id, populate_existing=fresh)


def list_statuses(session: Session, *, period_start: date, period_end: date) -> set[str]:
    """The statuses the period's statements are in."""
    return set(session.scalars(select(SalesPerformance.status).distinct().where(
        SalesPerformance.period_start == period_start, SalesPerformance.period_end == period_end)))


def list_statements_in_status(session: Session, *, period_start: date, period_end: date,
                              status: str) -> list[SalesPerformance]:
    """The period's statements in `status`, by rep id."""
    return list(session.scalars(select(SalesPerformance).where(
        SalesPerformance.period_start == period_start, SalesPerformance.period_end == period_end,
        SalesPerformance.status == status).order_by(SalesPerformance.user_id)))


def add_statement(session: Session, **values) -> SalesPerformance:
    performance = SalesPerformance(**values)
    session.add(performance)
    session.flush()
    return performance


def delete_statement(session: Session, performance: SalesPerformance) -> None:
    session.delete(performance)


def list_lines(session: Session, performance_id: int) -> list[CommissionLine]:
    return list(session.scalars(
        select(CommissionLine).where(CommissionLine.performance_id == performance_id).order_by(CommissionLine.id)))


def delete_lines(session: Session, performance_id: int) -> None:
    session.execute(delete(CommissionLine).where(CommissionLine.performance_id == performance_id))


def add_lines(session: Session, performance_id: int, lines: Iterable[dict]) -> None:
    session.add_all(CommissionLine(performance_id=performance_id, **line) for line in lines)
    session.flush()


def get_line(session: Session, line_id: int) -> CommissionLine | None:
    return session.get(CommissionLine, line_id)


# --- history events -----------------------------------------------------------------------------------


def add_event(session: Session, **values) -> None:
    session.add(CommissionEvent(**values))
    session.flush()


def list_events(session: Session, performance_id: int) -> list[CommissionEvent]:
    return list(session.scalars(select(CommissionEvent).where(CommissionEvent.performance_id == performance_id)))
