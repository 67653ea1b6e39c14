"""Statement summaries for the rep and manager views: history, year to date, team tables (aggregated in SQL).

Each row is one rep's statement for one period with its open-dispute count; names are resolved by the UI
through `nexus360.auth.people.get_user_names`, since users live in another database.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require, require_any
from nexus360.compensation.history import CommissionDispute
from nexus360.compensation.models import SalesPerformance
from nexus360.compensation.service import period_label, require_reader

ZERO = Decimal("0.00")


class PeriodSummary(BaseModel):
    user_id: int
    period_start: date
    period_end: date
    label: str
    revenue: Decimal
    commission: Decimal
    quota: Decimal | None
    attainment: float | None
    status: str
    open_disputes: int


def my_history(session: Session, principal: Principal, *, limit: int = 12) -> list[PeriodSummary]:
    """The principal's own statements, newest period first."""
    require_any(principal, "commissions.read_own", "commissions.read_all")
    statement = _summaries().where(SalesPerformance.user_id == principal.id)
    return _rows(session, statement.order_by(SalesPerformance.period_start.desc()).limit(max(1, limit)))


def earnings_overview(session: Session, principal: Principal, *, user_id: int, today: date) -> dict:
    """The rep's latest statement and their commission and revenue so far this calendar year."""
    require_reader(principal, user_id)
    latest = _rows(session, _summaries().where(SalesPerformance.user_id == user_id, SalesPerformance.period_start
                                               <= today).order_by(SalesPerformance.period_start.desc()).limit(1))
    year_start, year_end = date(today.year, 1, 1), date(today.year, 12, 31)
    commission, revenue = session.execute(
        select(func.coalesce(func.sum(SalesPerformance.commission), ZERO),
               func.coalesce(func.sum(SalesPerformance.revenue), ZERO))
        .where(SalesPerformance.user_id == user_id, SalesPerformance.period_start >= year_start,
               SalesPerformance.period_end <= year_end, SalesPerformance.period_start <= today)
    ).one()
    return {"current": latest[0] if latest else None, "ytd_commission": Decimal(commission),
            "ytd_revenue": Decimal(revenue)}


def team_period(session: Session, principal: Principal, *, period_start: date, period_end: date) -> list[PeriodSummary]:
    """Every rep's statement for one period, by rep id."""
    require(principal, "commissions.read_all")
    statement = _summaries().where(SalesPerformance.period_start == period_start,
                                   SalesPerformance.period_end == period_end)
    return _rows(session, statement.order_by(SalesPerformance.user_id))


def team_history(session: Session, principal: Principal, *, periods: int = 8) -> list[PeriodSummary]:
    """Every rep's statements over the latest `periods` periods that were run, oldest period first."""
    require(principal, "commissions.read_all")
    latest = (
        select(SalesPerformance.period_start, SalesPerformance.period_end)
        .group_by(SalesPerformance.period_start, SalesPerformance.period_end)
        .order_by(SalesPerformance.period_start.desc(), SalesPerformance.period_end.desc())
        .limit(max(1, periods))
        .subquery()
    )
    statement = _summaries().join(latest, (latest.c.period_start == SalesPerformance.period_start)
                                  & (latest.c.period_end == SalesPerformance.period_end))
    return _rows(session, statement.order_by(SalesPerformance.period_start, SalesPerformance.user_id))


def list_periods(session: Session, principal: Principal) -> list[tuple[date, date, str]]:
    """(start, end, 'LABEL (3 approved, 2 pending approval)') of periods with statements the principal sees."""
    require_any(principal, "commissions.read_own", "commissions.read_all")
    statement = select(SalesPerformance.period_start, SalesPerformance.period_end, SalesPerformance.status,
                       func.count()).group_by(SalesPerformance.period_start, SalesPerformance.period_end,
                                              SalesPerformance.status)
    if not principal.has("commissions.read_all"):
        statement = statement.where(SalesPerformance.user_id == principal.id)
    counts: dict[tuple[date, date], Counter] = {}
    for start, end, status, count in session.execute(statement):
        counts.setdefault((start, end), Counter())[status] = count
    periods = []
    for (start, end), statuses in sorted(counts.items(), key=lambda item: (item[0][0], item[0][1]), reverse=True):
        summary = ", ".join(f"{count} {status.replace('_', ' ')}" for status, count in sorted(statuses.items()))
        periods.append((start, end, f"{period_label(start, end)} ({summary})"))
    return periods


def _summaries() -> Select:
    open_disputes = (
        select(func.count()).where(CommissionDispute.performance_id == SalesPerformance.id,
                                   CommissionDispute.status == "open")
        .correlate(SalesPerformance).scalar_subquery()
    )
    return select(SalesPerformance.user_id, SalesPerformance.period_start, SalesPerformance.period_end,
                  SalesPerformance.revenue, SalesPerformance.commission, SalesPerformance.quota,
                  SalesPerformance.status, open_disputes.label("open_disputes"))


def _rows(session: Session, statement: Select) -> list[PeriodSummary]:
    return [
        PeriodSummary(
            user_id=row.user_id, period_start=row.period_start, period_end=row.period_end,
            label=period_label(row.period_start, row.period_end), revenue=row.revenue, commission=row.commission,
            quota=row.quota, attainment=float(row.revenue / row.quota) if row.quota else None, status=row.status,
            open_disputes=row.open_disputes,
        )
        for row in session.execute(statement)
    ]


