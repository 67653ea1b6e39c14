"""CRM rules and permission checks. Services take the session and the acting user."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.crm import repository
from nexus360.crm.schemas import PipelineSummary
from nexus360.periods import month_of, previous_quarter, quarter_of


def get_pipeline_summary(session: Session, principal: Principal, *, today: date) -> PipelineSummary:
    """Open pipeline, won this quarter against last, and the twelve-month win rate."""
    require(principal, "crm.read")
    quarter = quarter_of(today)
    last = previous_quarter(quarter)
    open_amount, open_count = repository.open_pipeline(session)
    won, lost = repository.closed_counts_between(session, today - timedelta(days=365), today)
    return PipelineSummary(
        open_pipeline=open_amount,
        open_deals=open_count,
        won_this_quarter=repository.won_amount_between(session, quarter.start, quarter.end),
        won_last_quarter=repository.won_amount_between(session, last.start, last.end),
        win_rate=(won / (won + lost)) if won + lost else None,
        quarter_label=quarter.label,
    )


def get_won_revenue_by_month(session: Session, principal: Principal, *, today: date, months: int = 24) -> pd.DataFrame:
    """Won revenue per calendar month over the last `months` months (months without wins are 0)."""
    require(principal, "crm.read")
    end = month_of(today)
    start = end.start
    for _ in range(months - 1):
        start = month_of(start - timedelta(days=1)).start
    rows = {month: (amount, count) for month, amount, count in repository.won_revenue_by_month(session, start, end.end)}
    frame = pd.DataFrame({"month": pd.date_range(start, end.start, freq="MS").date})
    frame["revenue"] = [float(rows.get(month, (0, 0))[0]) for month in frame["month"]]
    frame["deals"] = [int(rows.get(month, (0, 0))[1]) for month in frame["month"]]
    return frame


def get_pipeline_by_stage(session: Session, principal: Principal) -> pd.DataFrame:
    """Open deals per stage in pipeline order: stage, amount, deals."""
    require(principal, "crm.read")
    rows = repository.pipeline_by_stage(session)
    return pd.DataFrame(
        [(stage, float(amount), count) for stage, _position, amount, count in rows],
        columns=["stage", "amount", "deals"],
    )
