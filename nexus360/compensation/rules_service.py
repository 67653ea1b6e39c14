"""Commission rules as managers edit them: list, create, update and end (validated, described in plain words).

Reps may read the rules (commissions.read_own), since the rules decide what they are paid; only holders of
commissions.manage write them. A rule is never deleted: ending it keeps past statements explainable.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require, require_any
from nexus360.common.errors import NotFoundError, ValidationError
from nexus360.compensation import engine
from nexus360.compensation.models import CommissionRule
from nexus360.compensation.rules import describe_rule, validate_rule


class RuleInput(BaseModel):
    name: str
    type: Literal["flat", "tiered", "bonus"]
    rate: Decimal
    criteria: dict
    start_date: date
    end_date: date | None = None


class RuleRead(BaseModel):
    id: int
    name: str
    type: str
    rate: Decimal
    criteria: dict
    start_date: date
    end_date: date | None
    description: str
    in_force: bool


def list_rules(session: Session, principal: Principal, *, today: date | None = None) -> list[RuleRead]:
    """Every rule, newest start first; reps may read them because the rules decide what they are paid."""
    require_any(principal, "commissions.read_own", "commissions.read_all", "commissions.manage")
    rules = session.scalars(select(CommissionRule).order_by(CommissionRule.start_date.desc(), CommissionRule.id))
    return [_to_read(rule, today or date.today()) for rule in rules]


def get_rule(session: Session, principal: Principal, *, rule_id: int) -> RuleRead:
    """One rule (same permissions as list_rules)."""
    require_any(principal, "commissions.read_own", "commissions.read_all", "commissions.manage")
    return _to_read(_find(session, rule_id), date.today())


def create_rule(session: Session, principal: Principal, *, data: RuleInput) -> RuleRead:
    """Save a new rule once its criteria validate."""
    require(principal, "commissions.manage")
    _validate(data)
    rule = CommissionRule(name=data.name.strip(), type=data.type, rate=data.rate, criteria=_clean(data.criteria),
                          start_date=data.start_date, end_date=data.end_date)
    session.add(rule)
    session.flush()
    return _to_read(rule, date.today())


def update_rule(session: Session, principal: Principal, *, rule_id: int, data: RuleInput) -> RuleRead:
    """Replace a rule's fields (locked statements keep their lines, so past figures do not move)."""
    require(principal, "commissions.manage")
    rule = _find(session, rule_id)
    _validate(data)
    rule.name, rule.type, rule.rate = data.name.strip(), data.type, data.rate
    rule.criteria, rule.start_date, rule.end_date = _clean(data.criteria), data.start_date, data.end_date
    session.flush()
    return _to_read(rule, date.today())


def end_rule(session: Session, principal: Principal, *, rule_id: int, end_date: date) -> RuleRead:
    """Stop a rule after `end_date` (it stays on file so older statements still explain themselves)."""
    require(principal, "commissions.manage")
    rule = _find(session, rule_id)
    if end_date < rule.start_date:
        raise ValidationError("End date must not be before the start date.")
    rule.end_date = end_date
    session.flush()
    return _to_read(rule, date.today())


def _validate(data: RuleInput) -> None:
    validate_rule(name=data.name, type=data.type, criteria=data.criteria, rate=data.rate,
                  start_date=data.start_date, end_date=data.end_date)
    if data.rate != data.rate.quantize(Decimal("0.01")):
        raise ValidationError("Rate may have at most two decimals (the column stores 5.25, not 5.255).")


def _clean(criteria: dict) -> dict:
    """JSON-ready criteria: drop empty filters, write decimals as numbers."""
    def plain(value):
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, list):
            return [plain(item) for item in value]
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items() if item is not None}
        return value
    return {key: plain(value) for key, value in criteria.items() if value is not None and value != []}


def _find(session: Session, rule_id: int) -> CommissionRule:
    rule = session.get(CommissionRule, rule_id)
    if rule is None:
        raise NotFoundError(f"Commission rule {rule_id} does not exist.")
    return rule


def _to_read(rule: CommissionRule, today: date) -> RuleRead:
    return RuleRead(
        id=rule.id, name=rule.name, type=rule.type, rate=rule.rate, criteria=dict(rule.criteria),
        start_date=rule.start_date, end_date=rule.end_date, description=describe_rule(rule),
        in_force=engine.dates_overlap(rule.start_date, rule.end_date, today, today),
    )
