"""The hand-off on real, committed sessions (one per database, as in production); it cleans up after itself."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select

from nexus360.crm.models import Company, Contact, Deal, DealStageChange
from nexus360.db import Database, session_scope
from nexus360.marketing import flows
from nexus360.marketing.repository import LEADS as leads_table
from nexus360.marketing.schemas import ConversionRequest
from nexus360.notifications.models import Notification
from tests.crm.conftest import MARKETER_ID, REP_ID, principal


@pytest.fixture
def committed_lead(seeded) -> Iterator[tuple[int, str]]:
    tag = uuid.uuid4().hex[:8]
    with session_scope(Database.MARKETING, admin=True) as session:
        lead_id = session.execute(leads_table.insert().values(
            email=f"linus.{tag}@committed-{tag}.example", first_name="Linus", last_name=tag,
            company_name=f"Committed {tag}", status="qualified",
        ).returning(leads_table.c.id)).scalar_one()
    yield lead_id, tag
    with session_scope(Database.CRM, admin=True) as crm:
        deal_ids = select(Deal.id).join(Company, Company.id == Deal.company_id).where(Company.name.contains(tag))
        crm.execute(delete(DealStageChange).where(DealStageChange.deal_id.in_(deal_ids)))
        crm.execute(delete(Deal).where(Deal.id.in_(deal_ids)))
        crm.execute(delete(Contact).where(Contact.email.contains(tag)))
        crm.execute(delete(Company).where(Company.name.contains(tag)))
    with session_scope(Database.MARKETING, admin=True) as session:
        session.execute(delete(leads_table).where(leads_table.c.id == lead_id))
    with session_scope(Database.NOTIFICATIONS, admin=True) as session:
        session.execute(delete(Notification).where(Notification.message.contains(tag)))


def test_conversion_commits_in_every_database_and_a_second_one_changes_nothing(committed_lead):
    lead_id, tag = committed_lead
    request = ConversionRequest(lead_id=lead_id, create_deal=True, deal_owner_id=REP_ID, deal_amount=Decimal("5000"))
    first = flows.convert_lead(principal(MARKETER_ID, "marketer"), request)
    again = flows.convert_lead(principal(MARKETER_ID, "marketer"), request)
    assert first.deal_created and again.already_converted
    assert (again.company_id, again.contact_id, again.deal_id) == (first.company_id, first.contact_id, first.deal_id)
    with session_scope(Database.CRM, admin=True) as crm:
        assert crm.execute(select(func.count()).select_from(Deal).where(Deal.company_id == first.company_id)
                           ).scalar_one() == 1
    with session_scope(Database.MARKETING, admin=True) as session:
        lead = session.execute(select(leads_table).where(leads_table.c.id == lead_id)).mappings().one()
    assert (lead["status"], lead["converted_deal_id"]) == ("converted", first.deal_id)
    with session_scope(Database.NOTIFICATIONS, admin=True) as session:
        sent = session.execute(select(func.count()).where(Notification.user_id == REP_ID,
                                                          Notification.message.contains(tag))).scalar_one()
    assert sent == 1
