"""The seeded leads: scored by the seeded rules with reasons, and converted ones linked to real CRM deals."""

from __future__ import annotations

from sqlalchemy import func, select

from nexus360.crm.models import Contact, Deal
from nexus360.db import Database
from nexus360.marketing.repository import LEADS as leads_table
from nexus360.marketing.roi import service as roi
from nexus360.marketing.schemas import RoiFilters
from tests.crm.conftest import MANAGER_ID, principal


def test_every_seeded_lead_has_a_score_that_its_reasons_explain(marketing):
    t = leads_table.c
    rows = marketing.execute(select(t.score, t.score_reasons)).all()
    assert rows and all(reasons for _score, reasons in rows)
    assert all(score == max(0, min(100, sum(points for _label, points in reasons))) for score, reasons in rows)


def test_seeded_converted_leads_point_at_real_deals_of_their_company(db, marketing):
    t = leads_table.c
    linked = marketing.execute(
        select(t.converted_company_id, t.converted_contact_id, t.converted_deal_id).where(
            t.status == "converted", t.converted_deal_id.is_not(None)
        )
    ).all()
    assert len(linked) >= 50
    crm = db(Database.CRM)
    deals = dict(crm.execute(select(Deal.id, Deal.company_id).where(Deal.id.in_([row[2] for row in linked]))).all())
    contacts = dict(crm.execute(select(Contact.id, Contact.company_id)
                                .where(Contact.id.in_([row[1] for row in linked]))).all())
    assert all(deals[deal] == company and contacts[contact] == company for company, contact, deal in linked)
    assert marketing.execute(select(func.count()).where(t.converted_deal_id.is_not(None), t.status != "converted")
                             ).scalar_one() == 0


def test_the_demo_roi_report_shows_won_revenue(db, marketing):
    report = roi.campaign_roi(marketing, db(Database.CRM), principal(MANAGER_ID, "sales_manager"), filters=RoiFilters())
    assert report.totals.won_revenue > 0
    assert sum(1 for row in report.campaigns if row.won_revenue > 0) >= 5
    assert report.funnel[-1][1] > 0
