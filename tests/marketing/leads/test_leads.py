"""Leads: validation, duplicate flagging by email, scoring on create, status transitions, permissions."""

from __future__ import annotations

from datetime import date

import pytest

from nexus360.common.errors import AuthorizationError, ValidationError
from nexus360.common.validation import parse
from nexus360.marketing.leads import service as leads
from nexus360.marketing.models import Campaign
from nexus360.marketing.schemas import LeadCreate, LeadUpdate
from tests.crm.conftest import MANAGER_ID, REP_ID, principal

TODAY = date(2026, 11, 20)


@pytest.fixture
def event(marketing) -> Campaign:
    campaign = Campaign(name="Planted Expo", type="event", status="planned")
    marketing.add(campaign)
    marketing.flush()
    return campaign


def _create(session, who, **values):
    fields = {"email": "Ada.Lovelace@Planted-Example.com", "first_name": "Ada", "last_name": "Lovelace"} | values
    return leads.create_lead(session, who, data=parse(LeadCreate, **fields), today=TODAY)


def test_email_is_required():
    with pytest.raises(ValidationError, match="Email is required."):
        parse(LeadCreate, email="")


def test_email_must_be_valid():
    with pytest.raises(ValidationError, match="'not-an-email' is not a valid email address"):
        parse(LeadCreate, email="not-an-email")


def test_email_is_lowercased(marketing, marketer):
    assert _create(marketing, marketer).lead.email == "ada.lovelace@planted-example.com"


def test_unknown_campaign_is_refused(marketing, marketer):
    with pytest.raises(ValidationError, match="Campaign 999999999 does not exist."):
        _create(marketing, marketer, campaign_id=999999999)


def test_new_lead_is_scored_with_reasons(marketing, marketer, event):
    created = _create(
        marketing, marketer, job_title="Head of Finance", phone="+44 20 1234", company_name="Acme", campaign_id=event.id
    )
    # seeded defaults: base 50, 'head' +20, event +15, phone +5, company +5
    assert created.lead.score == 95
    assert created.lead.status == "new"
    assert ["Campaign type event", 15] in [list(reason) for reason in created.lead.score_reasons]


def test_duplicate_email_is_flagged_case_insensitively(marketing, marketer):
    first = _create(marketing, marketer).lead
    second = _create(marketing, marketer, email="ADA.LOVELACE@planted-example.COM")
    assert [lead.id for lead in second.duplicates] == [first.id]


def test_first_lead_with_an_email_has_no_duplicates(marketing, marketer):
    assert _create(marketing, marketer, email="only-once-unique@planted-example.com").duplicates == []


def test_update_changes_details_and_rescores(marketing, marketer):
    lead = _create(marketing, marketer).lead
    updated = leads.update_lead(
        marketing,
        marketer,
        lead_id=lead.id,
        today=TODAY,
        data=parse(LeadUpdate, email=lead.email, job_title="Chief Revenue Officer"),
    )
    assert (updated.job_title, updated.first_name, updated.score) == ("Chief Revenue Officer", None, lead.score + 25)


def test_status_moves_new_contacted_qualified(marketing, marketer):
    lead = _create(marketing, marketer).lead
    for status in ("contacted", "qualified"):
        lead = leads.change_lead_status(marketing, marketer, lead_id=lead.id, status=status)
    assert lead.status == "qualified"


def test_status_cannot_skip_a_step(marketing, marketer):
    lead = _create(marketing, marketer).lead
    with pytest.raises(ValidationError, match="A new lead cannot become qualified; it can become contacted"):
        leads.change_lead_status(marketing, marketer, lead_id=lead.id, status="qualified")


def test_converted_is_refused_here(marketing, marketer):
    lead = _create(marketing, marketer).lead
    with pytest.raises(ValidationError, match="only by handing it to sales"):
        leads.change_lead_status(marketing, marketer, lead_id=lead.id, status="converted")


def test_disqualifying_needs_a_reason(marketing, marketer):
    lead = _create(marketing, marketer).lead
    with pytest.raises(ValidationError, match="Give a reason"):
        leads.change_lead_status(marketing, marketer, lead_id=lead.id, status="disqualified", reason="  ")


def test_a_disqualifying_reason_longer_than_a_short_sentence_is_refused(marketing, marketer):
    lead = _create(marketing, marketer).lead
    with pytest.raises(ValidationError, match="Reason must be at most 500 characters; it has 5,000."):
        leads.change_lead_status(marketing, marketer, lead_id=lead.id, status="disqualified", reason="x" * 5000)


def test_disqualified_lead_keeps_its_reason_and_is_final(marketing, marketer):
    lead = _create(marketing, marketer).lead
    lead = leads.change_lead_status(marketing, marketer, lead_id=lead.id, status="disqualified", reason="Student")
    assert (lead.status, lead.disqualified_reason) == ("disqualified", "Student")
    with pytest.raises(ValidationError, match="disqualified; its status can no longer change"):
        leads.change_lead_status(marketing, marketer, lead_id=lead.id, status="contacted")


def test_list_searches_email_name_and_company(marketing, marketer, event):
    lead = _create(marketing, marketer, company_name="Zanzibar Quokka Ltd", campaign_id=event.id).lead
    for search in ("zanzibar quokka", "ada lovelace", "lovelace@planted"):
        page = leads.list_leads(marketing, marketer, search=search, campaign_id=event.id, status="new")
        assert list(page.rows["id"]) == [lead.id]


def test_list_pages_by_keyset(marketing, marketer):
    first = leads.list_leads(marketing, marketer, limit=3)
    second = leads.list_leads(marketing, marketer, limit=3, after=first.next_after)
    assert len(first.rows) == 3 and set(first.rows["id"]).isdisjoint(second.rows["id"])


def test_rep_and_manager_read_but_cannot_write(marketing, marketer):
    lead = _create(marketing, marketer).lead
    for who in (principal(REP_ID, "sales_rep"), principal(MANAGER_ID, "sales_manager")):
        assert leads.get_lead(marketing, who, lead_id=lead.id).email == lead.email
        with pytest.raises(AuthorizationError):
            _create(marketing, who)
        with pytest.raises(AuthorizationError):
            leads.change_lead_status(marketing, who, lead_id=lead.id, status="contacted")
