"""Hand-off of a lead to sales: reuse or create company and contact, optional deal, notification, retries.

The flow opens its own sessions; here each one is a savepoint inside the test's rolled-back transactions,
so a "committed" CRM step survives a later failure in marketing exactly as it would on separate servers,
and nothing outlives the test.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from nexus360.common.errors import AuthorizationError, ValidationError
from nexus360.crm.models import Company, Contact, Deal, DealStage
from nexus360.db import Database
from nexus360.db.engine import set_actor
from nexus360.marketing import flows, repository
from nexus360.marketing.schemas import ConversionRequest
from nexus360.notifications.models import Notification
from tests.crm.conftest import INACTIVE_REP_ID, REP_ID, principal


@pytest.fixture(autouse=True)
def sessions_in_test_transaction(db, monkeypatch) -> None:
    @contextmanager
    def scope(database: Database, *, actor=None, admin: bool = False) -> Iterator:
        session = db(database)
        with session.begin_nested():
            set_actor(session, actor)
            yield session

    monkeypatch.setattr(flows, "session_scope", scope)


@pytest.fixture
def crm(db):
    return db(Database.CRM)


@pytest.fixture
def tag() -> str:
    return uuid.uuid4().hex[:8]


def _lead(marketing, tag: str, *, status: str = "qualified", **values) -> int:
    fields = {
        "email": f"Grace.Hopper@Hopper-{tag}.example", "first_name": "Grace", "last_name": "Hopper",
        "company_name": f"Hopper {tag} Systems", "job_title": "CTO", "phone": "+1 555 0100", "status": status,
    } | values
    return repository.insert_lead(marketing, fields)["id"]


def _counts(crm) -> tuple[int, int, int]:
    return tuple(
        crm.execute(select(func.count()).select_from(model)).scalar_one() for model in (Company, Contact, Deal)
    )


def _deal_request(lead_id: int, **values) -> ConversionRequest:
    fields = {"create_deal": True, "deal_owner_id": REP_ID, "deal_amount": Decimal("12000.00")} | values
    return ConversionRequest(lead_id=lead_id, **fields)


def _notifications(db, owner_id: int = REP_ID) -> int:
    session = db(Database.NOTIFICATIONS)
    set_actor(session, principal(owner_id, "sales_rep"))
    statement = select(func.count()).where(Notification.user_id == owner_id, Notification.type == "lead_handed")
    return session.execute(statement).scalar_one()


def test_converting_creates_company_contact_and_deal(db, marketing, marketer, crm, tag):
    lead_id = _lead(marketing, tag)
    before = _notifications(db)
    result = flows.convert_lead(marketer, _deal_request(lead_id, deal_name="Hopper rollout"))
    assert (result.company_created, result.contact_created, result.deal_created) == (True, True, True)
    company = crm.get(Company, result.company_id)
    assert (company.name, company.domain) == (f"Hopper {tag} Systems", f"hopper-{tag}.example")
    contact = crm.get(Contact, result.contact_id)
    assert (contact.email, contact.company_id) == (f"grace.hopper@hopper-{tag}.example", company.id)
    deal = crm.get(Deal, result.deal_id)
    assert (deal.title, deal.owner_id, deal.amount, deal.contact_id) == ("Hopper rollout", REP_ID, 12000, contact.id)
    lead = repository.get_lead(marketing, lead_id)
    assert lead["status"] == "converted"
    assert (lead["converted_company_id"], lead["converted_contact_id"], lead["converted_deal_id"]) == (
        company.id, contact.id, deal.id
    )
    assert _notifications(db) == before + 1


def test_the_owner_is_told_the_deal_by_its_name_not_its_number(db, marketing, marketer, tag):
    flows.convert_lead(marketer, _deal_request(_lead(marketing, tag), deal_name=f"Hopper rollout {tag}"))
    session = db(Database.NOTIFICATIONS)
    set_actor(session, principal(REP_ID, "sales_rep"))
    message, link = session.execute(select(Notification.message, Notification.link).where(
        Notification.user_id == REP_ID, Notification.type == "lead_handed",
        Notification.message.like(f"%Hopper rollout {tag}%"))).one()
    assert f"is now your deal Hopper rollout {tag}." in message and "#" not in message
    assert link.startswith("/crm?crm_tab=Deals&deal=")


def test_deal_goes_to_the_first_open_stage_by_default(marketing, marketer, crm, tag):
    result = flows.convert_lead(marketer, _deal_request(_lead(marketing, tag)))
    first_open = crm.execute(
        select(DealStage.id).where(~DealStage.is_won, ~DealStage.is_lost).order_by(DealStage.position).limit(1)
    ).scalar_one()
    assert crm.get(Deal, result.deal_id).stage_id == first_open


def test_converting_twice_returns_the_recorded_result_and_creates_nothing(db, marketing, marketer, crm, tag):
    lead_id = _lead(marketing, tag)
    first = flows.convert_lead(marketer, _deal_request(lead_id))
    counts, notified = _counts(crm), _notifications(db)
    again = flows.convert_lead(marketer, _deal_request(lead_id))
    assert again.already_converted
    assert (again.company_id, again.contact_id, again.deal_id) == (first.company_id, first.contact_id, first.deal_id)
    assert not (again.company_created or again.contact_created or again.deal_created)
    assert _counts(crm) == counts
    assert _notifications(db) == notified


def test_retry_after_a_failure_between_the_databases_creates_no_duplicates(
    db, marketing, marketer, crm, tag, monkeypatch
):
    lead_id = _lead(marketing, tag)
    before, notified = _counts(crm), _notifications(db)
    record = flows.record_conversion

    def fail_once(session, result):
        monkeypatch.setattr(flows, "record_conversion", record)
        raise RuntimeError("marketing database went away")

    monkeypatch.setattr(flows, "record_conversion", fail_once)
    with pytest.raises(RuntimeError):
        flows.convert_lead(marketer, _deal_request(lead_id))
    after_failure = _counts(crm)
    assert after_failure == (before[0] + 1, before[1] + 1, before[2] + 1)  # the CRM step had committed
    assert repository.get_lead(marketing, lead_id)["status"] == "qualified"
    assert _notifications(db) == notified

    retried = flows.convert_lead(marketer, _deal_request(lead_id))
    assert _counts(crm) == after_failure
    assert not (retried.company_created or retried.contact_created or retried.deal_created)
    deal = crm.get(Deal, retried.deal_id)
    assert (deal.company_id, deal.contact_id) == (retried.company_id, retried.contact_id)
    lead = repository.get_lead(marketing, lead_id)
    assert (lead["status"], lead["converted_deal_id"]) == ("converted", retried.deal_id)
    assert _notifications(db) == notified + 1


def test_existing_company_and_contact_are_reused(marketing, marketer, crm, tag):
    company = Company(name=f"Hopper {tag} Holding", domain=f"HOPPER-{tag}.example")
    crm.add(company)
    crm.flush()
    result = flows.convert_lead(marketer, ConversionRequest(lead_id=_lead(marketing, tag)))
    assert (result.company_id, result.company_created, result.deal_id) == (company.id, False, None)
    other_lead = _lead(marketing, tag, email=f"GRACE.HOPPER@hopper-{tag}.example")
    again = flows.convert_lead(marketer, ConversionRequest(lead_id=other_lead))
    assert (again.contact_id, again.contact_created, again.company_id) == (result.contact_id, False, company.id)


def test_free_mail_leads_match_the_company_by_name(marketing, marketer, crm, tag):
    company = Company(name=f"Hopper {tag} Systems")
    crm.add(company)
    crm.flush()
    lead_id = _lead(marketing, tag, email=f"grace.{tag}@gmail.com", company_name=f"HOPPER {tag} systems")
    result = flows.convert_lead(marketer, ConversionRequest(lead_id=lead_id))
    assert (result.company_id, result.company_created, result.contact_created) == (company.id, False, True)


def test_free_mail_lead_without_company_is_refused(marketing, marketer, crm, tag):
    lead_id = _lead(marketing, tag, email=f"grace.{tag}@gmail.com", company_name=None)
    before = _counts(crm)
    with pytest.raises(ValidationError, match="Add the lead's company name"):
        flows.convert_lead(marketer, ConversionRequest(lead_id=lead_id))
    assert _counts(crm) == before


@pytest.mark.parametrize("status", ["new", "contacted", "disqualified"])
def test_only_qualified_leads_are_converted(marketing, marketer, crm, tag, status):
    lead_id = _lead(marketing, tag, status=status)
    before = _counts(crm)
    with pytest.raises(ValidationError, match=f"Only a qualified lead can be handed to sales; this lead is {status}"):
        flows.convert_lead(marketer, _deal_request(lead_id))
    assert _counts(crm) == before
    assert repository.get_lead(marketing, lead_id)["status"] == status


def test_converting_needs_marketing_write(marketing, crm, tag):
    lead_id = _lead(marketing, tag)
    before = _counts(crm)
    with pytest.raises(AuthorizationError):
        flows.convert_lead(principal(REP_ID, "sales_rep"), _deal_request(lead_id))
    assert _counts(crm) == before


@pytest.mark.parametrize("owner_id", [INACTIVE_REP_ID, 3, None])  # inactive rep, a marketer, nobody
def test_deal_owner_must_be_an_active_seller(db, marketing, marketer, crm, tag, owner_id):
    lead_id = _lead(marketing, tag)
    before, notified = _counts(crm), _notifications(db)
    with pytest.raises(ValidationError, match="owner|Choose the sales rep"):
        flows.convert_lead(marketer, _deal_request(lead_id, deal_owner_id=owner_id))
    assert _counts(crm) == before
    assert repository.get_lead(marketing, lead_id)["status"] == "qualified"
    assert _notifications(db) == notified


def test_closed_stage_is_refused(marketing, marketer, crm, tag):
    won = crm.execute(select(DealStage.id).where(DealStage.is_won)).scalars().first()
    lead_id = _lead(marketing, tag)
    before = _counts(crm)
    with pytest.raises(ValidationError, match="open pipeline stage"):
        flows.convert_lead(marketer, _deal_request(lead_id, deal_stage_id=won))
    assert _counts(crm) == before


@pytest.mark.parametrize(("values", "message"), [
    ({"deal_amount": Decimal("-1")}, "cannot be negative"),
    ({"deal_amount": Decimal("1e14")}, "too large"),
    ({"deal_name": "x" * 256}, "longer than 255"),
])
def test_bad_deal_details_are_refused_in_plain_words(marketing, marketer, crm, tag, values, message):
    lead_id = _lead(marketing, tag)
    before = _counts(crm)
    with pytest.raises(ValidationError, match=message):
        flows.convert_lead(marketer, _deal_request(lead_id, **values))
    assert _counts(crm) == before


def test_amount_is_rounded_to_cents(marketing, marketer, crm, tag):
    result = flows.convert_lead(marketer, _deal_request(_lead(marketing, tag), deal_amount=Decimal("1000.125")))
    assert crm.get(Deal, result.deal_id).amount == Decimal("1000.13")


def test_unknown_lead_is_not_found(marketer):
    from nexus360.common.errors import NotFoundError

    with pytest.raises(NotFoundError):
        flows.convert_lead(marketer, ConversionRequest(lead_id=987654321))


def test_source_lead_is_unique_on_deals(crm):
    index = crm.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ux_deals_source_lead_id'")).scalar()
    assert "UNIQUE" in index and "source_lead_id IS NOT NULL" in index
