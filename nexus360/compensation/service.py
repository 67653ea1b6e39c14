"""Commission runs, statements, approvals and adjustments (permission checks and rules live here).

A run reads the period's won deals from the crm database, computes each rep's statement with the pure
engine and writes it to the compensation database as a draft `sales_performance` row plus its lines.
The compensation session should carry the acting user (`session_scope(..., actor=principal)`), since
row-level security guards both tables.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import and_, delete, exists, or_, select
from sqlalchemy.orm import Session, aliased

from nexus360.auth import people
from nexus360.auth.schemas import Principal
from nexus360.auth.service import require, require_any
from nexus360.common.errors import NotFoundError, ValidationError
from nexus360.compensation import disputes, engine
from nexus360.compensation.lines import CommissionLine
from nexus360.compensation.models import CommissionRule, SalesPerformance
from nexus360.compensation.rules import parse_criteria
from nexus360.crm.models import Company, Deal, DealStage

DRAFT, PENDING, APPROVED, PAID = "draft", "pending_approval", "approved", "paid"
LOCKED = (APPROVED, PAID)
TRANSITIONS = {DRAFT: (PENDING,), PENDING: (APPROVED, DRAFT), APPROVED: (PAID,), PAID: ()}


class StatementLine(BaseModel):
    id: int
    kind: str
    deal_id: int | None
    rule_id: int | None
    basis: Decimal | None
    rate: Decimal | None
    amount: Decimal
    explanation: str
    reason: str | None = None
    created_by: int | None = None
    created_at: datetime | None = None


class Statement(BaseModel):
    id: int
    user_id: int
    period_start: date
    period_end: date
    revenue: Decimal
    commission: Decimal
    quota: Decimal | None
    status: str
    lines: list[StatementLine] = []

    @property
    def attainment(self) -> Decimal | None:
        return (self.revenue / self.quota).quantize(Decimal("0.0001")) if self.quota else None


# --- periods ----------------------------------------------------------------------------------------

PERIOD = re.compile(r"^\s*(\d{4})-(?:[Qq]([1-4])|(\d{1,2}))\s*$")


def parse_period(text: str) -> tuple[date, date]:
    """'2026-Q3' (a quarter) or '2026-07' (a month) as its first and last day."""
    match = PERIOD.match(text or "")
    if not match:
        raise ValidationError(f"Period '{text}' is not valid: write a quarter like 2026-Q3 or a month like 2026-07.")
    year, quarter, month = int(match[1]), match[2], match[3]
    if quarter:
        first = 3 * (int(quarter) - 1) + 1
        return date(year, first, 1), date(year, first + 2, monthrange(year, first + 2)[1])
    if not 1 <= int(month) <= 12:
        raise ValidationError(f"Period '{text}' is not valid: the month must be between 01 and 12.")
    return date(year, int(month), 1), date(year, int(month), monthrange(year, int(month))[1])


def period_label(start: date, end: date) -> str:
    if start.day == 1 and start.month == end.month and start.year == end.year:
        return f"{start.year}-{start.month:02d}"
    if start.day == 1 and (start.month - 1) % 3 == 0 and end.month == start.month + 2:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.isoformat()} to {end.isoformat()}"


# --- runs -------------------------------------------------------------------------------------------


def run_period(
    comp_session: Session, crm_session: Session, auth_session: Session, principal: Principal, *,
    period_start: date, period_end: date, quotas: dict[int, Decimal] | None = None,
) -> list[Statement]:
    """Compute every rep's statement for the period and save it as a draft (replacing an earlier draft)."""
    require(principal, "commissions.manage")
    if period_end < period_start:
        raise ValidationError("The period must not end before it starts.")
    label = period_label(period_start, period_end)
    statuses = set(comp_session.scalars(select(SalesPerformance.status).where(
        SalesPerformance.period_start == period_start, SalesPerformance.period_end == period_end)))
    if statuses & set(LOCKED):
        raise ValidationError(f"Period {label} is locked: it is approved or paid. Record a correction as an "
                              "adjustment with a reason instead.")
    if PENDING in statuses:
        raise ValidationError(f"Period {label} is awaiting approval; send it back to draft before recomputing.")
    rules = list_rules_in_force(comp_session, period_start=period_start, period_end=period_end)
    deals = list_won_deals(crm_session, period_start=period_start, period_end=period_end)
    roles = _owner_roles(auth_session, principal, rules, owners=deals.keys())
    default_quota = _default_quota(rules)
    # Drafts are updated in place (not deleted), so their history and disputes survive a recompute.
    drafts = {performance.user_id: performance for performance in comp_session.scalars(select(SalesPerformance).where(
        SalesPerformance.period_start == period_start, SalesPerformance.period_end == period_end,
        SalesPerformance.status == DRAFT))}
    for user_id in set(drafts) - set(deals):
        comp_session.delete(drafts.pop(user_id))
    saved = []
    for owner_id in sorted(deals):
        quota = (quotas or {}).get(owner_id, default_quota)
        statement = engine.compute_statement(
            user_id=owner_id, period_start=period_start, period_end=period_end, deals=deals[owner_id],
            rules=rules, quota=quota, roles=roles.get(owner_id, ()),
        )
        saved.append(_save_statement(comp_session, statement, existing=drafts.get(owner_id)))
        disputes.record_event(comp_session, principal, performance_id=saved[-1], from_status=None, to_status=DRAFT,
                              action="recomputed" if owner_id in drafts else "computed")
    comp_session.flush()
    return [_read(comp_session, performance_id) for performance_id in saved]


def list_rules_in_force(session: Session, *, period_start: date, period_end: date) -> list[engine.Rule]:
    """Rules whose dates overlap the period, by id."""
    statement = (
        select(CommissionRule)
        .where(CommissionRule.start_date <= period_end,
               or_(CommissionRule.end_date.is_(None), CommissionRule.end_date >= period_start))
        .order_by(CommissionRule.id)
    )
    return [
        engine.Rule(id=rule.id, name=rule.name, type=rule.type, criteria=dict(rule.criteria), rate=rule.rate,
                    start_date=rule.start_date, end_date=rule.end_date)
        for rule in session.scalars(statement)
    ]


def list_won_deals(session: Session, *, period_start: date, period_end: date) -> dict[int, list[engine.WonDeal]]:
    """Won deals closed in the period, per owner (a deal won earlier from the same company makes it existing)."""
    earlier, earlier_stage = aliased(Deal), aliased(DealStage)
    had_earlier_win = exists(
        select(earlier.id)
        .join(earlier_stage, and_(earlier_stage.id == earlier.stage_id, earlier_stage.is_won))
        .where(earlier.company_id == Deal.company_id,
               or_(earlier.close_date < Deal.close_date,
                   and_(earlier.close_date == Deal.close_date, earlier.id < Deal.id)))
    )
    statement = (
        select(Deal.owner_id, Deal.id, Deal.amount, Deal.close_date, DealStage.name, Company.industry_id,
               Company.country_id, ~had_earlier_win)
        .join(DealStage, and_(DealStage.id == Deal.stage_id, DealStage.is_won))
        .join(Company, Company.id == Deal.company_id)
        .where(Deal.close_date.between(period_start, period_end), Deal.amount.is_not(None))
        .order_by(Deal.owner_id, Deal.close_date, Deal.id)
    )
    deals: dict[int, list[engine.WonDeal]] = defaultdict(list)
    for owner_id, deal_id, amount, close_date, stage, industry_id, country_id, is_new in session.execute(statement):
        deals[owner_id].append(engine.WonDeal(
            id=deal_id, amount=amount, close_date=close_date, stage=stage, industry_id=industry_id,
            country_id=country_id, is_new_customer=bool(is_new),
        ))
    return dict(deals)


def _owner_roles(auth_session: Session, principal: Principal, rules: list[engine.Rule], *, owners) -> dict:
    wanted = sorted({role for rule in rules for role in (parse_criteria(rule.type, rule.criteria).owner_roles or ())})
    owners, roles = set(owners), defaultdict(set)
    for role in wanted:
        for person in people.list_people(auth_session, principal, roles=[role], active_only=False):
            if person[0] in owners:
                roles[person[0]].add(role)
    return dict(roles)


def _default_quota(rules: list[engine.Rule]) -> Decimal | None:
    """The quota of the first tiered rule in force that states one (else of any rule that does)."""
    ordered = sorted(rules, key=lambda rule: (rule.type != "tiered", rule.id))
    for rule in ordered:
        quota = parse_criteria(rule.type, rule.criteria).quota
        if quota is not None:
            return quota
    return None


def _save_statement(session: Session, statement: engine.Statement, *, existing: SalesPerformance | None = None) -> int:
    """Write a computed statement as a draft: a new row, or the existing draft with its lines replaced."""
    if existing is None:
        performance = SalesPerformance(
            user_id=statement.user_id, period_start=statement.period_start, period_end=statement.period_end,
            revenue=statement.revenue, commission=statement.commission, status=DRAFT, quota=statement.quota,
        )
        session.add(performance)
    else:
        performance = existing
        performance.revenue, performance.commission = statement.revenue, statement.commission
        performance.quota = statement.quota
        session.execute(delete(CommissionLine).where(CommissionLine.performance_id == performance.id))
    session.flush()
    session.add_all(
        CommissionLine(performance_id=performance.id, deal_id=line.deal_id, rule_id=line.rule_id, kind=line.kind,
                       basis=line.basis, rate=line.rate, amount=line.amount, explanation=line.explanation)
        for line in statement.lines
    )
    return performance.id


# --- statements, approvals, adjustments --------------------------------------------------------------


def require_reader(principal: Principal, user_id: int) -> None:
    """May the principal read `user_id`'s commission figures: their own with read_own, anyone's with read_all."""
    if user_id == principal.id:
        require_any(principal, "commissions.read_own", "commissions.read_all")
    else:
        require(principal, "commissions.read_all")


def get_statement(session: Session, principal: Principal, *, user_id: int, period_start: date,
                  period_end: date) -> Statement:
    """One rep's statement with every line (own: commissions.read_own; anyone else's: commissions.read_all)."""
    require_reader(principal, user_id)
    return _read(session, _find(session, user_id, period_start, period_end).id)


def set_status(session: Session, principal: Principal, *, user_id: int, period_start: date, period_end: date,
               status: str, comment: str | None = None) -> Statement:
    """Move a statement draft -> pending_approval -> approved -> paid (or send a pending one back to draft)."""
    require(principal, "commissions.manage")
    performance = _find(session, user_id, period_start, period_end)
    previous = performance.status
    if status not in TRANSITIONS.get(performance.status, ()):
        allowed = ", ".join(TRANSITIONS.get(performance.status, ())) or "nothing (it is final)"
        raise ValidationError(f"A {performance.status.replace('_', ' ')} statement can move to {allowed}, "
                              f"not to {status.replace('_', ' ')}.")
    if status == APPROVED and user_id == principal.id:
        raise ValidationError("You cannot approve your own statement; another manager must.")
    performance.status = status
    session.flush()
    action = "sent_back" if status == DRAFT else {PENDING: "submitted", APPROVED: "approved", PAID: "paid"}[status]
    disputes.record_event(session, principal, performance_id=performance.id, action=action, from_status=previous,
                          to_status=status, comment=comment)
    return _read(session, performance.id)


def add_adjustment(session: Session, principal: Principal, *, user_id: int, period_start: date, period_end: date,
                   amount: Decimal | str, reason: str, deal_id: int | None = None) -> Statement:
    """Correct an approved or paid statement with an adjustment line that says why."""
    require(principal, "commissions.manage")
    try:
        amount = engine.cents(Decimal(str(amount)))
    except (InvalidOperation, ValueError):
        raise ValidationError("Amount must be a number.") from None
    if amount == 0:
        raise ValidationError("Amount must not be zero.")
    if not (reason or "").strip():
        raise ValidationError("Reason is required for an adjustment.")
    performance = _find(session, user_id, period_start, period_end)
    if performance.status not in LOCKED:
        raise ValidationError("Only approved or paid statements take adjustments; recompute a draft instead.")
    session.add(CommissionLine(
        performance_id=performance.id, deal_id=deal_id, kind="adjustment", amount=amount, reason=reason.strip(),
        created_by=principal.id,
        explanation=f"Adjustment of {amount:,.2f} by {principal.display_name}: {reason.strip()}",
    ))
    performance.commission = performance.commission + amount
    session.flush()
    disputes.record_event(session, principal, performance_id=performance.id, action="adjustment",
                          from_status=performance.status, to_status=performance.status,
                          comment=f"{amount:+,.2f}: {reason.strip()}")
    return _read(session, performance.id)


def _find(session: Session, user_id: int, period_start: date, period_end: date) -> SalesPerformance:
    performance = session.scalars(select(SalesPerformance).where(
        SalesPerformance.user_id == user_id, SalesPerformance.period_start == period_start,
        SalesPerformance.period_end == period_end,
    )).one_or_none()
    if performance is None:
        raise NotFoundError(f"No statement for user {user_id} in {period_label(period_start, period_end)}.")
    return performance


def _read(session: Session, performance_id: int) -> Statement:
    performance = session.get(SalesPerformance, performance_id, populate_existing=True)
    lines = session.scalars(
        select(CommissionLine).where(CommissionLine.performance_id == performance_id).order_by(CommissionLine.id)
    )
    return Statement(
        id=performance.id, user_id=performance.user_id, period_start=performance.period_start,
        period_end=performance.period_end, revenue=performance.revenue, commission=performance.commission,
        quota=performance.quota, status=performance.status,
        lines=[StatementLine.model_validate(line, from_attributes=True) for line in lines],
    )


def export_statement(session: Session, principal: Principal, *, user_id: int, period_start: date,
                     period_end: date, deal_titles: dict[int, str] | None = None) -> pd.DataFrame:
    """One row per line (deal, rule, basis, rate, amount, explanation) for CSV/Excel export.

    Deal titles live in the CRM database: the caller passes those it has (else deals show as #id)."""
    statement = get_statement(session, principal, user_id=user_id, period_start=period_start, period_end=period_end)
    rule_ids = {line.rule_id for line in statement.lines if line.rule_id is not None}
    names = dict(session.execute(select(CommissionRule.id, CommissionRule.name).where(CommissionRule.id.in_(rule_ids))
                                 ).all()) if rule_ids else {}
    rows = [
        {"period": period_label(period_start, period_end), "kind": line.kind,
         "deal": (deal_titles or {}).get(line.deal_id, f"#{line.deal_id}") if line.deal_id is not None else "",
         "rule": names.get(line.rule_id, "") if line.rule_id is not None else "",
         "basis": line.basis, "rate": line.rate, "amount": line.amount,
         "explanation": line.explanation, "reason": line.reason or ""}
        for line in statement.lines
    ]
    columns = ["period", "kind", "deal", "rule", "basis", "rate", "amount", "explanation", "reason"]
    return pd.DataFrame(rows, columns=columns)
