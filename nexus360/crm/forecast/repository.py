"""Queries behind the Forecasts page: a period's totals and deals by category, won revenue per month,
deals' stages at a moment, and setting a deal's category."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
from sqlalchemy import Date, and_, cast, func, select, text, tuple_
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from nexus360.common.pagination import Page, clamp
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


def _owned(statement, owner_ids: Sequence[int] | None):
    return statement if owner_ids is None else statement.where(Deal.owner_id.in_(list(owner_ids)))


def list_stages(session: Session) -> list[StageCategory]:
    rows = session.execute(select(DealStage).order_by(DealStage.position)).scalars()
    return [StageCategory(id=s.id, name=s.name, position=s.position, probability=s.win_probability,
                          is_won=s.is_won, is_lost=s.is_lost, category=s.forecast_category) for s in rows]


@dataclass(frozen=True)
class Pipeline:
    """The stages as id lists, so the period queries filter deals by stage id alone: an index-only range scan of
    ix_deals_stage_close_forecast per stage, never a join that makes PostgreSQL read every deal."""

    stages: tuple[StageCategory, ...]

    def ids(self, *, won: bool | None = None, lost: bool | None = None) -> list[int]:
        return [s.id for s in self.stages if (won is None or s.is_won == won) and (lost is None or s.is_lost == lost)]

    @property
    def open_ids(self) -> list[int]:
        return self.ids(won=False, lost=False)

    def default(self, stage_id: int) -> str:
        return next(s.category for s in self.stages if s.id == stage_id)

    def in_effect(self, stage_id: int, chosen: str | None) -> str:
        stage = next(s for s in self.stages if s.id == stage_id)
        return CLOSED if stage.is_won else OMITTED if stage.is_lost else chosen or stage.category

    def matching(self, category: str):
        """The SQL condition for deals whose category in effect is `category`, without joining the stages."""
        defaults = [s.id for s in self.stages if not s.is_won and not s.is_lost and s.category == category]
        chosen = Deal.stage_id.in_(self.open_ids) & ((Deal.forecast_category == category) | (
            Deal.forecast_category.is_(None) & Deal.stage_id.in_(defaults or [-1])))
        if category == CLOSED:
            return Deal.stage_id.in_(self.ids(won=True) or [-1])
        if category == OMITTED:
            return chosen | Deal.stage_id.in_(self.ids(lost=True) or [-1])
        return chosen


def pipeline(session: Session) -> Pipeline:
    return Pipeline(tuple(list_stages(session)))


def period_totals(session: Session, *, start: date, end: date, owner_ids: Sequence[int] | None) -> list[PeriodTotal]:
    """Open and won deals closing in [start, end] per owner, stage and category in effect (index-only, crm_0010)."""
    stages = pipeline(session)
    statement = (
        select(Deal.owner_id, Deal.stage_id, Deal.forecast_category, func.count(),
               func.coalesce(func.sum(Deal.amount), 0))
        .where(Deal.stage_id.in_(stages.ids(lost=False)), Deal.close_date.between(start, end))
        .group_by(Deal.owner_id, Deal.stage_id, Deal.forecast_category)
    )
    merged: dict[tuple[int, int, str], list] = {}
    for owner, stage_id, chosen, count, amount in session.execute(_owned(statement, owner_ids)):
        key = (owner, stage_id, stages.in_effect(stage_id, chosen))
        found = merged.setdefault(key, [0, Decimal(0)])
        found[0] += count
        found[1] += amount
    return [PeriodTotal(owner, stage_id, category, count, amount)
            for (owner, stage_id, category), (count, amount) in merged.items()]


def undated_totals(session: Session, *, owner_ids: Sequence[int] | None) -> list[UndatedTotal]:
    """Open deals without a close date, per owner."""
    statement = (
        select(Deal.owner_id, func.count(), func.coalesce(func.sum(Deal.amount), 0))
        .where(Deal.stage_id.in_(pipeline(session).open_ids), Deal.close_date.is_(None))
        .group_by(Deal.owner_id)
    )
    return [UndatedTotal(*row) for row in session.execute(_owned(statement, owner_ids))]


def period_deals(session: Session, *, start: date, end: date,
                 owner_ids: Sequence[int] | None) -> list[SnapshotDealRow]:
    """Every open or won deal closing in [start, end], as a snapshot keeps it."""
    stages = pipeline(session)
    won = set(stages.ids(won=True))
    statement = (
        select(Deal.id, Deal.owner_id, func.coalesce(Deal.amount, 0), Deal.close_date, Deal.stage_id,
               Deal.forecast_category, cast(Deal.created_at, Date))
        .where(Deal.stage_id.in_(stages.ids(lost=False)), Deal.close_date.between(start, end))
    )
    return [SnapshotDealRow(deal_id, owner, amount, close, stage_id, stages.in_effect(stage_id, chosen),
                            stage_id in won, created)
            for deal_id, owner, amount, close, stage_id, chosen, created
            in session.execute(_owned(statement, owner_ids))]


PERIOD_DEALS_TEXT = """
SELECT coalesce(string_agg(concat_ws(E'\t', d.id, d.owner_id, coalesce(d.amount, 0), d.close_date, d.stage_id,
           CASE WHEN s.is_won THEN 'closed' ELSE coalesce(d.forecast_category, s.forecast_category) END,
           s.is_won, coalesce(d.created_at::date::text, '\\N')), E'\n') || E'\n', '')
FROM deals d JOIN deal_stages s ON s.id = d.stage_id
WHERE d.stage_id = ANY(:stages) AND d.close_date BETWEEN :start AND :end AND (:all_owners OR d.owner_id = ANY(:owners))
"""


def copy_period_deals(session: Session, *, start: date, end: date, owner_ids: Sequence[int] | None) -> bytes:
    """The rows of `period_deals` as COPY text, joined by the server into one value (no Python object, nor even
    a protocol message, per deal): a snapshot of a company quarter keeps about 100,000 deals at a million."""
    found = session.execute(text(PERIOD_DEALS_TEXT), {
        "start": start, "end": end, "stages": pipeline(session).ids(lost=False), "all_owners": owner_ids is None,
        "owners": [int(owner) for owner in owner_ids or ()]})
    return found.scalar_one().encode()


def monthly_won(session: Session, *, since: date, until: date, owner_ids: Sequence[int] | None,
                by_owner: bool) -> list[MonthlyWon]:
    """Won revenue per month (and owner) of deals closed in [since, until): summed per day in index order (no
    sort, no date arithmetic per deal), then per month here."""
    keys = [Deal.close_date, Deal.owner_id] if by_owner else [Deal.close_date]
    statement = (
        select(*keys, func.sum(Deal.amount))
        .where(Deal.stage_id.in_(pipeline(session).ids(won=True) or [-1]), Deal.close_date >= since,
               Deal.close_date < until, Deal.amount.is_not(None))
        .group_by(*keys)
    )
    months: dict[tuple[date, int | None], Decimal] = {}
    for row in session.execute(_owned(statement, owner_ids)):
        key = (row[0].replace(day=1), row[1] if by_owner else None)
        months[key] = months.get(key, Decimal(0)) + row[-1]
    return [MonthlyWon(month=month, owner_id=owner, amount=amount)
            for (month, owner), amount in sorted(months.items(), key=lambda item: (item[0][0], item[0][1] or 0))]


def list_category_deals(session: Session, *, start: date, end: date, owner_ids: Sequence[int] | None,
                        category: str | None, open_only: bool, after: tuple | None, limit: int) -> Page:
    """One page of a period's deals, largest first (amount, then id): the page's ids from the index alone (top-N),
    then their details."""
    stages = pipeline(session)
    amount = func.coalesce(Deal.amount, 0)
    chosen = stages.matching(category) if category is not None else Deal.stage_id.in_(stages.ids(lost=False))
    keys = select(Deal.id, amount.label("sort_amount")).where(Deal.close_date.between(start, end), chosen)
    if open_only:
        keys = keys.where(Deal.stage_id.in_(stages.open_ids))
    if after:
        keys = keys.where(tuple_(amount, Deal.id) < tuple_(*after))
    limit = clamp(limit)
    found = session.execute(_owned(keys, owner_ids).order_by(amount.desc(), Deal.id.desc()).limit(limit + 1)).all()
    more, found = len(found) > limit, found[:limit]
    order = {row.id: index for index, row in enumerate(found)}
    details = session.execute(
        select(Deal.id, Deal.title, Company.name.label("company"), DealStage.name.label("stage"), Deal.amount,
               Deal.close_date, Deal.owner_id, Deal.stage_id, DealStage.forecast_category.label("stage_category"),
               Deal.forecast_category.label("chosen"), Deal.forecast_category_set_by.label("chosen_by"),
               Deal.forecast_category_set_at.label("chosen_at"), Deal.is_open, amount.label("sort_amount"))
        .join(DealStage, DealStage.id == Deal.stage_id).join(Company, Company.id == Deal.company_id)
        .where(Deal.id.in_(list(order) or [-1]))
    ).all()
    frame = pd.DataFrame(sorted(details, key=lambda row: order[row.id]), columns=list(DEAL_COLUMNS))
    frame.insert(7, "category", [stages.in_effect(row.stage_id, row.chosen) for row in frame.itertuples()])
    next_after = (found[-1].sort_amount, found[-1].id) if more else None
    return Page(rows=frame.drop(columns=["stage_id"]), next_after=next_after)


DEAL_COLUMNS = ("id", "title", "company", "stage", "amount", "close_date", "owner_id", "stage_id", "stage_category",
                "chosen", "chosen_by", "chosen_at", "is_open", "sort_amount")


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
