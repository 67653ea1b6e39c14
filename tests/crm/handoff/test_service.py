"""The CRM half of the lead hand-off, called directly: who may call it, and a second call finds the first.

The whole hand-off (lead locking, write-back, notification) is tested through marketing's flow in
tests/marketing/test_conversion.py; this checks the service marketing calls.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from nexus360.common.errors import AuthorizationError, ValidationError
from nexus360.crm.handoff import service
from nexus360.crm.handoff.schemas import HandedLead, HandoffDeal
from nexus360.crm.models import Company, DealStage
from tests.crm.conftest import MARKETER_ID, REP_ID, principal


def _lead(tag: str, **values) -> HandedLead:
    return HandedLead(**{"id": 990_000_000 + int(tag[:6], 16), "email": f"ada@lovelace-{tag}.example",
                         "first_name": "Ada", "last_name": "Lovelace", "company_name": f"Lovelace {tag} Ltd"} | values)


def test_only_marketing_writers_hand_leads_to_the_crm(crm) -> None:
    with pytest.raises(AuthorizationError):
        service.receive_lead(crm, principal(REP_ID, "sales_rep"), lead=_lead(uuid.uuid4().hex[:8]))


def test_a_second_call_finds_what_the_first_created(crm) -> None:
    marketer, tag = principal(MARKETER_ID, "marketer"), uuid.uuid4().hex[:8]
    deal = HandoffDeal(title=f"Lovelace {tag}: Ada Lovelace", owner_id=REP_ID, amount=Decimal("1200.00"))
    first = service.receive_lead(crm, marketer, lead=_lead(tag), deal=deal)
    again = service.receive_lead(crm, marketer, lead=_lead(tag), deal=deal)

    assert (first.company_created, first.contact_created, first.deal_created) == (True, True, True)
    assert (again.company_created, again.contact_created, again.deal_created) == (False, False, False)
    assert (again.company_id, again.contact_id, again.deal_id) == (first.company_id, first.contact_id, first.deal_id)
    assert (first.deal_owner_id, first.deal_title) == (REP_ID, deal.title)
    assert crm.scalar(select(Company.domain).where(Company.id == first.company_id)) == f"lovelace-{tag}.example"


def test_the_deal_goes_to_an_open_stage(crm) -> None:
    marketer, tag = principal(MARKETER_ID, "marketer"), uuid.uuid4().hex[:8]
    won = crm.scalar(select(DealStage.id).where(DealStage.is_won))
    companies = crm.scalar(select(func.count()).select_from(Company))
    with pytest.raises(ValidationError, match="open pipeline stage"):
        service.receive_lead(crm, marketer, lead=_lead(tag),
                             deal=HandoffDeal(title="Won already", owner_id=REP_ID, stage_id=won))
    assert crm.scalar(select(func.count()).select_from(Company)) == companies  # checked before anything is written


def test_a_free_mail_address_names_no_company(crm) -> None:
    marketer, tag = principal(MARKETER_ID, "marketer"), uuid.uuid4().hex[:8]
    with pytest.raises(ValidationError, match="company name"):
        service.receive_lead(crm, marketer, lead=_lead(tag, email=f"ada.{tag}@gmail.com", company_name=None))
