"""Statement summaries for the rep and manager views: history, year to date, team tables (aggregated in SQL).

Each row is one rep's statement for one period with its open-dispute count; names are resolved by the UI
through `nexus360.auth.users.service.get_user_names`, since users live in another database.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import Row
from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require, require_any
from nexus360.common.periods import Period
from nexus360.compensation.schemas import EarningsOverview, PeriodChoice, PeriodSummary
from nexus360.compensation.statements.service import require_reader
from nexus360.compensation.summaries import repository


def my_history(session: Session, principal: Principal, *, limit: int = 12) -> list[PeriodSummary]:
    """The principal's own statements, newest period first."""
    require_any(principal, "commissions.read_own", "commissions.read_all")
    return _summaries(repository.list_summaries_of(session, user_id=principal.id, limit=max(1, limit)))


def earnings_overview(session: Session, principal: Principal, *, user_id: int, today: date) -> EarningsOverview:
    """The rep's latest statement and their commission and revenue so far this calendar year."""
    require_reader(principal, user_id)
    latest = _summaries(repository.list_summaries_of(session, user_id=user_id, limit=1, started_by=today))
    commission, revenue = repository.sum_year_to_date(session, user_id=user_id, today=today)
    return EarningsOverview(current=latest[0] if latest else None, ytd_commission=commission, ytd_revenue=revenue)


def team_period(session: Session, principal: Principal, *, period_start: date, period_end: date) -> list[PeriodSummary]:
    """Every rep's statement for one period, by rep id."""
    require(principal, "commissions.read_all")
    return _summaries(repository.list_summaries_of_period(session, period_start=period_start, period_end=period_end))


def team_history(session: Session, principal: Principal, *, periods: int = 8) -> list[PeriodSummary]:
    """Every rep's statements over the latest `periods` periods that were run, oldest period first."""
    require(principal, "commissions.read_all")
    return _summaries(repository.list_summaries_of_latest_periods(session, periods=max(1, periods)))


def list_periods(session: Session, principal: Principal) -> list[PeriodChoice]:
    """(start, end, 'LABEL (3 approved, 2 pending approval)') of periods with statements the principal sees."""
    require_any(principal, "commissions.read_own", "commissions.read_all")
    own = None if principal.has("commissions.read_all") else principal.id
    counts: dict[tuple[date, date], Counter] = {}
    for start, end, status, count in repository.count_by_period_and_status(session, user_id=own):
        counts.setdefault((start, end), Counter())[status] = count
    periods = []
    for (start, end), statuses in sorted(counts.items(), key=lambda item: (item[0][0], item[0][1]), reverse=True):
        summary = ", ".join(f"{count} {status.replace('_', ' ')}" for status, count in sorted(statuses.items()))
        periods.append(PeriodChoice(start, end, f"{Period(start, end).code} ({summary})"))
    return periods


def _summaries(rows: list[Row]) -> list[PeriodSummary]:
    return [
        PeriodSummary(
            user_id=row.user_id, period_start=row.period_start, period_end=row.period_end,
            label=Period(row.period_start, row.period_end).code, revenue=row.revenue, commission=row.commission,
            quota=row.quota, attainment=float(row.revenue / row.quota) if row.quota else None, status=row.status,
            open_disputes=row.open_disputes,
        )
        for row in rows
    ]
