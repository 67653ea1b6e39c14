"""Queries of the CRM dashboard: every figure is filtered and aggregated by PostgreSQL.

Closed-deal figures read deals through ix_deals_stage_close_cover (stage, close date; covering the
columns they sum), open-pipeline figures through the same index by stage; industry and country
filters are semi-joins on the small companies table. See db/versions/crm/0003_dashboard_indexes.py.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Date, Select, and_, case, cast, extract, func, literal, or_, select, tuple_, union_all
from sqlalchemy.orm import Session

from nexus360.crm.dashboard.schemas import DealScope
from nexus360.crm.models import Company, Country, Deal, DealStage, DealStageChange, Industry

FAR_FUTURE = date(9999, 12, 31)  # sorts open deals without a close date last
LONG_AGO = datetime(1900, 1, 1)
MEDIAN_SAMPLE = 2_000  # stage medians come from the most recently closed won deals


def _scoped(statement: Select, scope: DealScope) -> Select:
    """Owner, industry and country filters (companies are few, so a semi-join on them is cheap)."""
    if scope.owner_ids:
        statement = statement.where(Deal.owner_id.in_(scope.owner_ids))
    companies = select(Company.id)
    if scope.industry_ids:
        companies = companies.where(Company.industry_id.in_(scope.industry_ids))
    if scope.country_ids:
        companies = companies.where(Company.country_id.in_(scope.country_ids))
    if scope.industry_ids or scope.country_ids:
        statement = statement.where(Deal.company_id.in_(companies))
    return statement


def _won_between(scope: DealScope, start: date, end: date):
    return and_(Deal.stage_id.in_(scope.won_stage_ids), Deal.close_date.between(start, end))


def open_by_owner_stage(session: Session, scope: DealScope, today: date) -> list[tuple[int, int, int, Decimal, int]]:
    """(owner id, stage id, deals, amount, deals past their close date) of the open deals in scope."""
    statement = (
        select(Deal.owner_id, Deal.stage_id, func.count(), func.coalesce(func.sum(Deal.amount), 0),
               func.count().filter(Deal.close_date < today))
        .where(Deal.stage_id.in_(scope.open_stage_ids))
        .group_by(Deal.owner_id, Deal.stage_id)
    )
    return [(owner, stage, int(deals), Decimal(amount), int(overdue))
            for owner, stage, deals, amount, overdue in session.execute(_scoped(statement, scope))]


def closed_by_owner_stage(session: Session, scope: DealScope, start: date, end: date) -> list[tuple]:
    """(owner id, stage id, deals, amount, days from creation to close summed, deals with a creation date) of the
    deals in scope closed (won or lost) between the two dates."""
    days = Deal.close_date - cast(Deal.created_at, Date)
    statement = (
        select(Deal.owner_id, Deal.stage_id, func.count(), func.coalesce(func.sum(Deal.amount), 0),
               func.coalesce(func.sum(days), 0), func.count(days))
        .where(Deal.stage_id.in_(scope.closed_stage_ids), Deal.close_date.between(start, end))
        .group_by(Deal.owner_id, Deal.stage_id)
    )
    return [(owner, stage, int(deals), Decimal(amount), int(days_sum), int(dated))
            for owner, stage, deals, amount, days_sum, dated in session.execute(_scoped(statement, scope))]


def won_by_month(session: Session, scope: DealScope, start: date, end: date) -> list[tuple[date, Decimal, int]]:
    """(first day of the month, won amount, won deals) for months with wins between the two dates."""
    month = cast(func.date_trunc("month", Deal.close_date), Date).label("month")
    statement = (
        select(month, func.sum(Deal.amount), func.count())
        .where(_won_between(scope, start, end))
        .group_by(month)
        .order_by(month)
    )
    return [(row[0], Decimal(row[1] or 0), int(row[2])) for row in session.execute(_scoped(statement, scope))]


def won_by_industry(session: Session, scope: DealScope, start: date, end: date) -> list[tuple]:
    """(industry name or None, won amount, won deals), largest first."""
    revenue = func.coalesce(func.sum(Deal.amount), 0)
    statement = (
        select(Industry.name, revenue, func.count())
        .select_from(Deal)
        .join(Company, Company.id == Deal.company_id)
        .outerjoin(Industry, Industry.id == Company.industry_id)
        .where(_won_between(scope, start, end))
        .group_by(Industry.id, Industry.name)
        .order_by(revenue.desc(), Industry.name)
    )
    return [(name, Decimal(amount), int(deals)) for name, amount, deals in session.execute(_scoped(statement, scope))]


def won_by_country(session: Session, scope: DealScope, start: date, end: date) -> list[tuple[str, str, Decimal, int]]:
    """(ISO alpha-3 code, country name, won amount, won deals) of companies with a country, largest first."""
    revenue = func.coalesce(func.sum(Deal.amount), 0)
    statement = (
        select(Country.iso_code_3, Country.name, revenue, func.count())
        .select_from(Deal)
        .join(Company, Company.id == Deal.company_id)
        .join(Country, Country.id == Company.country_id)
        .where(_won_between(scope, start, end))
        .group_by(Country.id, Country.iso_code_3, Country.name)
        .order_by(revenue.desc(), Country.name)
    )
    return [(iso3, name, Decimal(amount), int(deals)) for iso3, name, amount, deals in
            session.execute(_scoped(statement, scope))]


def owner_totals(session: Session, scope: DealScope, start: date, end: date, limit: int) -> list[tuple]:
    """(owner id, won amount, won deals, lost deals, open amount) per owner, by won amount then pipeline."""
    # Two index-only aggregates (closed in range, open now) glued per owner: an OR of both ranges
    # would read the heap of every matching deal instead.
    won, lost = Deal.stage_id.in_(scope.won_stage_ids), Deal.stage_id.in_(scope.lost_stage_ids)
    zero = literal(0)
    closed = _scoped(
        select(Deal.owner_id.label("owner_id"), func.sum(Deal.amount).filter(won).label("won_amount"),
               func.count().filter(won).label("won_deals"), func.count().filter(lost).label("lost_deals"),
               zero.label("open_amount"))
        .where(Deal.stage_id.in_(scope.closed_stage_ids), Deal.close_date.between(start, end))
        .group_by(Deal.owner_id),
        scope,
    )
    pipeline = _scoped(
        select(Deal.owner_id, zero, zero, zero, func.sum(Deal.amount))
        .where(Deal.stage_id.in_(scope.open_stage_ids))
        .group_by(Deal.owner_id),
        scope,
    )
    both = closed.union_all(pipeline).subquery()
    won_amount = func.coalesce(func.sum(both.c.won_amount), 0)
    open_amount = func.coalesce(func.sum(both.c.open_amount), 0)
    statement = (
        select(both.c.owner_id, won_amount, func.sum(both.c.won_deals), func.sum(both.c.lost_deals), open_amount)
        .group_by(both.c.owner_id)
        .order_by(won_amount.desc(), open_amount.desc(), both.c.owner_id)
        .limit(limit)
    )
    return [(owner, Decimal(won_sum), int(won_n), int(lost_n), Decimal(open_sum))
            for owner, won_sum, won_n, lost_n, open_sum in session.execute(statement)]


def won_stage_medians(session: Session, won_stage_ids: tuple[int, ...], today: date) -> dict[int, float]:
    """Median days that won deals spent in each stage they passed through (before reaching the win).

    Measured over the MEDIAN_SAMPLE most recently closed won deals, so the cost stays flat however
    many deals the table holds, and the benchmark follows how the team sells now.
    """
    recent = (
        select(Deal.id)
        .where(Deal.stage_id.in_(won_stage_ids), Deal.close_date <= today)
        .order_by(Deal.close_date.desc(), Deal.id.desc())
        .limit(MEDIAN_SAMPLE)
    )
    following = func.lead(DealStageChange.changed_at).over(
        partition_by=DealStageChange.deal_id, order_by=(DealStageChange.changed_at, DealStageChange.id)
    )
    moves = (
        select(DealStageChange.to_stage_id.label("stage_id"), (following - DealStageChange.changed_at).label("spent"))
        .where(DealStageChange.deal_id.in_(recent))
        .subquery()
    )
    days = extract("epoch", moves.c.spent) / 86_400
    statement = (
        select(moves.c.stage_id, func.percentile_cont(0.5).within_group(days))
        .where(moves.c.spent.is_not(None))
        .group_by(moves.c.stage_id)
    )
    return {stage_id: float(median) for stage_id, median in session.execute(statement)}


def deals_at_risk(
    session: Session,
    scope: DealScope,
    *,
    today: date,
    stuck_after_days: dict[int, float],
    limit: int,
    after: tuple[date | None, int] | None,
) -> list[tuple]:
    """Open deals whose close date has passed or that sat in their stage longer than the stage's limit.

    Rows: (id, title, company, stage id, stage, amount, close date, owner id, entered stage at), ordered
    by close date (none last) then id; `after` is the (close date, id) of the previous page's last row.
    """
    midnight = datetime.combine(today, time())
    cutoffs = {stage_id: midnight - timedelta(days=days) for stage_id, days in stuck_after_days.items()}
    sort_date = func.coalesce(Deal.close_date, FAR_FUTURE).label("sort_date")
    later = tuple_(sort_date, Deal.id) > tuple_(after[0] or FAR_FUTURE, after[1]) if after is not None else None

    def first(statement: Select, rows: int) -> list[tuple]:
        """The first `rows` deals of `statement` (open, in scope, after the previous page) with their details."""
        statement = _scoped(statement.where(Deal.is_open, Deal.stage_id.in_(scope.open_stage_ids)), scope)
        statement = statement if later is None else statement.where(later)
        return [tuple(row) for row in session.execute(_detailed(statement.order_by(sort_date, Deal.id).limit(rows)))]

    # Every overdue deal sorts before every stuck one (its close date has passed; a stuck one's has not), so the
    # page is the overdue deals in order, then stuck ones only when the overdue ones do not fill it: the stuck
    # deals' read (a scan of the recent stage entries) runs only then.
    page = first(select(Deal.id, sort_date).where(Deal.close_date < today), limit)
    watched = [stage_id for stage_id in scope.open_stage_ids if stage_id in cutoffs]
    if len(page) < limit and watched:
        # A deal is stuck when it entered its stage before the stage's cutoff, i.e. when no entry into its stage
        # came after the cutoff: one index-only range scan per stage for its recent entries, then an anti-join.
        recent = union_all(*[
            select(DealStageChange.deal_id.label("deal_id"), DealStageChange.to_stage_id.label("stage_id"))
            .where(DealStageChange.to_stage_id == stage_id, DealStageChange.changed_at >= cutoffs[stage_id])
            for stage_id in watched
        ]).subquery()
        moved = select(literal(1)).where(recent.c.deal_id == Deal.id, recent.c.stage_id == Deal.stage_id).exists()
        page += first(select(Deal.id, sort_date).where(
            Deal.stage_id.in_(watched),
            or_(Deal.close_date >= today, Deal.close_date.is_(None)),  # not overdue: each deal comes once
            # It cannot have entered its stage before it existed (legacy rows may lack created_at).
            func.coalesce(Deal.created_at, LONG_AGO) < case(cutoffs, value=Deal.stage_id),
            ~moved,
        ), limit - len(page))
    return page


def _detailed(ids: Select) -> Select:
    """The deals `ids` (id, sort date) selects, in its order, with what the list of deals at risk shows."""
    page = ids.subquery()
    entered = (
        select(func.max(DealStageChange.changed_at))
        .where(DealStageChange.deal_id == Deal.id, DealStageChange.to_stage_id == Deal.stage_id)
        .correlate(Deal)
        .scalar_subquery()
    )
    return (
        select(Deal.id, Deal.title, Company.name, Deal.stage_id, DealStage.name, Deal.amount, Deal.close_date,
               Deal.owner_id, func.coalesce(entered, Deal.created_at))
        .join(page, page.c.id == Deal.id)
        .join(Company, Company.id == Deal.company_id)
        .join(DealStage, DealStage.id == Deal.stage_id)
        .order_by(page.c.sort_date, Deal.id)
    )
