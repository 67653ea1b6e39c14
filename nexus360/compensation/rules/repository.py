"""Queries of commission rules."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from nexus360.compensation.models import CommissionRule


def list_rules(session: Session) -> list[CommissionRule]:
    """Every rule, newest start first."""
    return list(session.scalars(select(CommissionRule).order_by(CommissionRule.start_date.desc(), CommissionRule.id)))


def list_rules_in_force(session: Session, *, period_start: date, period_end: date) -> list[CommissionRule]:
    """Rules whose dates overlap the period, by id."""
    statement = (
        select(CommissionRule)
        .where(CommissionRule.start_date <= period_end,
               or_(CommissionRule.end_date.is_(None), CommissionRule.end_date >= period_start))
        .order_by(CommissionRule.id)
    )
    return list(session.scalars(statement))


def get_rule(session: Session, rule_id: int) -> CommissionRule | None:
    return session.get(CommissionRule, rule_id)


def get_rule_names(session: Session, rule_ids: set[int]) -> dict[int, str]:
    if not rule_ids:
        return {}
    return dict(session.execute(select(CommissionRule.id, CommissionRule.name).where(CommissionRule.id.in_(rule_ids))
                                ).all())


def add_rule(session: Session, **values) -> CommissionRule:
    rule = CommissionRule(**values)
    session.add(rule)
    session.flush()
    return rule


def update_rule(session: Session, rule: CommissionRule, **values) -> CommissionRule:
    for name, value in values.items():
        setattr(rule, name, value)
    session.flush()
    return rule
