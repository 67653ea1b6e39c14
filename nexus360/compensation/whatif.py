"""What-if: "if my open deal X closes today, I earn Y and reach tier Z".

The rep's chosen open deals are treated as won today, added to what they already won this quarter, and
the real engine computes both statements with the rules in force, so the projection explains itself
line by line exactly as a real statement would.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from nexus360.compensation import engine
from nexus360.compensation.service import StatementLine, period_label
from nexus360.crm.models import Company, Deal, DealStage


class WhatIf(BaseModel):
    period: str
    current_commission: Decimal
    projected_commission: Decimal
    difference: Decimal
    current_revenue: Decimal
    projected_revenue: Decimal
    quota: Decimal | None
    projected_attainment: float | None
    tier_reached: str | None
    lines: list[StatementLine]


def quarter_of(day: date) -> tuple[date, date]:
    """First and last day of the quarter holding `day`."""
    first = 3 * ((day.month - 1) // 3) + 1
    end = date(day.year + 1, 1, 1) if first == 10 else date(day.year, first + 3, 1)
    return date(day.year, first, 1), date.fromordinal(end.toordinal() - 1)


def list_open_deals(crm_session: Session, *, user_id: int, deal_ids: list[int] | None = None) -> list[dict]:
    """The rep's open deals (neither won nor lost) with an amount, by expected close date."""
    statement = (
        select(Deal.id, Deal.title, Deal.amount, Deal.close_date, Company.industry_id, Company.country_id,
               Deal.company_id)
        .join(DealStage, DealStage.id == Deal.stage_id)
        .join(Company, Company.id == Deal.company_id)
        .where(Deal.owner_id == user_id, ~DealStage.is_won, ~DealStage.is_lost, Deal.amount.is_not(None))
        .order_by(Deal.close_date.nulls_last(), Deal.id)
    )
    if deal_ids is not None:
        statement = statement.where(Deal.id.in_(deal_ids))
    return [
        {"id": row.id, "name": row.title, "amount": row.amount, "expected_close_date": row.close_date,
         "industry_id": row.industry_id, "country_id": row.country_id, "company_id": row.company_id}
        for row in crm_session.execute(statement)
    ]


def as_won_today(crm_session: Session, deals: list[dict], *, today: date) -> list[engine.WonDeal]:
    """Open deals as the engine would see them had they been won today."""
    won_stage = crm_session.scalar(select(DealStage.name).where(DealStage.is_won).order_by(DealStage.position))
    companies = {deal["company_id"] for deal in deals}
    won_before = set(crm_session.scalars(
        select(Deal.company_id).join(DealStage, and_(DealStage.id == Deal.stage_id, DealStage.is_won))
        .where(Deal.company_id.in_(companies))
    )) if companies else set()
    return [
        engine.WonDeal(id=deal["id"], amount=deal["amount"], close_date=today, stage=won_stage or "Closed Won",
                       industry_id=deal["industry_id"], country_id=deal["country_id"],
                       is_new_customer=deal["company_id"] not in won_before)
        for deal in deals
    ]


def project(*, user_id: int, today: date, won: list[engine.WonDeal], extra: list[engine.WonDeal],
            rules: list[engine.Rule], quota: Decimal | None, roles: tuple[str, ...]) -> WhatIf:
    """Both statements for the quarter holding `today`: as it stands, and with `extra` won today."""
    start, end = quarter_of(today)
    args = {"user_id": user_id, "period_start": start, "period_end": end, "rules": rules, "quota": quota,
            "roles": roles}
    current = engine.compute_statement(deals=won, **args)
    projected = engine.compute_statement(deals=[*won, *extra], **args)
    return WhatIf(
        period=period_label(start, end), current_commission=current.commission,
        projected_commission=projected.commission, difference=projected.commission - current.commission,
        current_revenue=current.revenue, projected_revenue=projected.revenue, quota=quota,
        projected_attainment=float(projected.attainment) if projected.attainment is not None else None,
        tier_reached=_tier_reached(projected, rules),
        lines=[StatementLine(id=0, kind=line.kind, deal_id=line.deal_id, rule_id=line.rule_id, basis=line.basis,
                             rate=line.rate, amount=line.amount, explanation=line.explanation)
               for line in projected.lines],
    )


def _tier_reached(statement: engine.Statement, rules: list[engine.Rule]) -> str | None:
    """'tier N of RULE (rate%)' for the highest band reached of the first tiered rule that pays."""
    names = {rule.id: rule.name for rule in rules}
    reached: dict[int, list[engine.Line]] = {}
    for line in statement.lines:
        if line.kind == "tier":
            reached.setdefault(line.rule_id, []).append(line)
    if not reached:
        return None
    rule_id = min(reached)
    top = reached[rule_id][-1]
    return f"tier {len(reached[rule_id])} of {names.get(rule_id, 'the tiered rule')} ({top.rate.normalize():f}%)"
