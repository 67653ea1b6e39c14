"""Queries behind the Forecasts page: a period's totals and deals by category, won revenue per month,
deals' stages at a moment, and setting a deal's category."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Date, and_, case, cast, func, select, text, tuple_
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from nexus360.common.pagination import Page, fetch_page
from nexus360.crm.forecast.schemas import (
    CLOSED,
    OMITTED,
    DealState,
    MonthlyWon,
    PeriodTotal,
    SnapshotDealRow,
    StageCategory,
    UndatedTotal,
)
from nexus360.crm.models import Company, Deal, DealStage, DealStageChange


def category_in_effect():
    """Won deals are Closed and lost ones Omitted; an open deal has its own choice, else its stage's default."""
    return case(
        (DealStage.is_won, CLOSED),
        (DealStage.is_lost, OMITTED),
        else_=func.coalesce(Deal.forecast_category, DealStage.forecast_category),
    )


def _owned(statement, owner_ids: Sequence[int] | None):
    return statement if owner_ids is None else statement.where(Deal.owner_id.in_(list(owner_ids)))


def list_stages(session: Session) -> list[StageCategory]:
    rows = session.execute(select(DealStage).order_by(DealStage.position)).scalars()
    return [StageCategory(id=s.id, name=s.name, position=s.position, probability=s.win_probability,
                          is_won=s.is_won, is_lost=s.is_lost, category=s.forecast_category) for s in rows]


def period_totals(session: Session, *, start: date, end: date, owner_ids: Sequence[int] | None) -> list[PeriodTotal]:
    """Open and won deals closing in [start, end] per owner, stage and category (index-only, crm_0010)."""
    category = category_in_effect()
    statement = (
        select(Deal.owner_id, Deal.stage_id, category, func.count(), func.coalesce(func.sum(Deal.amount), 0))
        .join(DealStage, DealStage.id == Deal.stage_id)
        .where(DealStage.is_lost.is_(False), Deal.close_date.between(start, end))
        .group_by(Deal.owner_id, Deal.stage_id, category)
    )
    return [PeriodTotal(*row) for row in session.execute(_owned(statement, owner_ids))]


def undated_totals(session: Session, *, owner_ids: Sequence[int] | None) -> list[UndatedTotal]:
    """Open deals without a close date, per owner."""
    statement = (
        select(Deal.owner_id, func.count(), func.coalesce(func.sum(Deal.amount), 0))
        .join(DealStage, DealStage.id == Deal.stage_id)
        .where(DealStage.is_won.is_(False), DealStage.is_lost.is_(False), Deal.close_date.is_(None))
        .group_by(Deal.owner_id)
    )
    return [UndatedTotal(*row) for row in session.execute(_owned(statement, owner_ids))]


def period_deals(session: Session, *, start: date, end: date,
                 owner_ids: Sequence[int] | None) -> list[SnapshotDealRow]:
    """Every open or won deal closing in [start, end], as a snapshot keeps it (plain rows: tens of thousands)."""
    statement = (
        select(Deal.id, Deal.owner_id, func.coalesce(Deal.amount, 0), Deal.close_date, Deal.stage_id,
               category_in_effect(), DealStage.is_won, cast(Deal.created_at, Date))
        .join(DealStage, DealStage.id == Deal.stage_id)
        .where(DealStage.is_lost.is_(False), Deal.close_date.between(start, end))
    )
    return [SnapshotDealRow(*row) for row in session.execute(_owned(statement, owner_ids))]


PERIOD_DEALS_TEXT = """
SELECT coalesce(string_agg(concat_ws(E'\t', d.id, d.owner_id, coalesce(d.amount, 0), d.close_date, d.stage_id,
           CASE WHEN s.is_won THEN 'closed' ELSE coalesce(d.forecast_category, s.forecast_category) END,
           s.is_won, coalesce(d.created_at::date::text, E'\\N')), E'\n') || E'\n', '')
FROM deals d JOIN deal_stages s ON s.id = d.stage_id
WHERE NOT s.is_lost AND d.close_date BETWEEN :start AND :end AND (:all_owners OR d.owner_id = ANY(:owners))
"""


def copy_period_deals(session: Session, *, start: date, end: date, owner_ids: Sequence[int] | None) -> bytes:
    """The rows of `period_deals` as COPY text, joined by the server into one value (no Python object, nor even
    a protocol message, per deal): a snapshot of a company quarter keeps about 100,000 deals at a million."""
    found = session.execute(text(PERIOD_DEALS_TEXT), {"start": start, "end": end, "all_owners": owner_ids is None,
                                                      "owners": [int(owner) for owner in owner_ids or ()]})
    return found.scalar_one().encode()


def monthly_won(session: Session, *, since: date, until: date, owner_ids: Sequence[int] | None,
                by_owner: bool) -> list[MonthlyWon]:
    """Won revenue per month (and owner) of deals closed in [since, until)."""
    month = cast(func.date_trunc("month", Deal.close_date), Date)
    owner = Deal.owner_id if by_owner else None
    keys = [month, owner] if owner is not None else [month]
    statement = (
        select(*keys, func.sum(Deal.amount))
        .join(DealStage, DealStage.id == Deal.stage_id)
        .where(DealStage.is_won.is_(True), Deal.close_date >= since, Deal.close_date < until,
               Deal.amount.is_not(None))
        .group_by(*keys)
        .order_by(*keys)
    )
    rows = session.execute(_owned(statement, owner_ids))
    if by_owner:
        return [MonthlyWon(month=row[0], owner_id=row[1], amount=row[2]) for row in rows]
    return [MonthlyWon(month=row[0], owner_id=None, amount=row[1]) for row in rows]


def category_deals_statement(*, start: date, end: date, owner_ids: Sequence[int] | None,
                             category: str | None, open_only: bool):
    effective = category_in_effect()
    statement = (
        select(Deal.id, Deal.title, Company.name.label("company"), DealStage.name.label("stage"), Deal.amount,
               Deal.close_date, Deal.owner_id, effective.label("category"),
               DealStage.forecast_category.label("stage_category"), Deal.forecast_category.label("chosen"),
               Deal.forecast_category_set_by.label("chosen_by"), Deal.forecast_category_set_at.label("chosen_at"),
               Deal.is_open)
        .join(DealStage, DealStage.id == Deal.stage_id)
        .join(Company, Company.id == Deal.company_id)
        .where(Deal.close_date.between(start, end))
    )
    if open_only:
        statement = statement.where(DealStage.is_won.is_(False), DealStage.is_lost.is_(False))
    if category is not None:
        statement = statement.where(effective == category)
    else:  # every category but lost deals (they are in Omitted)
        statement = statement.where(DealStage.is_lost.is_(False))
    return _owned(statement, owner_ids)


def list_category_deals(session: Session, *, start: date, end: date, owner_ids: Sequence[int] | None,
                        category: str | None, open_only: bool, after: tuple | None, limit: int) -> Page:
    """One page of a period's deals, largest first (amount, then id)."""
    statement = category_deals_statement(start=start, end=end, owner_ids=owner_ids, category=category,
                                         open_only=open_only)
    amount = func.coalesce(Deal.amount, 0)
    statement = statement.add_columns(amount.label("sort_amount"))
    if after:
        statement = statement.where(tuple_(amount, Deal.id) < tuple_(*after))
    return fetch_page(session, statement.order_by(amount.desc(), Deal.id.desc()), key=("sort_amount", "id"),
                      limit=limit)


def get_deal_for_update(session: Session, deal_id: int) -> tuple[Deal, DealStage] | None:
    row = session.execute(select(Deal, DealStage).join(DealStage, DealStage.id == Deal.stage_id)
                          .where(Deal.id == deal_id).with_for_update(of=Deal)).first()
    return (row[0], row[1]) if row else None


def set_category(session: Session, deal: Deal, *, category: str | None, user_id: int, at: datetime) -> None:
    deal.forecast_category = category
    deal.forecast_category_set_by = user_id if category is not None else None
    deal.forecast_category_set_at = at if category is not None else None
    session.flush()


def states_at(session: Session, *, deal_ids: Sequence[int], at: datetime,
              owner_ids: Sequence[int] | None) -> list[DealState]:
    """Each existing deal's stage at `at` (its last move until then; its stage now if none) and close date now."""
    if not deal_ids:
        return []
    last_move = (
        select(DealStageChange.deal_id, DealStageChange.to_stage_id)
        .where(DealStageChange.deal_id.in_(list(deal_ids)), DealStageChange.changed_at <= at)
        .ext(distinct_on(DealStageChange.deal_id))
        .order_by(DealStageChange.deal_id, DealStageChange.changed_at.desc(), DealStageChange.id.desc())
        .subquery()
    )
    stage_then = func.coalesce(last_move.c.to_stage_id, Deal.stage_id)
    statement = (
        select(Deal.id, DealStage.name, DealStage.is_won, DealStage.is_lost, Deal.close_date)
        .outerjoin(last_move, last_move.c.deal_id == Deal.id)
        .join(DealStage, and_(DealStage.id == stage_then))
        .where(Deal.id.in_(list(deal_ids)))
    )
    return [DealState(*row) for row in session.execute(_owned(statement, owner_ids))]
