"""Queries of deals: the filtered list, the pipeline board, stage history, and the reads of won and open
deals other domains make through nexus360.crm.deals.service."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Integer, and_, bindparam, exists, func, literal_column, or_, select, text, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from nexus360.common.pagination import Page, after_clause, fetch_page
from nexus360.common.sql import contains
from nexus360.crm.deals.schemas import DealFilters, DealValues, OpenDeal, SlippingDeal, WonDeal
from nexus360.crm.models import Company, Deal, DealStage, DealStageChange

FAR_FUTURE = date(9999, 12, 31)  # sorts deals without a close date last
# Written as a literal, not a bound parameter, so it matches the indexed expression of crm_0004/0005.
_FAR_FUTURE_SQL = literal_column("DATE '9999-12-31'", Date)


def close_key():
    """coalesce(close_date, DATE '9999-12-31'): the deal list's sort key, as the indexes spell it."""
    return func.coalesce(Deal.close_date, _FAR_FUTURE_SQL)


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


SEARCH_PROBE = 2_000  # a search matching more deals than this is "common": read in list order, filtered


def list_deals(session: Session, filters: DealFilters, *, after: tuple | None, limit: int) -> Page:
    """Deals by close date (soonest first, undated last), then id.

    A search picks its plan by what it matches, as the planner cannot: a rare text ("renewal 00042") is found
    through the trigram indexes (at most SEARCH_PROBE ids each from titles and companies, two short probes),
    a common one ("renewal": hundreds of thousands of deals) by reading the list's own index in order and
    keeping the matches, which come at once. Either way tens of milliseconds at a million deals, where one
    plan for both took seconds for one of them.
    """
    key = close_key()
    text = filters.search.strip()
    statement = deal_list_statement(replace(filters, search="") if text else filters)
    if text:
        ids = _few_matches(session, text)
        statement = statement.where(
            or_(contains(Deal.title, text), contains(Company.name, text)) if ids is None else Deal.id.in_(ids)
        )
    if after:
        statement = statement.where(after_clause([key, Deal.id], after))
    return fetch_page(session, statement.order_by(key, Deal.id), key=("close_key", "id"), limit=limit)


def _few_matches(session: Session, text: str) -> list[int] | None:
    """The ids of the deals whose title or company name contains `text`, or None when either matches more than
    SEARCH_PROBE deals."""
    by_title = session.scalars(select(Deal.id).where(contains(Deal.title, text)).limit(SEARCH_PROBE + 1)).all()
    if len(by_title) > SEARCH_PROBE:
        return None
    companies = select(Company.id).where(contains(Company.name, text)).limit(SEARCH_PROBE + 1)
    by_company = session.scalars(select(Deal.id).where(Deal.company_id.in_(companies)).limit(SEARCH_PROBE + 1)).all()
    if len(by_company) > SEARCH_PROBE:
        return None
    return sorted(set(by_title) | set(by_company))


def get_deal(session: Session, deal_id: int, *, lock: bool = False) -> Deal | None:
    if lock:
        return session.scalars(select(Deal).where(Deal.id == deal_id).with_for_update()).first()
    return session.get(Deal, deal_id)


def deal_titles(session: Session, deal_ids: list[int]) -> dict[int, str]:
    return dict(session.execute(select(Deal.id, Deal.title).where(Deal.id.in_(deal_ids))).all()) if deal_ids else {}


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


def board_cards(session: Session, owner_ids: tuple[int, ...], per_stage: int) -> list:
    """The first `per_stage` deals of each open stage by close date (soonest first), in one statement: a
    LATERAL subquery per open stage, each reading ix_deals_open_close_key (or ix_deals_open_owner_close_key for
    one owner) in close-date order until it has its cards."""
    cards = (
        select(Deal.id, Deal.title, Company.name.label("company"), Deal.amount, Deal.close_date, Deal.owner_id,
               Deal.stage_id, close_key().label("close_key"))
        .join(Company, Company.id == Deal.company_id)
        .where(Deal.stage_id == DealStage.id, Deal.is_open)  # plain "is_open": the partial indexes' predicate
        .order_by(close_key(), Deal.id)
        .limit(per_stage)
    )
    if owner_ids:
        cards = cards.where(Deal.owner_id.in_(owner_ids))
    cards = cards.lateral("cards")
    statement = (
        select(cards.c.id, cards.c.title, cards.c.company, cards.c.amount, cards.c.close_date, cards.c.owner_id,
               cards.c.stage_id)
        .select_from(DealStage)
        .join(cards, true())
        .where(DealStage.is_won.is_(False), DealStage.is_lost.is_(False))
        .order_by(DealStage.position, cards.c.close_key, cards.c.id)
    )
    return list(session.execute(statement))


def delete_deal(session: Session, deal: Deal) -> None:
    session.delete(deal)


# --- won and open deals, for other domains ---------------------------------------------------------------


def won_deals(session: Session, *, start: date, end: date, owner_id: int | None = None) -> list[WonDeal]:
    """Won deals with an amount closed start..end, by owner, close date and id.

    A deal is its company's first win when no won deal of the same company closed before it (on an
    earlier day, or the same day with a smaller id); ix_deals_company_close (crm_0007) answers that.
    """
    earlier, earlier_stage = aliased(Deal), aliased(DealStage)
    had_earlier_win = exists(
        select(earlier.id)
        .join(earlier_stage, and_(earlier_stage.id == earlier.stage_id, earlier_stage.is_won))
        .where(earlier.company_id == Deal.company_id,
               or_(earlier.close_date < Deal.close_date,
                   and_(earlier.close_date == Deal.close_date, earlier.id < Deal.id)))
    )
    statement = (
        select(Deal.id, Deal.owner_id, Deal.amount, Deal.close_date, DealStage.name, Company.industry_id,
               Company.country_id, ~had_earlier_win)
        .join(DealStage, and_(DealStage.id == Deal.stage_id, DealStage.is_won))
        .join(Company, Company.id == Deal.company_id)
        .where(Deal.close_date.between(start, end), Deal.amount.is_not(None))
        .order_by(Deal.owner_id, Deal.close_date, Deal.id)
    )
    if owner_id is not None:
        statement = statement.where(Deal.owner_id == owner_id)
    return [
        WonDeal(id=deal_id, owner_id=owner, amount=amount, close_date=close_date, stage=stage,
                industry_id=industry_id, country_id=country_id, is_new_customer=bool(is_new))
        for deal_id, owner, amount, close_date, stage, industry_id, country_id, is_new in session.execute(statement)
    ]


def open_deals(session: Session, *, owner_id: int, deal_ids: list[int] | None = None,
               limit: int | None = None) -> list[OpenDeal]:
    """The owner's open deals (neither won nor lost) with an amount, by expected close date (none last), id;
    the first `limit` of them if given."""
    statement = (
        select(Deal.id, Deal.title, Deal.amount, Deal.close_date, Company.industry_id, Company.country_id,
               Deal.company_id)
        .join(DealStage, DealStage.id == Deal.stage_id)
        .join(Company, Company.id == Deal.company_id)
        .where(Deal.owner_id == owner_id, ~DealStage.is_won, ~DealStage.is_lost, Deal.amount.is_not(None))
        .order_by(Deal.close_date.nulls_last(), Deal.id)
    )
    if deal_ids is not None:
        statement = statement.where(Deal.id.in_(deal_ids))
    if limit is not None:
        statement = statement.limit(limit)
    return [OpenDeal.model_validate(row) for row in session.execute(statement)]


def first_won_close_date(session: Session) -> date | None:
    """The close date of the earliest won deal: per won stage on ix_deals_stage_id_close_date, then the least."""
    per_stage = (
        select(func.min(Deal.close_date)).where(Deal.stage_id == DealStage.id).correlate(DealStage).scalar_subquery()
    )
    return session.scalar(select(func.min(per_stage)).where(DealStage.is_won))


def first_won_stage_name(session: Session) -> str | None:
    """The name of the first won stage in pipeline order (where a deal goes when it is won)."""
    return session.scalar(select(DealStage.name).where(DealStage.is_won).order_by(DealStage.position).limit(1))


def companies_with_wins(session: Session, company_ids: set[int]) -> set[int]:
    """Those of the companies that have at least one won deal (of any date)."""
    if not company_ids:
        return set()
    statement = (
        select(Deal.company_id).distinct()
        .join(DealStage, and_(DealStage.id == Deal.stage_id, DealStage.is_won))
        .where(Deal.company_id.in_(company_ids))
    )
    return set(session.scalars(statement))


# `d.id = ANY(...)` repeats the join for the planner: it then probes the primary key for just these deals
# (tens of ms for 16,000) instead of merge-joining a scan of the whole deals table (about 200 ms at 1M deals).
DEAL_VALUES = text(
    """
    SELECT m.key,
           coalesce(sum(d.amount) FILTER (WHERE d.is_open), 0) AS pipeline_value,
           coalesce(sum(d.amount) FILTER (WHERE s.is_won), 0) AS won_revenue,
           count(*) FILTER (WHERE s.is_won) AS won
    FROM unnest(CAST(:deal_ids AS BIGINT[]), CAST(:keys AS INT[])) AS m(deal_id, key)
    JOIN deals d ON d.id = m.deal_id AND d.id = ANY(CAST(:deal_ids AS BIGINT[]))
    JOIN deal_stages s ON s.id = d.stage_id
    GROUP BY m.key
    """
).bindparams(bindparam("keys", type_=ARRAY(Integer)))


def deal_values(session: Session, deals_by_key: dict[int, list[int]]) -> dict[int, DealValues]:
    """{key: open amount, won amount and won deals} of each key's deal ids, summed in one statement."""
    deal_ids = [deal_id for ids in deals_by_key.values() for deal_id in ids]
    keys = [key for key, ids in deals_by_key.items() for _ in ids]
    if not deal_ids:
        return {}
    rows = session.execute(DEAL_VALUES, {"deal_ids": deal_ids, "keys": keys})
    return {row.key: DealValues(pipeline_value=Decimal(row.pipeline_value), won_revenue=Decimal(row.won_revenue),
                                won_deals=int(row.won)) for row in rows}


def slipping_deals(session: Session, *, since: date, before: date) -> list[SlippingDeal]:
    """Open deals with a close date in [since, before), by close date (the open-deals close-key index)."""
    key = close_key()
    statement = (
        select(Deal.id, Deal.title, Company.name.label("company"), Deal.amount, DealStage.name.label("stage"),
               Deal.close_date, Deal.owner_id)
        .join(Company, Company.id == Deal.company_id).join(DealStage, DealStage.id == Deal.stage_id)
        .where(Deal.is_open, key >= since, key < before)
        .order_by(key, Deal.id)
    )
    return [SlippingDeal.model_validate(row, from_attributes=True) for row in session.execute(statement)]
