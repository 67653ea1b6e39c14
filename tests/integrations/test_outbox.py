"""Events commit with the change that causes them, or not at all; relaying them twice enqueues nothing twice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nexus360.auth.schemas import DEFAULT_GRANTS, Principal
from nexus360.crm.deals import service as deal_service
from nexus360.crm.deals.schemas import DealCreate
from nexus360.crm.models import Company, Deal
from nexus360.db import Database, session_scope
from nexus360.jobs import service as jobs
from nexus360.jobs.models import Job, event_outbox
from nexus360.jobs.schemas import Enqueue
from tests.compensation.conftest import approve, deals, sessions  # noqa: F401 (fixtures)
from tests.compensation.conftest import run as run_period

REP = Principal(id=7, email="rep@nexus360.example.com", roles=("sales_rep",),
                permissions=frozenset(DEFAULT_GRANTS["sales_rep"]))
PROSPECTING, PROPOSAL, WON, LOST = 1, 4, 6, 7


def events_in(session: Session, event_type: str, **data) -> list[dict]:
    rows = session.execute(select(event_outbox.c.data).where(event_outbox.c.event_type == event_type)
                           .where(event_outbox.c.data.contains(data)))
    return [row.data for row in rows]


def new_deal(company_id: int, title: str) -> DealCreate:
    return DealCreate(title=title, company_id=company_id, stage_id=PROSPECTING, amount=Decimal("5000"),
                      close_date=date(2026, 12, 1), owner_id=REP.id)


def company(session: Session) -> int:
    row = Company(name="Outbox Test GmbH", domain="outbox-test.example")
    session.add(row)
    session.flush()
    return row.id


def test_a_created_deal_and_its_event_commit_together(seeded) -> None:
    with (session_scope(Database.CRM, actor=REP) as crm, session_scope(Database.AUTH) as auth,
          session_scope(Database.NOTIFICATIONS) as notes):
        created = deal_service.create_deal(crm, REP, data=new_deal(company(crm), "Outbox commits"), auth_session=auth,
                                           notes=notes)
    with session_scope(Database.CRM, admin=True) as crm:
        assert crm.get(Deal, created.id) is not None
        assert len(events_in(crm, "deal.created", id=created.id)) == 1


def test_a_rolled_back_change_leaves_no_event(seeded) -> None:
    class Boom(Exception):
        pass

    with (pytest.raises(Boom), session_scope(Database.CRM, actor=REP) as crm, session_scope(Database.AUTH) as auth,
          session_scope(Database.NOTIFICATIONS) as notes):
        data = new_deal(company(crm), "Outbox rolls back")
        created = deal_service.create_deal(crm, REP, data=data, auth_session=auth, notes=notes)
        raise Boom  # e.g. the database fails at commit: the deal and its event go together
    with session_scope(Database.CRM, admin=True) as crm:
        assert crm.get(Deal, created.id) is None
        assert events_in(crm, "deal.created", id=created.id) == []


def test_winning_and_losing_a_deal_emit_their_events(db) -> None:
    crm, auth, notes = db(Database.CRM), db(Database.AUTH), db(Database.NOTIFICATIONS)
    won = deal_service.create_deal(crm, REP, data=new_deal(company(crm), "To win"), auth_session=auth, notes=notes)
    lost = deal_service.create_deal(crm, REP, data=new_deal(company(crm), "To lose"), auth_session=auth, notes=notes)

    deal_service.move_deal_stage(crm, REP, deal_id=won.id, stage_id=PROPOSAL, notes=notes)
    assert events_in(crm, "deal.won", id=won.id) == []
    deal_service.move_deal_stage(crm, REP, deal_id=won.id, stage_id=WON, notes=notes)
    deal_service.move_deal_stage(crm, REP, deal_id=lost.id, stage_id=LOST, notes=notes)

    [event] = events_in(crm, "deal.won", id=won.id)
    assert event["title"] == "To win" and event["amount"] == "5000.00"
    assert len(events_in(crm, "deal.lost", id=lost.id)) == 1


def test_an_approved_commission_emits_its_event_in_the_approval(sessions, deals) -> None:  # noqa: F811
    run_period(sessions)
    approve(sessions)

    [event] = events_in(sessions.comp, "commission.approved", user_id=900101)
    assert event["period"] == "2031-Q1" and event["approved_by"] == 2


def test_relaying_again_after_a_lost_commit_enqueues_nothing_twice(db) -> None:
    crm, integration = db(Database.CRM), db(Database.INTEGRATION)
    crm.execute(event_outbox.update().where(event_outbox.c.dispatched_at.is_(None)).values(
        dispatched_at=func.now()))
    event_id = jobs.record_event(crm, "deal.won", {"id": 1})

    def route(event):
        return [Enqueue(kind="webhook.deliver", key=f"webhook:{event.event_id}:0", payload={"event": event.event_id})]

    assert jobs.relay_events(crm, integration, route=route) == 1
    # the source's "dispatched" stamp is lost (its commit failed after the queue's): the next relay sees it again
    crm.execute(event_outbox.update().where(event_outbox.c.event_id == event_id).values(dispatched_at=None))
    assert jobs.relay_events(crm, integration, route=route) == 1

    count = integration.scalar(select(func.count()).select_from(Job).where(Job.key == f"webhook:{event_id}:0"))
    assert count == 1


def test_an_unknown_event_type_is_refused(db) -> None:
    with pytest.raises(Exception, match="Unknown event type"):
        jobs.record_event(db(Database.CRM), "deal.exploded", {})


def test_the_forecast_hook_writes_its_event_to_the_forecasting_outbox(db) -> None:
    forecasting = db(Database.FORECASTING)
    jobs.record_forecast_submitted(forecasting, forecast_id=1, period="2026-Q4", scope="rep:7", amount="125000.00",
                                   submitted_by=7)
    [event] = events_in(forecasting, "forecast.submitted", forecast_id=1)
    assert event["period"] == "2026-Q4" and event["amount"] == "125000.00"


def test_a_lead_handed_to_sales_emits_its_event_with_the_conversion(db, monkeypatch) -> None:
    import uuid
    from collections.abc import Iterator
    from contextlib import contextmanager

    from nexus360.db.engine import set_actor
    from nexus360.marketing import flows, repository
    from nexus360.marketing.schemas import ConversionRequest

    @contextmanager
    def scope(database: Database, *, actor=None, admin: bool = False) -> Iterator:
        session = db(database)
        with session.begin_nested():
            set_actor(session, actor)
            yield session

    monkeypatch.setattr(flows, "session_scope", scope)
    marketer = Principal(id=3, email="marketer@x", roles=("marketer",),
                         permissions=frozenset(DEFAULT_GRANTS["marketer"]))
    tag = uuid.uuid4().hex[:8]
    lead_id = repository.insert_lead(db(Database.MARKETING), {
        "email": f"ada@lovelace-{tag}.example", "first_name": "Ada", "last_name": "Lovelace",
        "company_name": f"Lovelace {tag}", "status": "qualified"})["id"]

    result = flows.convert_lead(marketer, ConversionRequest(lead_id=lead_id, create_deal=True, deal_owner_id=7))

    [event] = events_in(db(Database.MARKETING), "lead.handed_off", lead_id=lead_id)
    assert event == {"lead_id": lead_id, "company_id": result.company_id, "contact_id": result.contact_id,
                     "deal_id": result.deal_id}
