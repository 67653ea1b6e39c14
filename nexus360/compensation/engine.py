"""The commission engine: pure functions from a rep's won deals and the rules in force to a statement,
and the what-if projection built from two such statements.

No database here. Every amount is Decimal, each line is rounded half-up to cents on its own, and the
totals are the sums of the rounded lines, so a statement always adds up. Lines come out in a fixed
order (rule, then deal close date and id, then band), so the same inputs give the same statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from nexus360.common.money import money_exact
from nexus360.common.periods import Period
from nexus360.compensation.schemas import (
    BonusCriteria,
    DealFilters,
    StatementLine,
    TieredCriteria,
    WhatIf,
    parse_criteria,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(rate: Decimal) -> str:
    """A rate already in percent, as written in rules and lines: 5 -> '5%', 5.25 -> '5.25%'."""
    return f"{Decimal(rate).normalize():f}%"


class Deal(Protocol):
    """What the engine reads of a won deal (the CRM's won deals have these fields under these names)."""

    id: int
    amount: Decimal
    close_date: date
    stage: str
    industry_id: int | None
    country_id: int | None
    is_new_customer: bool


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


def default_quota(rules: Iterable[Rule]) -> Decimal | None:
    """The quota of the first tiered rule in force that states one (else of any rule that does)."""
    for rule in sorted(rules, key=lambda rule: (rule.type != "tiered", rule.id)):
        quota = parse_criteria(rule.type, rule.criteria).quota
        if quota is not None:
            return quota
    return None


def matches(criteria: DealFilters, deal: Deal, roles: frozenset[str]) -> bool:
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
    *, user_id: int, period_start: date, period_end: date, deals: Iterable[Deal], rules: Iterable[Rule],
    quota: Decimal | None = None, roles: Iterable[str] = (),
) -> Statement:
    """A rep's statement for a period: revenue from won deals closed in it, and every line that pays.

    A deal marked `is_won=False` (an engine.WonDeal moved out of won: lost, refunded) earns nothing."""
    counted = sorted(
        (deal for deal in deals if getattr(deal, "is_won", True) and period_start <= deal.close_date <= period_end),
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


def deal_lines(rule: Rule, deals: list[Deal], rate: Decimal, *, kind: str) -> list[Line]:
    return [
        Line(
            kind=kind, rule_id=rule.id, deal_id=deal.id, basis=cents(deal.amount), rate=rate,
            amount=cents(deal.amount * rate / 100),
            explanation=f"{rule.name}: {percent(rate)} of deal #{deal.id} ({money_exact(cents(deal.amount))}, "
            f"won {deal.close_date.isoformat()})",
        )
        for deal in deals
    ]


DEAL_REFERENCE = re.compile(r"\bdeal #(\d+)")
KIND_WORDS = {"deal": "Deal", "tier": "Tier", "bonus": "Bonus", "adjustment": "Adjustment"}  # a line's kind, read


def with_deal_names(explanation: str, titles: Mapping[int, str]) -> str:
    """A line's sentence as people read it: each 'deal #1607' the engine wrote names the deal by its title
    (“Acme renewal”); a deal the CRM no longer has reads 'a deal no longer in the CRM'."""
    def name(match: re.Match) -> str:
        title = titles.get(int(match[1]))
        return f"“{title}”" if title is not None else "a deal no longer in the CRM"
    return DEAL_REFERENCE.sub(name, explanation)


def beside_its_deal(explanation: str) -> str:
    """A line's sentence where its deal is named beside it (a statement's Deal column): 'the deal'."""
    return DEAL_REFERENCE.sub("the deal", explanation)


def tier_lines(rule: Rule, criteria: TieredCriteria, deals: list[Deal]) -> list[Line]:
    """One line per band the period's revenue reaches, paying the band's rate on the part inside it."""
    revenue = sum((deal.amount for deal in deals), ZERO)
    lines = []
    for number, (lower, upper, rate) in enumerate(criteria.bands(), start=1):
        if revenue <= lower:
            break
        inside = (min(revenue, upper) if upper is not None else revenue) - lower
        band = f"above {money_exact(lower)}" if upper is None else f"{money_exact(lower)} to {money_exact(upper)}"
        lines.append(Line(
            kind="tier", rule_id=rule.id, deal_id=None, basis=cents(inside), rate=rate,
            amount=cents(inside * rate / 100),
            explanation=f"{rule.name}, tier {number} ({band}): {percent(rate)} of {money_exact(cents(inside))} "
            f"of the period's {money_exact(cents(revenue))} revenue",
        ))
    return lines


def bonus_lines(rule: Rule, criteria: BonusCriteria, deals: list[Deal], quota: Decimal | None) -> list[Line]:
    """A fixed bonus once its condition holds; without a fixed amount, an extra rate on each deal."""
    if criteria.amount is None:
        return deal_lines(rule, deals, Decimal(rule.rate), kind="bonus")
    revenue = sum((deal.amount for deal in deals), ZERO)
    reasons = []
    if criteria.min_revenue is not None:
        if revenue < criteria.min_revenue:
            return []
        reasons.append(f"revenue {money_exact(cents(revenue))} reached {money_exact(criteria.min_revenue)}")
    if criteria.min_attainment is not None:
        if not quota or revenue / quota < criteria.min_attainment:
            return []
        reasons.append(f"attainment {percent(cents(revenue / quota * 100))} reached "
                       f"{percent(criteria.min_attainment * 100)} of the {money_exact(quota)} quota")
    if criteria.min_deals is not None:
        if len(deals) < criteria.min_deals:
            return []
        reasons.append(f"{len(deals)} deals won (at least {criteria.min_deals})")
    return [Line(
        kind="bonus", rule_id=rule.id, deal_id=None, basis=cents(revenue), rate=None, amount=cents(criteria.amount),
        explanation=f"{rule.name}: bonus of {money_exact(cents(criteria.amount))} because {' and '.join(reasons)}",
    )]


# --- what-if ----------------------------------------------------------------------------------------------


def project(*, user_id: int, period: Period, won: list[Deal], extra: list[Deal], rules: list[Rule],
            quota: Decimal | None, roles: Iterable[str]) -> WhatIf:
    """Both statements for the period: as it stands, and with the `extra` deals won as well."""
    args = {"user_id": user_id, "period_start": period.start, "period_end": period.end, "rules": rules,
            "quota": quota, "roles": tuple(roles)}
    current = compute_statement(deals=won, **args)
    projected = compute_statement(deals=[*won, *extra], **args)
    return WhatIf(
        period=period.code, current_commission=current.commission,
        projected_commission=projected.commission, difference=projected.commission - current.commission,
        current_revenue=current.revenue, projected_revenue=projected.revenue, quota=quota,
        projected_attainment=float(projected.attainment) if projected.attainment is not None else None,
        tier_reached=tier_reached(projected, rules),
        lines=[StatementLine(id=0, kind=line.kind, deal_id=line.deal_id, rule_id=line.rule_id, basis=line.basis,
                             rate=line.rate, amount=line.amount, explanation=line.explanation)
               for line in projected.lines],
    )


def tier_reached(statement: Statement, rules: list[Rule]) -> str | None:
    """'tier N of RULE (rate%)' for the highest band reached of the first tiered rule that pays."""
    names = {rule.id: rule.name for rule in rules}
    reached: dict[int, list[Line]] = {}
    for line in statement.lines:
        if line.kind == "tier":
            reached.setdefault(line.rule_id, []).append(line)
    if not reached:
        return None
    rule_id = min(reached)
    top = reached[rule_id][-1]
    return f"tier {len(reached[rule_id])} of {names.get(rule_id, 'the tiered rule')} ({percent(top.rate)})"
