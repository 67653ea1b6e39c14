"""CRM-side queries of the lead hand-off: find-or-create by natural keys, so a retry finds the first attempt.

Companies are found by domain, then by name; contacts by email; deals by `source_lead_id` (unique,
migration crm_0006). Each is compared case-insensitively, backed by the lower(...) indexes of crm_0004.
These run on a CRM session opened by `flows.convert_lead`; nothing here commits.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from nexus360.crm.deals import repository as deal_repository
from nexus360.crm.models import Company, Contact, Deal, DealStage


def find_company(session: Session, *, domain: str | None, name: str | None) -> int | None:
    """The oldest company with this domain, else with this name, ignoring case."""
    for wanted, field in ((domain, Company.domain), (name, Company.name)):
        if wanted:
            statement = select(Company.id).where(func.lower(field) == wanted.lower()).order_by(Company.id).limit(1)
            found = session.execute(statement).scalar_one_or_none()
            if found is not None:
                return found
    return None


def create_company(session: Session, *, name: str, domain: str | None) -> int:
    statement = insert(Company).values(name=name[:255], domain=domain).returning(Company.id)
    return session.execute(statement).scalar_one()


def find_contact(session: Session, *, email: str) -> tuple[int, int | None] | None:
    """(id, company_id) of the oldest contact with this email, ignoring case."""
    statement = (
        select(Contact.id, Contact.company_id)
        .where(func.lower(Contact.email) == email.lower())
        .order_by(Contact.id)
        .limit(1)
    )
    row = session.execute(statement).one_or_none()
    return None if row is None else (row[0], row[1])


def create_contact(session: Session, *, values: dict) -> int:
    return session.execute(insert(Contact).values(**values).returning(Contact.id)).scalar_one()


def find_deal_for_lead(session: Session, lead_id: int):
    """(id, company_id, contact_id, owner_id, title) of the deal a previous hand-off of this lead created."""
    statement = select(Deal.id, Deal.company_id, Deal.contact_id, Deal.owner_id, Deal.title).where(
        Deal.source_lead_id == lead_id)
    return session.execute(statement).one_or_none()


def first_open_stage(session: Session) -> int | None:
    statement = (
        select(DealStage.id)
        .where(DealStage.is_won.is_(False), DealStage.is_lost.is_(False))
        .order_by(DealStage.position, DealStage.id)
        .limit(1)
    )
    return session.execute(statement).scalar_one_or_none()


def open_stage_exists(session: Session, stage_id: int) -> bool:
    stage = session.get(DealStage, stage_id)
    return stage is not None and not stage.is_won and not stage.is_lost


def create_deal(
    session: Session,
    *,
    lead_id: int,
    title: str,
    company_id: int,
    contact_id: int,
    stage_id: int,
    amount: Decimal | None,
    close_date: date | None,
    owner_id: int,
    user_id: int,
) -> int:
    """Insert the deal with its source lead and its first stage-history row; returns its id."""
    statement = (
        insert(Deal)
        .values(
            title=title[:255], company_id=company_id, contact_id=contact_id, stage_id=stage_id, amount=amount,
            close_date=close_date, owner_id=owner_id, source_lead_id=lead_id,
        )
        .returning(Deal.id)
    )
    deal_id = session.execute(statement).scalar_one()
    deal_repository.add_stage_change(
        session, deal_id=deal_id, from_stage_id=None, to_stage_id=stage_id, user_id=user_id
    )
    session.flush()
    return deal_id
