"""`python -m nexus360 bench crm|marketing|commissions`: time every query a page runs, via services and raw SQL.

For each query: run the service `runs` times (median and p95 in ms, end to end through SQLAlchemy
and the app's role with row-level security context), record the SQL statements that one call sent,
and run exactly those statements straight on the DBAPI connection the same number of times. The gap
between the two is the app's own overhead. Prints one JSON object.

One harness (`run_queries`) serves every query set: the CRM's is below, marketing's and commissions'
live in `nexus360.bench_queries`. A query that needs sessions on several databases (the ROI report
reads marketing and CRM) is wrapped in `Timed`.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event, text

from nexus360.auth.schemas import DEFAULT_GRANTS, SALES_MANAGER, Principal
from nexus360.common.periods import quarter_of, today_utc
from nexus360.crm import dashboards
from nexus360.crm import service as crm_service
from nexus360.crm.dashboards import DashboardFilters
from nexus360.crm.deals import service as deal_service
from nexus360.crm.deals.schemas import DealFilters
from nexus360.db import Database, get_engine, session_scope

Query = Callable[[Any, Principal], Any]


@dataclass(frozen=True)
class Timed:
    """A query run as `run(session, ..., principal)` with one session per database, in order.

    `principal` overrides the query set's acting user (e.g. a rep's own commission history)."""

    databases: tuple[Database, ...]
    run: Callable[..., Any]
    principal: Principal | None = None


def crm_queries(owner_ids: tuple[int, ...], today: date) -> dict[str, Query]:
    """Every query the CRM page can run, with the filters people use most."""
    quarter = DashboardFilters(start=quarter_of(today).start, end=today)
    year = DashboardFilters(start=today - timedelta(days=365), end=today)
    team = DashboardFilters(start=today - timedelta(days=365), end=today, owner_ids=owner_ids)
    industry = DashboardFilters(start=today - timedelta(days=365), end=today, industry_ids=(1,))
    queries: dict[str, Query] = {}
    for label, filters in (("quarter", quarter), ("12_months", year), ("team", team), ("industry", industry)):
        queries |= {
            f"dashboard.kpis.{label}": lambda s, p, f=filters: dashboards.get_kpis(s, p, filters=f, today=today),
            f"dashboard.funnel.{label}": lambda s, p, f=filters: dashboards.get_funnel(s, p, filters=f),
            f"dashboard.won_by_month.{label}": lambda s, p, f=filters: dashboards.get_won_by_month(s, p, filters=f),
            f"dashboard.by_industry.{label}": lambda s, p, f=filters: dashboards.get_revenue_by_industry(
                s, p, filters=f
            ),
            f"dashboard.by_country.{label}": lambda s, p, f=filters: dashboards.get_revenue_by_country(s, p, filters=f),
            f"dashboard.leaderboard.{label}": lambda s, p, f=filters: dashboards.get_owner_leaderboard(s, p, filters=f),
            f"dashboard.deals_at_risk.{label}": lambda s, p, f=filters: dashboards.list_deals_at_risk(
                s, p, filters=f, today=today, limit=20
            ),
        }
    queries["dashboard.stage_medians"] = lambda s, p: dashboards.get_stage_medians(s, p, today=today)
    queries |= {
        "home.pipeline_summary": lambda s, p: crm_service.get_pipeline_summary(s, p, today=today),
        "list.deals.open": lambda s, p: deal_service.list_deals(s, p, filters=DealFilters(open_only=True)),
        "list.deals.mine": lambda s, p: deal_service.list_deals(s, p, filters=DealFilters(owner_ids=owner_ids[:1])),
        "list.deals.search": lambda s, p: deal_service.list_deals(s, p, filters=DealFilters(search="renewal 00042")),
        "list.deals.page_2": second_page(
            lambda s, p, after: deal_service.list_deals(s, p, filters=DealFilters(open_only=True), after=after)
        ),
        "list.companies": lambda s, p: crm_service.list_companies(s, p),
        "list.companies.search": lambda s, p: crm_service.list_companies(s, p, search="harbor"),
        "list.contacts": lambda s, p: crm_service.list_contacts(s, p),
        "list.contacts.search": lambda s, p: crm_service.list_contacts(s, p, search="contact00123"),
        "board.totals": lambda s, p: deal_service.get_board(s, p, owner_ids=owner_ids[:1]),
        "board.stage_cards": lambda s, p: deal_service.list_deals(
            s, p, filters=DealFilters(stage_ids=(3,), owner_ids=owner_ids[:1]), limit=6
        ),
    }
    return queries


def second_page(fetch: Callable[[Any, Principal, tuple | None], Any]) -> Query:
    state: dict[str, tuple | None] = {}

    def run(session, principal):
        if "after" not in state:
            state["after"] = fetch(session, principal, None).next_after
        return fetch(session, principal, state["after"])

    return run


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": round(statistics.median(ordered), 1), "p95": round(p95, 1)}


def _time_service(timed: Timed, principal: Principal, runs: int) -> tuple[list[float], list[tuple]]:
    """Samples (ms) of `runs` calls after one warm-up call, and the (database, SQL, parameters) it sent."""
    engines = {database: get_engine(database) for database in timed.databases}
    captured: list[tuple] = []

    def capture_for(database: Database):
        def capture(_conn, _cursor, statement, parameters, _context, _many):
            captured.append((database, statement, parameters))

        return capture

    listeners = {database: capture_for(database) for database in engines}
    samples = []
    # The first run only warms caches; the last one records the SQL (by then a second-page query has its key).
    for index in range(runs + 1):
        if index == runs:
            for database, engine in engines.items():
                event.listen(engine, "before_cursor_execute", listeners[database])
        started = time.perf_counter()
        with ExitStack() as stack:
            sessions = [stack.enter_context(session_scope(database, actor=principal)) for database in engines]
            timed.run(*sessions, principal)
        elapsed = (time.perf_counter() - started) * 1000
        if index == runs:
            for database, engine in engines.items():
                event.remove(engine, "before_cursor_execute", listeners[database])
        if index:
            samples.append(elapsed)
    return samples, [c for c in captured if "set_config" not in c[1]]


def _time_sql(statements: list[tuple], runs: int) -> list[float]:
    """Samples (ms) of the recorded statements run straight on one DBAPI connection per database."""
    raws = {database: get_engine(database).raw_connection() for database in dict.fromkeys(s[0] for s in statements)}
    try:
        cursors = {database: raw.cursor() for database, raw in raws.items()}
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            for database, statement, parameters in statements:
                cursors[database].execute(statement, parameters)
                cursors[database].fetchall()
            samples.append((time.perf_counter() - started) * 1000)
            for raw in raws.values():
                raw.rollback()
        return samples
    finally:
        for raw in raws.values():
            raw.close()


def run_queries(
    queries: Mapping[str, Query | Timed], *, database: Database, principal: Principal, runs: int,
    only: str | None = None,
) -> dict[str, Any]:
    """Time each query (plain ones run on `database`); figures per query plus the slowest p95 and those > 300 ms."""
    results: dict[str, Any] = {}
    for name, query in queries.items():
        if only and only not in name:
            continue
        timed = query if isinstance(query, Timed) else Timed((database,), query)
        service_ms, statements = _time_service(timed, timed.principal or principal, runs)
        results[name] = {
            "service_ms": _percentiles(service_ms),
            "sql_ms": _percentiles(_time_sql(statements, runs)),
            "statements": len(statements),
        }
    slowest = max(results.values(), key=lambda r: r["service_ms"]["p95"], default=None)
    return {
        "runs": runs,
        "queries": results,
        "slowest_p95_ms": slowest["service_ms"]["p95"] if slowest else None,
        "over_300ms_p95": sorted(n for n, r in results.items() if r["service_ms"]["p95"] > 300),
    }


def user_ids(*roles: str) -> list[int]:
    """Active users holding any of `roles`, in the roles' order, then by id."""
    with session_scope(Database.AUTH, admin=True) as auth:
        rows = auth.execute(
            text(
                "SELECT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id "
                "WHERE r.name = ANY(:roles) AND u.is_active ORDER BY array_position(:roles, r.name::text), u.id"
            ),
            {"roles": list(roles)},
        )
        return list(dict.fromkeys(row[0] for row in rows))


def acting(user_id: int, role: str) -> Principal:
    """A principal with the role's default grants, as the page would have it."""
    return Principal(
        id=user_id, email="bench@nexus360", roles=(role,), permissions=frozenset(DEFAULT_GRANTS[role])
    )


def count_rows(database: Database, table: str) -> int:
    with session_scope(database, admin=True) as session:
        return session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def bench_crm(*, runs: int = 15, only: str | None = None) -> dict[str, Any]:
    """Median and p95 (ms) of every CRM query, through the services and as the same raw SQL."""
    manager_id, *team = user_ids("sales_manager", "sales_rep")
    deals = count_rows(Database.CRM, "deals")
    figures = run_queries(
        crm_queries(tuple(team[:3]), today_utc()), database=Database.CRM, principal=acting(manager_id, SALES_MANAGER),
        runs=runs, only=only,
    )
    return {"deals": deals, **figures}
