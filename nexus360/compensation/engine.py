"""The commission engine: pure functions from a rep's won deals and the rules in force to a statement.

No database here. Every amount is Decimal, each line is rounded half-up to cents on its own, and the
totals are the sums of the rounded lines, so a statement always adds up. Lines come out in a fixed
order (rule, then deal close date and id, then band), so the same inputs give the same statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from nexus360.compensation.rules import (
    BonusCriteria,
    DealFilters,
    TieredCriteria,
    money,
    parse_criteria,
    percent,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class WonDeal:
    id: int
    amount: Decimal
    close_date: date
    stage: str
    industry_id: int | None = None
    country_id: int | None = None
    is_new_customer: bool = False
    is_won: bool = True  # a deal moved out of won (lost, refunded) earns nothing


@dataclass(frozen=True)
class Rule:
    id: int
    name: str
    type: str
    criteria: dict
    rate: Decimal
    start_date: date
    end_date: date | None = None

    def in_force(self, period_start: date, period_end: date) -> bool:
        return dates_overlap(self.start_date, self.end_date, period_start, period_end)


def dates_overlap(start_date: date, end_date: date | None, period_start: date, period_end: date) -> bool:
    """Whether a rule dated start_date..end_date (None: open-ended) is in force on any day of the period."""
    return start_date <= period_end and (end_date is None or end_date >= period_start)


@dataclass(frozen=True)
class Line:
    kind: str  # deal, tier, bonus, adjustment
    rule_id: int | None
    deal_id: int | None
    basis: Decimal | None
    rate: Decimal | None  # percent
    amount: Decimal
    explanation: str


@dataclass(frozen=True)
class Statement:
    user_id: int
    period_start: date
    period_end: date
    revenue: Decimal
    commission: Decimal
    quota: Decimal | None
    attainment: Decimal | None  # revenue / quota (1 means 100%)
    lines: list[Line] = field(default_factory=list)


def matches(criteria: DealFilters, deal: WonDeal, roles: frozenset[str]) -> bool:
    """Whether the rule's filters select this deal (for a rep holding `roles`)."""
    checks = (
        criteria.stages is None or deal.stage in criteria.stages,
        criteria.industries is None or deal.industry_id in criteria.industries,
        criteria.countries is None or deal.country_id in criteria.countries,
        criteria.min_amount is None or deal.amount >= criteria.min_amount,
        criteria.max_amount is None or deal.amount <= criteria.max_amount,
        criteria.new_customer is None or deal.is_new_customer == criteria.new_customer,
        criteria.owner_roles is None or bool(roles & set(criteria.owner_roles)),
        criteria.months is None or deal.close_date.month in criteria.months,
    )
    return all(checks)


def compute_statement(
    *, user_id: int, period_start: date, period_end: date, deals: Iterable[WonDeal], rules: Iterable[Rule],
    quota: Decimal | None = None, roles: Iterable[str] = (),
) -> Statement:
    """A rep's statement for a period: revenue from won deals closed in it, and every line that pays."""
    counted = sorted(
        (deal for deal in deals if deal.is_won and period_start <= deal.close_date <= period_end),
        key=lambda deal: (deal.close_date, deal.id),
    )
    roles = frozenset(roles)
    lines: list[Line] = []
    for rule in sorted(rules, key=lambda rule: rule.id):
        if not rule.in_force(period_start, period_end):
            continue
        criteria = parse_criteria(rule.type, rule.criteria)
        selected = [deal for deal in counted if matches(criteria, deal, roles)]
        if isinstance(criteria, TieredCriteria):
            lines += tier_lines(rule, criteria, selected)
        elif isinstance(criteria, BonusCriteria):
            lines += bonus_lines(rule, criteria, selected, criteria.quota or quota)
        else:
            lines += deal_lines(rule, selected, Decimal(rule.rate), kind="deal")
    revenue = cents(sum((deal.amount for deal in counted), ZERO))
    attainment = (revenue / quota).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) if quota else None
    return Statement(
        user_id=user_id, period_start=period_start, period_end=period_end, revenue=revenue,
        commission=sum((line.amount for line in lines), ZERO), quota=quota, attainment=attainment, lines=lines,
    )


def deal_lines(rule: Rule, deals: list[WonDeal], rate: Decimal, *, kind: str) -> list[Line]:
    return [
        Line(
            kind=kind, rule_id=rule.id, deal_id=deal.id, basis=cents(deal.amount), rate=rate,
            amount=cents(deal.amount * rate / 100),
            explanation=f"{rule.name}: {percent(rate)} of deal #{deal.id} ({money(cents(deal.amount))}, "
            f"won {deal.close_date.isoformat()})",
        )
        for deal in deals
    ]


def tier_lines(rule: Rule, criteria: TieredCriteria, deals: list[WonDeal]) -> list[Line]:
    """One line per band the period's revenue reaches, paying the band's rate on the part inside it."""
    revenue = sum((deal.amount for deal in deals), ZERO)
    lines = []
    for number, (lower, upper, rate) in enumerate(criteria.bands(), start=1):
        if revenue <= lower:
            break
        inside = (min(revenue, upper) if upper is not None else revenue) - lower
        band = f"above {money(lower)}" if upper is None else f"{money(lower)} to {money(upper)}"
        lines.append(Line(
            kind="tier", rule_id=rule.id, deal_id=None, basis=cents(inside), rate=rate,
            amount=cents(inside * rate / 100),
            explanation=f"{rule.name}, tier {number} ({band}): {percent(rate)} of {money(cents(inside))} "
            f"of the period's {money(cents(revenue))} revenue",
        ))
    return lines


def bonus_lines(rule: Rule, criteria: BonusCriteria, deals: list[WonDeal], quota: Decimal | None) -> list[Line]:
    """A fixed bonus once its condition holds; without a fixed amount, an extra rate on each deal."""
    if criteria.amount is None:
        return deal_lines(rule, deals, Decimal(rule.rate), kind="bonus")
    revenue = sum((deal.amount for deal in deals), ZERO)
    reasons = []
    if criteria.min_revenue is not None:
        if revenue < criteria.min_revenue:
            return []
        reasons.append(f"revenue {money(cents(revenue))} reached {money(criteria.min_revenue)}")
    if criteria.min_attainment is not None:
        if not quota or revenue / quota < criteria.min_attainment:
            return []
        reasons.append(f"attainment {percent(cents(revenue / quota * 100))} reached "
                       f"{percent(criteria.min_attainment * 100)} of the {money(quota)} quota")
    if criteria.min_deals is not None:
        if len(deals) < criteria.min_deals:
            return []
        reasons.append(f"{len(deals)} deals won (at least {criteria.min_deals})")
    return [Line(
        kind="bonus", rule_id=rule.id, deal_id=None, basis=cents(revenue), rate=None, amount=cents(criteria.amount),
        explanation=f"{rule.name}: bonus of {money(cents(criteria.amount))} because {' and '.join(reasons)}",
    )]
