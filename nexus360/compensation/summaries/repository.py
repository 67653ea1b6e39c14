"""Statement summaries aggregated in SQL: one row per rep and period (no lines) with its open disputes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from nexus360.compensation.models import CommissionDispute, SalesPerformance

ZERO = Decimal("0.00")



def _summaries() -> Select:
    """One row per statement (no lines) with its open-dispute count."""
    open_disputes = (
        select(func.count()).where(CommissionDispute.performance_id == SalesPerformance.id,
                                   CommissionDispute.status == "open")
        .correlate(SalesPerformance).scalar_subquery()
    )
    return select(SalesPerformance.user_id, SalesPerformance.period_start, SalesPerformance.period_end,
                  SalesPerformance.revenue, SalesPerformance.commission, SalesPerformance.quota,
                  SalesPerformance.status, open_disputes.label("open_disputes"))


def list_summaries_of(session: Session, *, user_id: int, limit: int, started_by: date | None = None) -> list[Row]:
    """The rep's statements, newest period first (only those started by `started_by`, if given)."""
    statement = _summaries().where(SalesPerformance.user_id == user_id)
    if started_by is not None:
        statement = statement.where(SalesPerformance.period_start <= started_by)
    return list(session.execute(statement.order_by(SalesPerformance.period_start.desc()).limit(limit)))


def sum_year_to_date(session: Session, *, user_id: int, today: date) -> tuple[Decimal, Decimal]:
    """(commission, revenue) of the rep's statements of this calendar year that have started."""
    commission, revenue = session.execute(
        select(func.coalesce(func.sum(SalesPerformance.commission), ZERO),
               func.coalesce(func.sum(SalesPerformance.revenue), ZERO))
        .where(SalesPerformance.user_id == user_id, SalesPerformance.period_start >= date(today.year, 1, 1),
               SalesPerformance.period_end <= date(today.year, 12, 31), SalesPerformance.period_start <= today)
    ).one()
    return Decimal(commission), Decimal(revenue)


def list_summaries_of_period(session: Session, *, period_start: date, period_end: date) -> list[Row]:
    """Every rep's statement for one period, by rep id."""
    statement = _summaries().where(SalesPerformance.period_start == period_start,
                                   SalesPerformance.period_end == period_end)
    return list(session.execute(statement.order_by(SalesPerformance.user_id)))


def list_summaries_of_latest_periods(session: Session, *, periods: int) -> list[Row]:
    """Every rep's statements over the latest `periods` periods that were run, oldest period first."""
    latest = (
        select(SalesPerformance.period_start, SalesPerformance.period_end)
        .group_by(SalesPerformance.period_start, SalesPerformance.period_end)
        .order_by(SalesPerformance.period_start.desc(), SalesPerformance.period_end.desc())
        .limit(periods)
        .subquery()
    )
    statement = _summaries().join(latest, (latest.c.period_start == SalesPerformance.period_start)
                                  & (latest.c.period_end == SalesPerformance.period_end))
    return list(session.execute(statement.order_by(SalesPerformance.period_start, SalesPerformance.user_id)))


def count_by_period_and_status(session: Session, *, user_id: int | None = None) -> list[tuple[date, date, str, int]]:
    """(start, end, status, how many) of the periods' statements (of one rep, if given)."""
    statement = select(SalesPerformance.period_start, SalesPerformance.period_end, SalesPerformance.status,
                       func.count()).group_by(SalesPerformance.period_start, SalesPerformance.period_end,
                                              SalesPerformance.status)
    if user_id is not None:
        statement = statement.where(SalesPerformance.user_id == user_id)
    return [tuple(row) for row in session.execute(statement)]
