"""Queries of deals: the filtered list, the pipeline board and stage history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, func, literal_column, select
from sqlalchemy.orm import Session

from nexus360.common.pagination import Page, after_clause, fetch_page
from nexus360.common.sql import contains
from nexus360.crm.models import Company, Contact, Deal, DealStage, DealStageChange

FAR_FUTURE = date(9999, 12, 31)  # sorts deals without a close date last
# Written as a literal, not a bound parameter, so it matches the indexed expression of crm_0004/0005.
_FAR_FUTURE_SQL = literal_column("DATE '9999-12-31'", Date)


def close_key():
    """coalesce(close_date, DATE '9999-12-31'): the deal list's sort key, as the indexes spell it."""
    return func.coalesce(Deal.close_date, _FAR_FUTURE_SQL)


@dataclass(frozen=True)
class DealFilters:
    search: str = ""
    stage_ids: tuple[int, ...] = ()
    owner_ids: tuple[int, ...] = ()
    company_id: int | None = None
    close_from: date | None = None
    close_to: date | None = None
    open_only: bool = False


def _list_columns():
    return (
        Deal.id,
        Deal.title,
        Company.name.label("company"),
        DealStage.name.label("stage"),
        Deal.amount,
        Deal.close_date,
        Deal.owner_id,
        Deal.company_id,
        Deal.stage_id,
        Deal.updated_at,
        close_key().label("close_key"),
    )


def deal_list_statement(filters: DealFilters):
    statement = (
        select(*_list_columns())
        .select_from(Deal)
        .join(Company, Company.id == Deal.company_id)
        .join(DealStage, DealStage.id == Deal.stage_id)
    )
    if filters.search.strip():
        # Two trigram-index lookups joined by UNION: an OR across the two tables would scan every deal.
        text = filters.search.strip()
        by_title = select(Deal.id).where(contains(Deal.title, text))
        by_company = select(Deal.id).join(Company, Company.id == Deal.company_id).where(contains(Company.name, text))
        statement = statement.where(Deal.id.in_(by_title.union(by_company)))
    if filters.stage_ids:
        statement = statement.where(Deal.stage_id.in_(filters.stage_ids))
    if filters.owner_ids:
        statement = statement.where(Deal.owner_id.in_(filters.owner_ids))
    if filters.company_id:
        statement = statement.where(Deal.company_id == filters.company_id)
    if filters.close_from:
        statement = statement.where(Deal.close_date >= filters.close_from)
    if filters.close_to:
        statement = statement.where(Deal.close_date <= filters.close_to)
    if filters.open_only:
        statement = statement.where(Deal.is_open)  # plain "is_open": matches the partial indexes' predicate
    return statement


def list_deals(session: Session, filters: DealFilters, *, after: tuple | None, limit: int) -> Page:
    """Deals by close date (soonest first, undated last), then id."""
    key = close_key()
    statement = deal_list_statement(filters)
    if after:
        statement = statement.where(after_clause([key, Deal.id], after))
    return fetch_page(session, statement.order_by(key, Deal.id), key=("close_key", "id"), limit=limit)


def get_deal(session: Session, deal_id: int, *, lock: bool = False) -> Deal | None:
    if lock:
        return session.scalars(select(Deal).where(Deal.id == deal_id).with_for_update()).first()
    return session.get(Deal, deal_id)


def deal_titles(session: Session, deal_ids: list[int]) -> dict[int, str]:
    return dict(session.execute(select(Deal.id, Deal.title).where(Deal.id.in_(deal_ids))).all()) if deal_ids else {}


def get_stage(session: Session, stage_id: int) -> DealStage | None:
    return session.get(DealStage, stage_id)


def company_exists(session: Session, company_id: int) -> bool:
    return session.get(Company, company_id) is not None


def contact_company(session: Session, contact_id: int) -> int | None | bool:
    """The contact's company id; False when the contact does not exist."""
    contact = session.get(Contact, contact_id)
    return False if contact is None else contact.company_id


def find_similar_deals(session: Session, *, title: str, company_id: int, exclude_id: int | None = None):
    statement = select(Deal.id, Deal.title).where(
        func.lower(Deal.title) == title.lower(), Deal.company_id == company_id
    )
    if exclude_id:
        statement = statement.where(Deal.id != exclude_id)
    return [tuple(row) for row in session.execute(statement.limit(5))]


def add_stage_change(
    session: Session,
    *,
    deal_id: int,
    from_stage_id: int | None,
    to_stage_id: int,
    user_id: int | None,
    at: datetime | None = None,
) -> None:
    change = DealStageChange(deal_id=deal_id, from_stage_id=from_stage_id, to_stage_id=to_stage_id, changed_by=user_id)
    if at is not None:
        change.changed_at = at
    session.add(change)


def stage_history(session: Session, deal_id: int) -> list[tuple]:
    """(changed_at, from stage, to stage, changed_by) of one deal, oldest first."""
    source = DealStage.__table__.alias("source")
    target = DealStage.__table__.alias("target")
    statement = (
        select(DealStageChange.changed_at, source.c.name, target.c.name, DealStageChange.changed_by)
        .outerjoin(source, source.c.id == DealStageChange.from_stage_id)
        .join(target, target.c.id == DealStageChange.to_stage_id)
        .where(DealStageChange.deal_id == deal_id)
        .order_by(DealStageChange.changed_at, DealStageChange.id)
    )
    return [tuple(row) for row in session.execute(statement)]


def board_totals(session: Session, owner_ids: tuple[int, ...]) -> list[tuple[int, str, int, float]]:
    """(stage id, stage, deals, amount) for each open stage, in pipeline order."""
    joined = Deal.stage_id == DealStage.id
    if owner_ids:
        joined = joined & Deal.owner_id.in_(owner_ids)
    statement = (
        select(DealStage.id, DealStage.name, func.count(Deal.id), func.coalesce(func.sum(Deal.amount), 0))
        .outerjoin(Deal, joined)
        .where(DealStage.is_won.is_(False), DealStage.is_lost.is_(False))
        .group_by(DealStage.id)
        .order_by(DealStage.position)
    )
    return [(sid, name, int(count), float(amount)) for sid, name, count, amount in session.execute(statement)]


def delete_deal(session: Session, deal: Deal) -> None:
    session.delete(deal)
