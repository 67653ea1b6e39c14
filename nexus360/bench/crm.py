"""`bench crm`: every query the CRM page (dashboard, deal list, board, companies, contacts) and Home run."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from nexus360.auth.schemas import SALES_MANAGER
from nexus360.bench.common import Query, acting, count_rows, run_queries, second_page, user_ids
from nexus360.common.periods import quarter_of, today_utc
from nexus360.crm import service as crm_service
from nexus360.crm.dashboard import service as dashboards
from nexus360.crm.dashboard.schemas import DashboardFilters
from nexus360.crm.deals import service as deal_service
from nexus360.crm.deals.schemas import DealFilters
from nexus360.db import Database


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
    home_months = DashboardFilters.months_to_date(today, 24)  # Home's other figures are dashboard.*.quarter/12_months
    queries |= {
        "home.won_by_month": lambda s, p: dashboards.get_won_by_month(s, p, filters=home_months),
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
        "board.cards": lambda s, p: deal_service.get_board_cards(s, p, per_stage=6),
        "board.cards.mine": lambda s, p: deal_service.get_board_cards(s, p, owner_ids=owner_ids[:1], per_stage=6),
    }
    return queries


def bench_crm(*, runs: int = 15, only: str | None = None) -> dict[str, Any]:
    """Median and p95 (ms) of every CRM query, through the services and as the same raw SQL."""
    manager_id, *team = user_ids("sales_manager", "sales_rep")
    deals = count_rows(Database.CRM, "deals")
    figures = run_queries(
        crm_queries(tuple(team[:3]), today_utc()), database=Database.CRM, principal=acting(manager_id, SALES_MANAGER),
        runs=runs, only=only,
    )
    return {"deals": deals, **figures}
