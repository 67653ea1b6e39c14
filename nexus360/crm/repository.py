"""Queries of the crm database. Aggregates are computed by PostgreSQL, never in pandas."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, cast, func, select
from sqlalchemy.orm import Session

from nexus360.crm.models import Deal, DealStage

_open = (DealStage.is_won.is_(False)) & (DealStage.is_lost.is_(False))


def open_pipeline(session: Session) -> tuple[Decimal, int]:
    statement = (
        select(func.coalesce(func.sum(Deal.amount), 0), func.count(Deal.id))
        .join(DealStage, DealStage.id == Deal.stage_id)
        .where(_open)
    )
    amount, count = session.execute(statement).one()
    return Decimal(amount), int(count)


def won_amount_between(session: Session, start: date, end: date) -> Decimal:
    statement = (
        select(func.coalesce(func.sum(Deal.amount), 0))
        .join(DealStage, DealStage.id == Deal.stage_id)
        .where(DealStage.is_won.is_(True), Deal.close_date.between(start, end))
    )
    return Decimal(session.execute(statement).scalar_one())


def closed_counts_between(session: Session, start: date, end: date) -> tuple[int, int]:
    """(won, lost) deals closed between the two dates."""
    statement = (
        select(
            func.count().filter(DealStage.is_won.is_(True)),
            func.count().filter(DealStage.is_lost.is_(True)),
        )
        .join(DealStage, DealStage.id == Deal.stage_id)
        .where(Deal.close_date.between(start, end), DealStage.is_won | DealStage.is_lost)
    )
    won, lost = session.execute(statement).one()
    return int(won), int(lost)


def won_revenue_by_month(session: Session, start: date, end: date) -> list[tuple[date, Decimal, int]]:
    month = cast(func.date_trunc("month", Deal.close_date), Date).label("month")
    statement = (
        select(month, func.sum(Deal.amount), func.count(Deal.id))
        .join(DealStage, DealStage.id == Deal.stage_id)
        .where(DealStage.is_won.is_(True), Deal.close_date.between(start, end))
        .group_by(month)
        .order_by(month)
    )
    return [(row[0], Decimal(row[1] or 0), int(row[2])) for row in session.execute(statement)]


def pipeline_by_stage(session: Session) -> list[tuple[str, int, Decimal, int]]:
    """(stage, position, open amount, deal count) for every open stage, in pipeline order."""
    statement = (
        select(
            DealStage.name,
            DealStage.position,
            func.coalesce(func.sum(Deal.amount), 0),
            func.count(Deal.id),
        )
        .outerjoin(Deal, Deal.stage_id == DealStage.id)
        .where(_open)
        .group_by(DealStage.id)
        .order_by(DealStage.position)
    )
    return [
        (name, position, Decimal(amount), int(count)) for name, position, amount, count in session.execute(statement)
    ]
