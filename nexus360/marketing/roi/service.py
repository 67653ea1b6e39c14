"""Campaign ROI: what each campaign cost, the leads it brought and the revenue those leads became.

Counts come from one aggregate query in the marketing database; revenue from the CRM's deals service
(crm.deals.service.sum_deal_values) over the deal ids the converted leads recorded (leads.converted_deal_id).
No cross-database SQL; `flows.roi_report` opens both sessions.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.common.errors import ValidationError
from nexus360.crm.deals import service as deal_service
from nexus360.crm.deals.schemas import DealValues
from nexus360.marketing import repository
from nexus360.marketing.schemas import CampaignRoi, RoiFilters, RoiReport

NO_CAMPAIGN = "No campaign"
TOTAL = "All campaigns"
ZERO = Decimal("0")
CENT = Decimal("0.01")


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
    rows = [dict(row) for row in repository.campaign_lead_counts(
        marketing_session, date_from=filters.date_from, date_to=filters.date_to,
        campaign_types=[kind.lower() for kind in filters.campaign_types],
    )]
    if not filters.campaign_types:
        unattributed = dict(repository.unattributed_lead_counts(
            marketing_session, date_from=filters.date_from, date_to=filters.date_to
        ))
        if unattributed["leads"]:
            rows.append({"campaign_id": None, "name": NO_CAMPAIGN, **unattributed})
    values = deal_service.sum_deal_values(
        crm_session, principal, deal_ids_by_key={index: row["deal_ids"] for index, row in enumerate(rows)}
    )
    nothing = DealValues(pipeline_value=ZERO, won_revenue=ZERO, won_deals=0)
    campaigns = [_figures(row, values.get(index, nothing).pipeline_value, values.get(index, nothing).won_revenue)
                 for index, row in enumerate(rows)]
    won = sum(found.won_deals for found in values.values())
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
