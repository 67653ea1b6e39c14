"""Commission rules as managers edit them: list, create, update and end, validated and described in plain words.

Reps may read the rules (commissions.read_own), since the rules decide what they are paid; only holders of
commissions.manage write them. A rule is never deleted: ending it keeps past statements explainable.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require, require_any
from nexus360.common.errors import NotFoundError, ValidationError
from nexus360.common.money import money_exact
from nexus360.common.periods import Period, today_utc
from nexus360.compensation import engine
from nexus360.compensation.models import CommissionRule
from nexus360.compensation.rules import repository
from nexus360.compensation.schemas import (
    BonusCriteria,
    DealFilters,
    RuleCreate,
    RuleRead,
    RuleUpdate,
    TieredCriteria,
    parse_criteria,
)

READERS = ("commissions.read_own", "commissions.read_all", "commissions.manage")


def list_rules(session: Session, principal: Principal, *, today: date | None = None) -> list[RuleRead]:
    """Every rule, newest start first; reps may read them because the rules decide what they are paid."""
    require_any(principal, *READERS)
    return [_to_read(rule, today or today_utc()) for rule in repository.list_rules(session)]


def list_rules_in_force(session: Session, principal: Principal, *, period: Period) -> list[engine.Rule]:
    """The rules whose dates overlap the period, by id, as the engine reads them."""
    require_any(principal, *READERS)
    return [
        engine.Rule(id=rule.id, name=rule.name, type=rule.type, criteria=dict(rule.criteria), rate=rule.rate,
                    start_date=rule.start_date, end_date=rule.end_date)
        for rule in repository.list_rules_in_force(session, period_start=period.start, period_end=period.end)
    ]


def get_rule(session: Session, principal: Principal, *, rule_id: int) -> RuleRead:
    """One rule (same permissions as list_rules)."""
    require_any(principal, *READERS)
    return _to_read(_find(session, rule_id), today_utc())


def get_rule_names(session: Session, principal: Principal, *, rule_ids: set[int]) -> dict[int, str]:
    """Names of the given rules (same permissions as list_rules)."""
    require_any(principal, *READERS)
    return repository.get_rule_names(session, set(rule_ids))


def create_rule(session: Session, principal: Principal, *, data: RuleCreate) -> RuleRead:
    """Save a new rule once its criteria validate."""
    require(principal, "commissions.manage")
    _validate(data)
    rule = repository.add_rule(session, name=data.name.strip(), type=data.type, rate=data.rate,
                               criteria=_clean(data.criteria), start_date=data.start_date, end_date=data.end_date)
    return _to_read(rule, today_utc())


def update_rule(session: Session, principal: Principal, *, rule_id: int, data: RuleUpdate) -> RuleRead:
    """Replace a rule's fields (locked statements keep their lines, so past figures do not move)."""
    require(principal, "commissions.manage")
    rule = _find(session, rule_id)
    _validate(data)
    repository.update_rule(session, rule, name=data.name.strip(), type=data.type, rate=data.rate,
                           criteria=_clean(data.criteria), start_date=data.start_date, end_date=data.end_date)
    return _to_read(rule, today_utc())


def end_rule(session: Session, principal: Principal, *, rule_id: int, end_date: date) -> RuleRead:
    """Stop a rule after `end_date` (it stays on file so older statements still explain themselves)."""
    require(principal, "commissions.manage")
    rule = _find(session, rule_id)
    if end_date < rule.start_date:
        raise ValidationError("End date must not be before the start date.")
    repository.update_rule(session, rule, end_date=end_date)
    return _to_read(rule, today_utc())


def validate_rule(
    *, name: str, type: str, criteria: Mapping[str, Any] | None, rate: Decimal | int | str,
    start_date: date, end_date: date | None = None,
) -> DealFilters:
    """Check a whole rule before it is saved; returns its typed criteria. Every problem of the input is named
    in one message (field first), so the message always matches what was typed."""
    problems = []
    if not (name or "").strip():
        problems.append("Name is required.")
    elif len(name) > 255:
        problems.append(f"Name must be at most 255 characters (it has {len(name):,}).")
    try:
        rate = Decimal(str(rate))
    except ArithmeticError:
        problems.append("Rate must be a number.")
        rate = None
    if rate is not None and not Decimal(0) <= rate <= Decimal(100):
        problems.append(f"Rate must be a percentage between 0 and 100 (not {rate.normalize():f}).")
    elif rate is not None and type == "flat" and rate == 0:
        problems.append("Rate: a flat rule needs a rate above 0%.")
    parsed = None
    try:
        parsed = parse_criteria(type, criteria)
    except ValidationError as error:
        problems.append(str(error))
    if isinstance(parsed, BonusCriteria) and rate is not None:
        if parsed.amount is None and rate == 0:
            problems.append("A bonus needs a fixed amount or a rate above 0%.")
        if parsed.amount is not None and not parsed.has_condition():
            problems.append("A fixed bonus needs a condition: revenue, attainment or deals won.")
    if end_date is not None and end_date < start_date:
        problems.append("End date must not be before the start date.")
    if problems:
        raise ValidationError(" ".join(problems))
    return parsed


def describe_rule(rule: Any, *, industries: Mapping[int, str] | None = None,
                  countries: Mapping[int, str] | None = None) -> str:
    """What a rule pays, in plain words ("Pays 5% of each won deal in Software & Internet over $10,000")."""
    criteria = parse_criteria(rule.type, rule.criteria)
    scope = describe_filters(criteria, industries=industries, countries=countries)
    deals = "each won deal" + (f" {scope}" if scope else "")
    revenue = "won revenue" + (f" {scope}" if scope else "")
    percent, money = engine.percent, money_exact
    if isinstance(criteria, TieredCriteria):
        bands = []
        for lower, upper, rate in criteria.bands():
            if upper is None:
                bands.append(f"{percent(rate)} above {money(lower)}")
            else:
                bands.append(f"{percent(rate)} up to {money(upper)}")
        return f"Pays {', '.join(bands)} of the period's {revenue}."
    if isinstance(criteria, BonusCriteria):
        conditions = []
        if criteria.min_revenue is not None:
            conditions.append(f"the period's {revenue} reaches {money(criteria.min_revenue)}")
        if criteria.min_attainment is not None:
            conditions.append(f"attainment reaches {percent(criteria.min_attainment * 100)} of quota")
        if criteria.min_deals is not None:
            conditions.append(f"at least {criteria.min_deals} deals are won")
        if criteria.amount is not None:
            return f"Pays a bonus of {money(criteria.amount)} when {' and '.join(conditions)}."
        return f"Pays an extra {percent(Decimal(rule.rate))} of {deals}."
    return f"Pays {percent(Decimal(rule.rate))} of {deals}."


def describe_filters(
    criteria: DealFilters, *, industries: Mapping[int, str] | None = None, countries: Mapping[int, str] | None = None
) -> str:
    """The deals a rule's filters select, in words ("from new customers in Germany over $10,000")."""
    parts = []
    if criteria.new_customer is not None:
        parts.append("from new customers" if criteria.new_customer else "from existing customers")
    if criteria.stages:
        parts.append("in stage " + " or ".join(criteria.stages))
    if criteria.industries:
        parts.append("in " + _names(criteria.industries, industries or {}, "industry"))
    if criteria.countries:
        parts.append("in " + _names(criteria.countries, countries or {}, "country"))
    if criteria.min_amount is not None and criteria.max_amount is not None:
        parts.append(f"from {money_exact(criteria.min_amount)} to {money_exact(criteria.max_amount)}")
    elif criteria.min_amount is not None:
        parts.append(f"over {money_exact(criteria.min_amount)}")
    elif criteria.max_amount is not None:
        parts.append(f"up to {money_exact(criteria.max_amount)}")
    if criteria.months:
        parts.append("closed in " + ", ".join(date(2000, m, 1).strftime("%B") for m in sorted(criteria.months)))
    if criteria.owner_roles:
        parts.append("owned by a " + " or ".join(role.replace("_", " ") for role in criteria.owner_roles))
    return " ".join(parts)


def _names(ids: list[int], lookup: Mapping[int, str], kind: str) -> str:
    return " or ".join(lookup.get(item, f"{kind} #{item}") for item in ids)


def _validate(data: RuleCreate) -> None:
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
    rule = repository.get_rule(session, rule_id)
    if rule is None:
        raise NotFoundError(f"Commission rule {rule_id} does not exist.")
    return rule


def _to_read(rule: CommissionRule, today: date) -> RuleRead:
    return RuleRead(
        id=rule.id, name=rule.name, type=rule.type, rate=rule.rate, criteria=dict(rule.criteria),
        start_date=rule.start_date, end_date=rule.end_date, description=describe_rule(rule),
        in_force=engine.dates_overlap(rule.start_date, rule.end_date, today, today),
    )
