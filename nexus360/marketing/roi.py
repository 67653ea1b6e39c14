"""Campaign ROI: what each campaign cost, the leads it brought and the revenue those leads became.

Counts come from one aggregate query in the marketing database; revenue from one query in the CRM
database over the deal ids the converted leads recorded (leads.converted_deal_id). No cross-database SQL.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.common.errors import ValidationError
from nexus360.marketing import roi_queries as queries

NO_CAMPAIGN = "No campaign"
TOTAL = "All campaigns"
ZERO = Decimal("0")
CENT = Decimal("0.01")


class RoiFilters(BaseModel):
    """Leads created in [date_from, date_to]; campaigns overlapping that range; optional campaign types."""

    date_from: date | None = None
    date_to: date | None = None
    campaign_types: list[str] = Field(default_factory=list)


class CampaignRoi(BaseModel):
    """One campaign's figures; campaign_id None is the row of leads without a campaign, or the totals."""

    campaign_id: int | None
    name: str
    type: str | None = None
    status: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    budget: Decimal | None = None
    leads: int = 0
    qualified: int = 0  # leads that reached qualified: qualified or converted
    converted: int = 0
    qualification_rate: float | None = None  # 0..1
    conversion_rate: float | None = None  # 0..1
    cost_per_lead: Decimal | None = None
    cost_per_converted: Decimal | None = None
    pipeline_value: Decimal = Decimal("0")
    won_revenue: Decimal = Decimal("0")
    roi: float | None = None  # (won_revenue - budget) / budget


class RoiReport(BaseModel):
    campaigns: list[CampaignRoi]
    totals: CampaignRoi
    funnel: list[tuple[str, int]]  # Leads, Contacted, Qualified, Converted, Won


def campaign_roi(
    marketing_session: Session, crm_session: Session, principal: Principal, *, filters: RoiFilters
) -> RoiReport:
    """Per-campaign leads, rates, costs and revenue, with totals and the lead funnel (marketing.read).

    A row "No campaign" follows the campaigns when leads came in without one (and no type filter is set).
    The totals ("All campaigns") add up the campaigns only, since leads without one cost no budget; the
    funnel counts every lead in the report, with or without a campaign.
    """
    require(principal, "marketing.read")
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise ValidationError("The end of the period must be on or after its start.")
    rows = [dict(row) for row in queries.campaign_lead_counts(
        marketing_session, date_from=filters.date_from, date_to=filters.date_to,
        campaign_types=[kind.lower() for kind in filters.campaign_types],
    )]
    if not filters.campaign_types:
        unattributed = dict(queries.unattributed_lead_counts(
            marketing_session, date_from=filters.date_from, date_to=filters.date_to
        ))
        if unattributed["leads"]:
            rows.append({"campaign_id": None, "name": NO_CAMPAIGN, **unattributed})
    values = queries.deal_values(crm_session, {index: row["deal_ids"] for index, row in enumerate(rows)})
    campaigns = [_figures(row, *values.get(index, (ZERO, ZERO, 0))[:2]) for index, row in enumerate(rows)]
    won = sum(found[2] for found in values.values())
    totals = _totals([row for row in campaigns if row.campaign_id is not None])
    return RoiReport(campaigns=campaigns, totals=totals, funnel=_funnel(rows, won))


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _per(budget: Decimal | None, count: int) -> Decimal | None:
    if budget is None or not count:
        return None
    return (Decimal(budget) / count).quantize(CENT, rounding=ROUND_HALF_UP)


def _figures(row: dict, pipeline_value: Decimal, won_revenue: Decimal) -> CampaignRoi:
    budget = row.get("budget")
    leads, qualified, converted = row["leads"], row["qualified"], row["converted"]
    return CampaignRoi(
        campaign_id=row["campaign_id"], name=row["name"], type=row.get("type"), status=row.get("status"),
        start_date=row.get("start_date"), end_date=row.get("end_date"), budget=budget,
        leads=leads, qualified=qualified, converted=converted,
        qualification_rate=_ratio(qualified, leads), conversion_rate=_ratio(converted, leads),
        cost_per_lead=_per(budget, leads), cost_per_converted=_per(budget, converted),
        pipeline_value=pipeline_value, won_revenue=won_revenue,
        roi=float((won_revenue - budget) / budget) if budget else None,
    )


def _totals(campaigns: list[CampaignRoi]) -> CampaignRoi:
    budgets = [row.budget for row in campaigns if row.budget is not None]
    row = {
        "campaign_id": None, "name": TOTAL, "budget": sum(budgets, ZERO) if budgets else None,
        "leads": sum(row.leads for row in campaigns),
        "qualified": sum(row.qualified for row in campaigns),
        "converted": sum(row.converted for row in campaigns),
    }
    return _figures(
        row, sum((c.pipeline_value for c in campaigns), ZERO), sum((c.won_revenue for c in campaigns), ZERO)
    )


def _funnel(rows: list[dict], won: int) -> list[tuple[str, int]]:
    return [
        ("Leads", sum(row["leads"] for row in rows)),
        ("Contacted", sum(row["contacted"] for row in rows)),
        ("Qualified", sum(row["qualified"] for row in rows)),
        ("Converted", sum(row["converted"] for row in rows)),
        ("Won", won),
    ]
