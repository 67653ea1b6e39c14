"""Leads this month by campaign and status: what the marketer's Home shows."""

from __future__ import annotations

import pytest

from nexus360.auth.schemas import Principal
from nexus360.common.errors import AuthorizationError, ValidationError
from nexus360.common.periods import month_of, today_utc
from nexus360.common.validation import parse
from nexus360.marketing.leads import service as leads
from nexus360.marketing.models import Campaign
from nexus360.marketing.schemas import LeadCreate


def test_this_months_leads_are_counted_per_campaign_and_status(marketing, marketer) -> None:
    campaign = Campaign(name="Planted *Spring* [Expo]", type="event", status="active")
    marketing.add(campaign)
    marketing.flush()
    for number in range(3):
        leads.create_lead(marketing, marketer, data=parse(LeadCreate, email=f"lead{number}@planted-counts.example",
                                                          campaign_id=campaign.id))
    today = today_utc()
    counts = leads.count_leads_by_campaign_and_status(marketing, marketer, date_from=month_of(today).start,
                                                      date_to=today)
    planted = counts[counts["campaign_id"] == campaign.id]
    assert planted[["campaign", "status", "leads"]].values.tolist() == [["Planted *Spring* [Expo]", "new", 3]]
    assert counts["leads"].sum() >= 3
    assert set(counts["status"]) <= {"new", "contacted", "qualified", "converted", "disqualified"}


def test_leads_without_a_campaign_are_named_so(marketing, marketer) -> None:
    leads.create_lead(marketing, marketer, data=parse(LeadCreate, email="nobody@planted-counts.example"))
    today = today_utc()
    counts = leads.count_leads_by_campaign_and_status(marketing, marketer, date_from=today, date_to=today)
    assert "No campaign" in set(counts["campaign"])


def test_counts_need_marketing_read_and_a_period_in_order(marketing, marketer) -> None:
    stranger = Principal(id=1, email="s@nexus360.example.com", permissions=frozenset({"chat.use"}))
    today = today_utc()
    with pytest.raises(AuthorizationError):
        leads.count_leads_by_campaign_and_status(marketing, stranger, date_from=today, date_to=today)
    with pytest.raises(ValidationError, match="on or after its start"):
        leads.count_leads_by_campaign_and_status(marketing, marketer, date_from=today, date_to=month_of(today).start
                                                 .replace(year=today.year - 1))
