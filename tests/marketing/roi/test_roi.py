"""Campaign ROI: counts, rates, costs and revenue per campaign, hand-computed on planted data.

Planted campaigns use made-up types, so filtering by those types leaves the seeded demo data out.
Period 2030-01-01..2030-06-30:
  A (T1, budget 1000, Jan–Mar 2030): 6 leads in the period (new, contacted, qualified, disqualified,
     converted → won deal 5000, converted → open deal 2000) and 1 converted lead from 2029 (won 9999, outside).
  B (T2, budget 3000, from Feb 2030): new, new, converted → lost deal 700.
  C (T1, starts 2031) and D (T2, ended 2029): outside the period.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from nexus360.common.errors import AuthorizationError, ValidationError
from nexus360.crm.models import Company, Deal, DealStage
from nexus360.db import Database
from nexus360.marketing import repository
from nexus360.marketing.models import Campaign
from nexus360.marketing.roi import service as roi
from nexus360.marketing.schemas import RoiFilters
from tests.crm.conftest import REP_ID, principal

PERIOD = {"date_from": date(2030, 1, 1), "date_to": date(2030, 6, 30)}


@pytest.fixture
def crm(db):
    return db(Database.CRM)


@pytest.fixture
def types() -> tuple[str, str]:
    tag = uuid.uuid4().hex[:8]
    return f"t1_{tag}", f"t2_{tag}"


def _stage(crm, **flags) -> int:
    statement = select(DealStage.id).where(*(getattr(DealStage, name).is_(value) for name, value in flags.items()))
    return crm.execute(statement.order_by(DealStage.position).limit(1)).scalar_one()


@pytest.fixture
def planted(marketing, crm, types) -> dict[str, int]:
    t1, t2 = types
    company = Company(name="ROI Planted Ltd")
    crm.add(company)
    crm.flush()
    stages = {
        "won": _stage(crm, is_won=True), "lost": _stage(crm, is_lost=True),
        "open": _stage(crm, is_won=False, is_lost=False),
    }

    def deal(amount: str, stage: str) -> int:
        row = Deal(
            title="ROI deal", company_id=company.id, stage_id=stages[stage], amount=Decimal(amount), owner_id=REP_ID
        )
        crm.add(row)
        crm.flush()
        return row.id

    def campaign(name, type_, budget, start, end=None) -> int:
        row = Campaign(name=name, type=type_, status="active", budget=budget, start_date=start, end_date=end)
        marketing.add(row)
        marketing.flush()
        return row.id

    ids = {
        "A": campaign("ROI A", t1, Decimal("1000"), date(2030, 1, 1), date(2030, 3, 31)),
        "B": campaign("ROI B", t2, Decimal("3000"), date(2030, 2, 1)),
        "C": campaign("ROI C", t1, None, date(2031, 1, 1)),
        "D": campaign("ROI D", t2, Decimal("500"), date(2029, 1, 1), date(2029, 6, 30)),
    }
    in_period, before = datetime(2030, 2, 1, 12), datetime(2029, 12, 1)
    leads = [
        ("A", "new", None, in_period), ("A", "contacted", None, in_period), ("A", "qualified", None, in_period),
        ("A", "disqualified", None, in_period), ("A", "converted", deal("5000", "won"), in_period),
        ("A", "converted", deal("2000", "open"), in_period), ("A", "converted", deal("9999", "won"), before),
        ("B", "new", None, in_period), ("B", "new", None, in_period),
        ("B", "converted", deal("700", "lost"), in_period),
    ]
    for number, (key, status, deal_id, created) in enumerate(leads):
        repository.insert_lead(marketing, {
            "campaign_id": ids[key], "email": f"roi{number}@{types[0]}.example", "status": status,
            "converted_deal_id": deal_id, "created_at": created,
        })
    return ids


def _report(marketing, crm, types, **filters):
    return roi.campaign_roi(
        marketing, crm, principal(REP_ID, "sales_rep"), filters=RoiFilters(campaign_types=list(types), **filters)
    )


def test_only_campaigns_overlapping_the_period_are_reported(marketing, crm, types, planted):
    report = _report(marketing, crm, types, **PERIOD)
    assert [row.name for row in report.campaigns] == ["ROI B", "ROI A"]  # latest start first


def test_campaign_figures(marketing, crm, types, planted):
    a = {row.name: row for row in _report(marketing, crm, types, **PERIOD).campaigns}["ROI A"]
    assert (a.leads, a.qualified, a.converted) == (6, 3, 2)
    assert (a.qualification_rate, a.conversion_rate) == (0.5, pytest.approx(1 / 3))
    assert (a.cost_per_lead, a.cost_per_converted) == (Decimal("166.67"), Decimal("500.00"))
    assert (a.pipeline_value, a.won_revenue, a.roi) == (Decimal("2000"), Decimal("5000"), 4.0)


def test_lost_deals_count_neither_as_pipeline_nor_revenue(marketing, crm, types, planted):
    b = {row.name: row for row in _report(marketing, crm, types, **PERIOD).campaigns}["ROI B"]
    assert (b.leads, b.qualified, b.converted, b.pipeline_value, b.won_revenue) == (3, 1, 1, 0, 0)
    assert (b.cost_per_lead, b.cost_per_converted, b.roi) == (Decimal("1000.00"), Decimal("3000.00"), -1.0)


def test_totals_add_up_the_rows(marketing, crm, types, planted):
    totals = _report(marketing, crm, types, **PERIOD).totals
    assert (totals.campaign_id, totals.leads, totals.qualified, totals.converted) == (None, 9, 4, 3)
    assert (totals.budget, totals.pipeline_value, totals.won_revenue) == (Decimal("4000"), 2000, 5000)
    assert totals.roi == 0.25
    assert (totals.cost_per_lead, totals.cost_per_converted) == (Decimal("444.44"), Decimal("1333.33"))


def test_funnel_counts_leads_by_the_stage_they_reached(marketing, crm, types, planted):
    assert _report(marketing, crm, types, **PERIOD).funnel == [
        ("Leads", 9), ("Contacted", 5), ("Qualified", 4), ("Converted", 3), ("Won", 1),
    ]


def test_without_dates_every_lead_and_campaign_counts(marketing, crm, types, planted):
    report = _report(marketing, crm, types)
    rows = {row.name: row for row in report.campaigns}
    assert set(rows) == {"ROI A", "ROI B", "ROI C", "ROI D"}
    assert (rows["ROI A"].leads, rows["ROI A"].won_revenue) == (7, Decimal("14999"))
    assert (rows["ROI C"].leads, rows["ROI C"].qualification_rate, rows["ROI C"].roi) == (0, None, None)
    assert rows["ROI D"].roi == -1.0


def test_type_filter(marketing, crm, types, planted):
    report = _report(marketing, crm, types[:1], **PERIOD)
    assert [row.name for row in report.campaigns] == ["ROI A"]


def test_leads_without_a_campaign_get_their_own_row(marketing, crm, planted):
    stray_lead = {"email": "stray@roi.example", "status": "new", "created_at": datetime(2030, 5, 5)}
    repository.insert_lead(marketing, stray_lead)
    report = roi.campaign_roi(marketing, crm, principal(REP_ID, "sales_rep"), filters=RoiFilters(**PERIOD))
    stray = report.campaigns[-1]
    assert (stray.campaign_id, stray.name, stray.leads, stray.budget, stray.roi) == (None, "No campaign", 1, None, None)
    campaign_leads = sum(row.leads for row in report.campaigns if row.campaign_id is not None)
    assert report.totals.leads == campaign_leads  # the totals are the campaigns' (no budget, no ROI without one)
    assert report.funnel[0][1] == campaign_leads + 1  # the funnel counts every lead


def test_period_must_run_forwards(marketing, crm):
    with pytest.raises(ValidationError, match="end of the period"):
        roi.campaign_roi(marketing, crm, principal(REP_ID, "sales_rep"),
                         filters=RoiFilters(date_from=date(2030, 2, 1), date_to=date(2030, 1, 1)))


def test_roi_needs_marketing_read(marketing, crm):
    nobody = principal(REP_ID, "sales_rep").model_copy(update={"permissions": frozenset()})
    with pytest.raises(AuthorizationError):
        roi.campaign_roi(marketing, crm, nobody, filters=RoiFilters())
