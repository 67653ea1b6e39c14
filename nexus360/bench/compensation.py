"""`bench commissions`: every query the Commissions page runs, and the run's read of a quarter's won deals.

The period and the rep are taken from the data itself (the latest statement), so the same query set runs
on the small demo data (tests) and on `demo seed --scale large`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from nexus360.auth.schemas import SALES_MANAGER, SALES_REP
from nexus360.bench.common import Query, Timed, acting, count_rows, run_queries, user_ids
from nexus360.common.periods import previous_quarter, quarter_of, today_utc
from nexus360.compensation.statements import service as compensation_service
from nexus360.compensation.summaries import service as summaries
from nexus360.crm.deals import service as crm_deals
from nexus360.db import Database, session_scope


def commissions_queries(sample: dict[str, Any], rep: int) -> dict[str, Query | Timed]:
    """Every query the Commissions page runs, and the run's read of a quarter's won deals (CRM)."""
    period = {"period_start": sample["period_start"], "period_end": sample["period_end"]}
    rep_principal = acting(rep, SALES_REP)
    quarter = previous_quarter(quarter_of(today_utc()))
    return {
        "team_period": lambda s, p: summaries.team_period(s, p, **period),
        "team_history": lambda s, p: summaries.team_history(s, p, periods=8),
        "list_periods": lambda s, p: summaries.list_periods(s, p),
        "get_statement": lambda s, p: compensation_service.get_statement(s, p, user_id=rep, **period),
        "my_history": Timed((Database.COMPENSATION,), lambda s, p: summaries.my_history(s, p, limit=12),
                            principal=rep_principal),
        "earnings_overview": Timed(
            (Database.COMPENSATION,),
            lambda s, p: summaries.earnings_overview(s, p, user_id=rep, today=today_utc()), principal=rep_principal,
        ),
        "run_period.list_won_deals.quarter": Timed(
            (Database.CRM,),
            lambda crm, p: crm_deals.list_won_deals(crm, p, start=quarter.start, end=quarter.end),
        ),
    }


def bench_commissions(*, runs: int = 15, only: str | None = None) -> dict[str, Any]:
    """Median and p95 (ms) of every Commissions query, through the services and as the same raw SQL."""
    manager = acting(user_ids(SALES_MANAGER)[0], SALES_MANAGER)
    with session_scope(Database.COMPENSATION, admin=True) as session:
        latest = session.execute(text(
            "SELECT user_id, period_start, period_end FROM sales_performance "
            "ORDER BY period_start DESC, period_end DESC, user_id LIMIT 1"
        )).one()
    sample = {"rep": latest.user_id, "period_start": latest.period_start, "period_end": latest.period_end}
    figures = run_queries(
        commissions_queries(sample, latest.user_id), database=Database.COMPENSATION, principal=manager, runs=runs,
        only=only,
    )
    sizes = {"statements": count_rows(Database.COMPENSATION, "sales_performance"),
             "deals": count_rows(Database.CRM, "deals")}
    return {**sizes, "sample": {key: str(value) for key, value in sample.items()}, **figures}
