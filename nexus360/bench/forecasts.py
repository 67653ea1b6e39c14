"""`bench forecasts`: every query the Forecasts page runs (timed by `nexus360.bench`'s harness: median and p95
through the services and as raw SQL), the page's flows end to end, and generating a company quarter.

Periods, teams and reps come from the data, so the same set runs on the demo data (tests) and on
`demo seed --scale large` (a million deals). Generating writes snapshots; the bench deletes its own afterwards.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from sqlalchemy import text

from nexus360.auth.schemas import SALES_MANAGER, SALES_REP
from nexus360.bench.common import Query, Timed, acting, count_rows, run_queries, second_page, user_ids
from nexus360.common.periods import month_of, now_utc, quarter_of, today_utc
from nexus360.compensation.quotas import service as quotas
from nexus360.crm.forecast import service as crm_forecast
from nexus360.db import Database, session_scope
from nexus360.forecasting import flows, service
from nexus360.forecasting.accuracy import flows as accuracy_flows
from nexus360.forecasting.accuracy import service as accuracy_service
from nexus360.forecasting.figures.service import history_window
from nexus360.forecasting.movement import flows as movement_flows
from nexus360.forecasting.movement import service as movement_service
from nexus360.forecasting.schemas import Scope


def forecast_queries(sample: dict[str, Any]) -> dict[str, Query | Timed]:
    """The page's reads, one service call each, for the company, a team and a rep."""
    quarter, month, rep, team = sample["quarter"], sample["month"], sample["rep"], sample["team"]
    since, until, _skip = history_window(quarter, today_utc())
    rep_principal = acting(rep, SALES_REP)
    crm = Database.CRM
    queries: dict[str, Query | Timed] = {
        "crm.stage_categories": Timed((crm,), lambda s, p: crm_forecast.list_stage_categories(s, p)),
        "crm.period_totals.company.quarter": Timed((crm,), lambda s, p: crm_forecast.get_period_totals(
            s, p, start=quarter.start, end=quarter.end, owner_ids=None)),
        "crm.period_totals.company.month": Timed((crm,), lambda s, p: crm_forecast.get_period_totals(
            s, p, start=month.start, end=month.end, owner_ids=None)),
        "crm.period_totals.team.quarter": Timed((crm,), lambda s, p: crm_forecast.get_period_totals(
            s, p, start=quarter.start, end=quarter.end, owner_ids=team)),
        "crm.undated_totals.company": Timed((crm,), lambda s, p: crm_forecast.get_undated_totals(s, p, owner_ids=None)),
        "crm.monthly_won.company.36_months": Timed((crm,), lambda s, p: crm_forecast.list_monthly_won(
            s, p, since=since, until=until, owner_ids=None)),
        "crm.monthly_won.team_by_rep.36_months": Timed((crm,), lambda s, p: crm_forecast.list_monthly_won(
            s, p, since=since, until=until, owner_ids=team, by_owner=True)),
        "crm.category_deals.rep.page_1": Timed((crm,), lambda s, p: crm_forecast.list_category_deals(
            s, p, start=quarter.start, end=quarter.end, owner_ids=(rep,)), principal=rep_principal),
        "crm.category_deals.company.page_2": Timed((crm,), second_page(
            lambda s, p, after: crm_forecast.list_category_deals(s, p, start=quarter.start, end=quarter.end,
                                                                 owner_ids=None, after=after))),
        "crm.category_deals.company.commit": Timed((crm,), lambda s, p: crm_forecast.list_category_deals(
            s, p, start=quarter.start, end=quarter.end, owner_ids=None, category="commit")),
        "auth.scopes": Timed((Database.AUTH,), lambda s, p: service.list_scopes(s, p)),
        "compensation.quotas.team": Timed((Database.COMPENSATION,), lambda s, p: quotas.get_quotas(
            s, p, user_ids=team, period_start=quarter.start, period_end=quarter.end)),
        "forecasting.latest_calls.team": Timed((Database.FORECASTING,), lambda s, p: service.latest_calls(
            s, p, period=quarter, scope="rep", owner_ids=team)),
        "forecasting.history_at_midpoints.company": Timed((Database.FORECASTING,),
                                                          lambda s, p: accuracy_service.as_of_midpoints(
            s, p, periods=accuracy_service.closed_periods("quarter", today=today_utc(), count=8), scope="company",
            owner_ids=None)),
    }
    if sample.get("snapshot"):
        # Between two snapshots (replayable SQL); to now, the live deals are copied in: see flow.movement.*.
        queries["movement.diff.company.two_snapshots"] = Timed(
            (Database.FORECASTING,), lambda fc, p: movement_service.diff(
                fc, p, before_id=sample["previous_snapshot"], after_id=sample["snapshot"], live=None,
                owner_ids=None))
    return queries


def _sample() -> dict[str, Any]:
    manager = user_ids(SALES_MANAGER)[0]
    reps = user_ids(SALES_REP)
    with session_scope(Database.AUTH, admin=True) as auth:
        team = tuple(row[0] for row in auth.execute(text(
            "SELECT id FROM users WHERE manager_id = (SELECT manager_id FROM users WHERE id = :rep) "
            "OR id = (SELECT manager_id FROM users WHERE id = :rep) ORDER BY id"), {"rep": reps[0]}))
    return {"manager": manager, "rep": reps[0], "team": team, "quarter": quarter_of(today_utc()),
            "month": month_of(today_utc())}


def _time(run, runs: int) -> dict[str, float]:
    samples = []
    for index in range(runs + 1):
        started = time.perf_counter()
        run()
        if index:  # the first run warms caches (and imports statsmodels)
            samples.append((time.perf_counter() - started) * 1000)
    ordered = sorted(samples)
    return {"median": round(statistics.median(ordered), 1),
            "p95": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1)}


def bench_forecasts(*, runs: int = 15, only: str | None = None) -> dict[str, Any]:
    """Median and p95 (ms) of the Forecasts page's queries and flows, and of `forecasts generate` (company quarter)."""
    sample = _sample()
    manager = acting(sample["manager"], SALES_MANAGER)
    started = now_utc().replace(tzinfo=None)
    quarter, team_scope = sample["quarter"].code, Scope(kind="team", owner_id=sample["manager"]).code
    flows_timed = {}
    generate_runs = max(1, min(runs, 5))
    if not only or "generate" in only:
        flows_timed["generate.company.quarter"] = _time(
            lambda: flows.generate(manager, period=quarter, scope="company"), generate_runs)
    with session_scope(Database.FORECASTING, admin=True) as fc:
        latest = fc.execute(text(
            "SELECT id FROM forecast_snapshots WHERE scope = 'company' AND deal_count IS NOT NULL "
            "AND period_start = :start ORDER BY taken_at DESC LIMIT 2"), {"start": sample["quarter"].start}).scalars()
        found = list(latest)
        sample["snapshot"], sample["previous_snapshot"] = (found + found)[:2] if found else (None, None)
    page_flows = {
        "flow.overview.company.quarter": lambda: flows.get_overview(manager, period=quarter, scope="company"),
        "flow.overview.team.quarter": lambda: flows.get_overview(manager, period=quarter, scope=team_scope),
        "flow.rollup.team.quarter": lambda: flows.get_rollup(manager, period=quarter, scope=team_scope),
        "flow.accuracy.company.8_quarters": lambda: accuracy_flows.get_accuracy(manager, scope="company"),
    }
    if sample["snapshot"]:
        page_flows["flow.movement.company.to_now"] = lambda: movement_flows.get_movement(
            manager, period=quarter, scope="company", before_id=sample["snapshot"])
    for name, run in page_flows.items():
        if not only or only in name:
            flows_timed[name] = _time(run, runs)
    figures = run_queries(forecast_queries(sample), database=Database.CRM, principal=manager, runs=runs, only=only)
    with session_scope(Database.FORECASTING, admin=True) as fc:  # the generations above were the bench's own
        fc.execute(text("DELETE FROM forecast_factors WHERE forecast_id IN (SELECT f.id FROM forecasts f "
                        "JOIN forecast_snapshots s ON s.id = f.snapshot_id WHERE s.taken_at >= :t AND s.scope = "
                        "'company' AND s.kind = 'generated' AND s.taken_by = :u)"), {"t": started, "u": manager.id})
        fc.execute(text("DELETE FROM forecasts WHERE snapshot_id IN (SELECT id FROM forecast_snapshots WHERE "
                        "taken_at >= :t AND scope = 'company' AND kind = 'generated' AND taken_by = :u)"),
                   {"t": started, "u": manager.id})
        fc.execute(text("DELETE FROM forecast_snapshots WHERE taken_at >= :t AND scope = 'company' "
                        "AND kind = 'generated' AND taken_by = :u"), {"t": started, "u": manager.id})
    return {"deals": count_rows(Database.CRM, "deals"), "sample": {"quarter": quarter, "team": list(sample["team"])},
            "flows_ms": flows_timed, **figures}
