"""Every service that takes what people type, fed anything (through the same `parse` the pages use): it stores
the cleaned text literally, or refuses with a message and stores nothing; never another exception."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nexus360.chat.conversations import service as conversations
from nexus360.chat.models import Conversation, Message
from nexus360.common.errors import Nexus360Error
from nexus360.common.validation import parse
from nexus360.crm import service as crm
from nexus360.crm.deals import service as deals
from nexus360.crm.deals.schemas import DealCreate
from nexus360.crm.models import Company, Contact, Deal
from nexus360.crm.schemas import CompanyCreate, ContactCreate
from nexus360.db import Database
from nexus360.db.engine import set_actor
from nexus360.marketing.campaigns import service as campaigns
from nexus360.marketing.leads import service as leads
from nexus360.marketing.models import Campaign, Lead
from nexus360.marketing.schemas import CampaignCreate, LeadCreate
from tests.crm.conftest import MARKETER_ID, REP_ID, principal
from tests.property.strategies import ON_DATABASE, dates, numbers, optional_text, text

REP = principal(REP_ID, "sales_rep")
MARKETER = principal(MARKETER_ID, "marketer")
ids = st.one_of(st.none(), st.sampled_from([1, 2, 3]), st.integers(-(2**70), 2**70), text)


def attempt(session: Session, counted: type, action: Callable[[], Any]) -> Any:
    """Run `action` in a savepoint; a refusal must carry a message and leave `counted`'s rows as they were."""
    rows = select(func.count()).select_from(counted)
    before = session.scalar(rows)
    savepoint = session.begin_nested()
    try:
        result = action()
    except Nexus360Error as refusal:
        assert str(refusal).strip()
        assert session.scalar(rows) == before, "a refused input stored a partial result"
        return None
    finally:
        savepoint.rollback()
    return result


@pytest.fixture
def crm_session(db) -> Session:
    return db(Database.CRM)


@ON_DATABASE
@given(name=optional_text, domain=optional_text, website=optional_text, revenue=numbers)
def test_companies(crm_session, name, domain, website, revenue) -> None:
    created = attempt(crm_session, Company, lambda: crm.create_company(crm_session, REP, data=parse(
        CompanyCreate, name=name, domain=domain, website=website, annual_revenue=revenue)))
    if created is not None:
        assert created.name == " ".join(created.name.split()) and created.name.strip()


@ON_DATABASE
@given(email=text, first=optional_text, last=optional_text, phone=optional_text, company=ids)
def test_contacts(crm_session, email, first, last, phone, company) -> None:
    attempt(crm_session, Contact, lambda: crm.create_contact(crm_session, REP, data=parse(
        ContactCreate, email=email, first_name=first, last_name=last, phone=phone, company_id=company)))


@ON_DATABASE
@given(title=optional_text, company=ids, stage=ids, amount=numbers, close=dates)
def test_deals(db, crm_session, title, company, stage, amount, close) -> None:
    attempt(crm_session, Deal, lambda: deals.create_deal(crm_session, REP, auth_session=db(Database.AUTH),
                                                         notes=db(Database.NOTIFICATIONS), data=parse(
        DealCreate, title=title, company_id=company, stage_id=stage, amount=amount, close_date=close,
        owner_id=REP_ID)))


@ON_DATABASE
@given(name=optional_text, kind=text | st.just("Webinar"), status=text | st.just("planned"), start=dates,
       end=dates, budget=numbers)
def test_campaigns(db, name, kind, status, start, end, budget) -> None:
    session = db(Database.MARKETING)
    attempt(session, Campaign, lambda: campaigns.create_campaign(session, MARKETER, data=parse(
        CampaignCreate, name=name, type=kind, status=status, start_date=start, end_date=end, budget=budget)))


@ON_DATABASE
@given(email=text | st.just("someone@example.com"), first=optional_text, company=optional_text,
       size=numbers | st.none(), campaign=ids)
def test_leads(db, email, first, company, size, campaign) -> None:
    session = db(Database.MARKETING)
    attempt(session, Lead, lambda: leads.create_lead(session, MARKETER, data=parse(
        LeadCreate, email=email, first_name=first, company_name=company, company_size=size, campaign_id=campaign)))


@ON_DATABASE
@given(question=text, title=text)
def test_conversations(db, question, title) -> None:
    session = db(Database.CHAT)
    set_actor(session, REP)  # conversations are guarded by row-level security, as session_scope(actor=) sets it
    attempt(session, Conversation, lambda: conversations.start_conversation(session, REP, question=question))
    existing = conversations.start_conversation(session, REP, question="What is our discount policy?")
    attempt(session, Message, lambda: conversations.add_question(
        session, REP, conversation_id=existing, question=question))
    attempt(session, Conversation, lambda: conversations.rename_conversation(
        session, REP, conversation_id=existing, title=title))
