"""`bench marketing`: every query the Campaigns & Leads page runs (lead lists, export, campaigns, ROI).

Search terms and campaigns are taken from the data itself, so the same query set runs on the small demo
data (tests) and on `demo seed --scale large` (about a million leads and a million deals).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import text

from nexus360.auth.schemas import MARKETER
from nexus360.bench.common import Query, Timed, acting, count_rows, run_queries, second_page, user_ids
from nexus360.common.periods import today_utc
from nexus360.db import Database, session_scope
from nexus360.marketing import repository as marketing_repository
from nexus360.marketing.campaigns import service as campaign_service
from nexus360.marketing.leads import service as lead_service
from nexus360.marketing.roi import service as roi

EXPORT_ROWS = 1_000  # the export's query is capped at MAX_EXPORT_ROWS + 1; its first rows show the plan's cost


def marketing_queries(sample: dict[str, Any], today: date) -> dict[str, Query | Timed]:
    """Every query the Campaigns & Leads page runs: lead list pages per filter and search, campaigns, ROI."""
    lead_filters: dict[str, dict[str, Any]] = {
        "all": {},
        "status": {"status": "qualified"},
        "campaign_large": {"campaign_id": sample["large_campaign"]},
        "campaign_small": {"campaign_id": sample["small_campaign"]},
        "min_score": {"min_score": 90},
        "search_email": {"search": sample["email_part"]},
        "search_name": {"search": sample["name"]},
        "search_company": {"search": sample["company"]},
    }
    queries: dict[str, Query | Timed] = {}
    for label, filters in lead_filters.items():
        queries[f"leads.{label}.page_1"] = lambda s, p, f=filters: lead_service.list_leads(s, p, **f)
        queries[f"leads.{label}.page_2"] = second_page(
            lambda s, p, after, f=filters: lead_service.list_leads(s, p, after=after, **f)
        )
    for label in ("all", "campaign_large", "search_company"):
        queries[f"leads.export.{label}"] = lambda s, p, f=lead_filters[label]: marketing_repository.export_leads(
            s, status=f.get("status"), campaign_id=f.get("campaign_id"), search=f.get("search", ""),
            min_score=f.get("min_score"), limit=EXPORT_ROWS,
        )
    queries |= {
        "leads.duplicate_email": lambda s, p: lead_service.find_duplicate_leads(s, p, email=sample["email"].upper()),
        "leads.get": lambda s, p: lead_service.get_lead(s, p, lead_id=sample["lead_id"]),
        "campaigns.choices": lambda s, p: campaign_service.list_campaigns(s, p, limit=200),
        "campaigns.list": lambda s, p: campaign_service.list_campaigns(s, p),
        "campaigns.list.search": lambda s, p: campaign_service.list_campaigns(s, p, search="webinar"),
        "campaigns.history": lambda s, p: campaign_service.list_campaign_history(
            s, p, campaign_id=sample["large_campaign"]
        ),
    }
    year = {"date_from": today - timedelta(days=365), "date_to": today}
    for label, types in (("all_types", []), ("one_type", [sample["large_campaign_type"]])):
        filters = roi.RoiFilters(**year, campaign_types=types)
        queries[f"roi.12_months.{label}"] = Timed(
            (Database.MARKETING, Database.CRM),
            lambda marketing, crm, p, f=filters: roi.campaign_roi(marketing, crm, p, filters=f),
        )
    return queries


def _marketing_sample() -> dict[str, Any]:
    """Search terms and campaigns found in the data: a lead a tenth of the way into the table (an old lead,
    the worst case for a newest-first scan), the campaigns with the most and the fewest leads."""
    with session_scope(Database.MARKETING, admin=True) as session:
        lead = session.execute(text(
            "SELECT id, email, first_name, last_name, company_name FROM leads "
            "WHERE id >= (SELECT min(id) + (max(id) - min(id)) / 10 FROM leads) AND first_name IS NOT NULL "
            "AND last_name IS NOT NULL AND company_name IS NOT NULL ORDER BY id LIMIT 1"
        )).one()
        campaigns = session.execute(text(
            "SELECT l.campaign_id, c.type FROM leads l JOIN campaigns c ON c.id = l.campaign_id "
            "GROUP BY l.campaign_id, c.type ORDER BY count(*) DESC, l.campaign_id"
        )).all()
    return {
        "lead_id": lead.id, "email": lead.email, "email_part": lead.email.split("@")[0],
        "name": f"{lead.first_name} {lead.last_name}", "company": lead.company_name,
        "large_campaign": campaigns[0].campaign_id, "large_campaign_type": campaigns[0].type,
        "small_campaign": campaigns[-1].campaign_id,
    }


def bench_marketing(*, runs: int = 15, only: str | None = None) -> dict[str, Any]:
    """Median and p95 (ms) of every Campaigns & Leads query, through the services and as the same raw SQL."""
    marketer = acting(user_ids(MARKETER)[0], MARKETER)
    sample = _marketing_sample()
    sizes = {"leads": count_rows(Database.MARKETING, "leads"), "campaigns": count_rows(Database.MARKETING, "campaigns")}
    figures = run_queries(
        marketing_queries(sample, today_utc()), database=Database.MARKETING, principal=marketer, runs=runs, only=only
    )
    return {**sizes, "deals": count_rows(Database.CRM, "deals"), "sample": sample, **figures}
