"""Leads export: the filtered leads with campaign name and score reasons as text."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from nexus360.common.errors import AuthorizationError
from nexus360.common.validation import parse
from nexus360.marketing.leads import service as leads
from nexus360.marketing.models import Campaign
from nexus360.marketing.schemas import LeadCreate
from tests.crm.conftest import principal


def test_export_has_campaign_names_and_readable_reasons(marketing, marketer):
    tag = uuid.uuid4().hex[:8]
    campaign = Campaign(name=f"Export Expo {tag}", type="event", status="planned")
    marketing.add(campaign)
    marketing.flush()
    data = parse(LeadCreate, email=f"ex.{tag}@example.org", job_title="VP Sales", campaign_id=campaign.id)
    leads.create_lead(marketing, marketer, data=data, today=date(2026, 11, 20))
    frame = leads.export_leads(marketing, marketer, search=tag)
    assert len(frame) == 1
    row = frame.iloc[0]
    assert (row["email"], row["campaign"], row["score"]) == (f"ex.{tag}@example.org", f"Export Expo {tag}", 90)
    assert row["score_reasons"] == "Base score +50; Job title mentions 'vp' +25; Campaign type event +15"


def test_export_applies_the_filters(marketing, marketer):
    assert leads.export_leads(marketing, marketer, search="no-such-lead-anywhere").empty
    frame = leads.export_leads(marketing, marketer, status="qualified")
    assert set(frame["status"]) <= {"qualified"}


def test_export_needs_marketing_read(marketing):
    with pytest.raises(AuthorizationError):
        leads.export_leads(marketing, principal(2, "sales_manager").model_copy(update={"permissions": frozenset()}))


def test_the_export_file_keeps_converted_ids_whole_and_phone_numbers_as_typed(marketing, marketer):
    from nexus360.common.exporting import to_csv_bytes
    from nexus360.marketing import repository

    tag = uuid.uuid4().hex[:8]
    for number, phone in enumerate(("+1 555 0100", "=HYPERLINK(\"http://evil\")")):
        data = parse(LeadCreate, email=f"conv{number}.{tag}@example.org", phone=phone)
        created = leads.create_lead(marketing, marketer, data=data, today=date(2026, 11, 20)).lead
        if number == 0:
            repository.update_lead(marketing, created.id, {"status": "converted", "converted_company_id": 301,
                                                           "converted_contact_id": 592, "converted_deal_id": 2006})
    text = to_csv_bytes(leads.export_leads(marketing, marketer, search=tag)).decode("utf-8-sig")
    assert ",+1 555 0100," in text and "'=HYPERLINK" in text
    assert ",301,592,2006," in text and "301.0" not in text
