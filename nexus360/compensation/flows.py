"""Commission workflows that span databases: runs (compensation + crm + auth), approvals and disputes
(compensation + notifications), what-if (compensation + crm + auth).

Each database gets its own `session_scope(..., actor=principal)`, so row-level security applies to the
acting user. The compensation change commits first and the notification afterwards: a failed
notification never undoes an approval, and retrying the status change is refused as already done.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nexus360.auth import audit
from nexus360.auth.models import Permission, Role, RolePermission, User, UserRole
from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.common.errors import NotFoundError, ValidationError
from nexus360.compensation import disputes, service, whatif
from nexus360.compensation.disputes import Dispute
from nexus360.compensation.models import SalesPerformance
from nexus360.compensation.service import Statement, period_label, require_reader
from nexus360.compensation.whatif import WhatIf
from nexus360.db import Database, session_scope
from nexus360.notifications import service as notifications

NOTIFICATION_TYPE = "commission"

__all__ = ["RunResult", "WhatIf", "Dispute", "run_commissions", "submit_for_approval", "approve", "approve_period",
           "send_back", "mark_paid", "add_adjustment", "what_if", "open_deals_for", "open_dispute", "resolve_dispute"]


class RunResult(BaseModel):
    period_start: date
    period_end: date
    label: str
    statements: int
    total_revenue: Decimal
    total_commission: Decimal


def run_commissions(principal: Principal, *, period: str) -> RunResult:
    """Compute the period ('2026-Q3' or '2026-07') for every rep and save the drafts."""
    require(principal, "commissions.manage")
    start, end = service.parse_period(period)
    with (
        session_scope(Database.COMPENSATION, actor=principal) as comp,
        session_scope(Database.CRM, actor=principal) as crm,
        session_scope(Database.AUTH, actor=principal) as auth,
    ):
        statements = service.run_period(comp, crm, auth, principal, period_start=start, period_end=end)
        result = RunResult(
            period_start=start, period_end=end, label=period_label(start, end), statements=len(statements),
            total_revenue=sum((s.revenue for s in statements), Decimal("0.00")),
            total_commission=sum((s.commission for s in statements), Decimal("0.00")),
        )
        _audit(auth, principal, "commissions.run", result.label, {"statements": result.statements})
    return result


def submit_for_approval(principal: Principal, *, period_start: date, period_end: date) -> int:
    """Send every draft statement of the period for approval; returns how many moved."""
    require(principal, "commissions.manage")
    with session_scope(Database.COMPENSATION, actor=principal) as comp:
        drafts = list(comp.scalars(select(SalesPerformance.user_id).where(
            SalesPerformance.period_start == period_start, SalesPerformance.period_end == period_end,
            SalesPerformance.status == service.DRAFT).order_by(SalesPerformance.user_id)))
        for user_id in drafts:
            service.set_status(comp, principal, user_id=user_id, period_start=period_start, period_end=period_end,
                               status=service.PENDING)
    return len(drafts)


def approve(principal: Principal, *, user_id: int, period_start: date, period_end: date,
            comment: str | None = None) -> Statement:
    """Approve one rep's pending statement and tell the rep."""
    statement = _change(principal, user_id, period_start, period_end, service.APPROVED, comment)
    label = period_label(period_start, period_end)
    _notify(principal, [user_id], f"Your {label} commission statement is approved",
            f"{principal.display_name} approved your {label} statement: {statement.commission:,.2f} commission."
            + (f" Comment: {comment.strip()}" if (comment or "").strip() else ""))
    return statement


def approve_period(principal: Principal, *, period_start: date, period_end: date, comment: str | None = None) -> int:
    """Approve every pending statement of the period except the principal's own; returns how many."""
    require(principal, "commissions.manage")
    with session_scope(Database.COMPENSATION, actor=principal) as comp:
        pending = list(comp.scalars(select(SalesPerformance.user_id).where(
            SalesPerformance.period_start == period_start, SalesPerformance.period_end == period_end,
            SalesPerformance.status == service.PENDING, SalesPerformance.user_id != principal.id)
            .order_by(SalesPerformance.user_id)))
    for user_id in pending:
        approve(principal, user_id=user_id, period_start=period_start, period_end=period_end, comment=comment)
    return len(pending)


def send_back(principal: Principal, *, user_id: int, period_start: date, period_end: date, comment: str) -> Statement:
    """Return a pending statement to draft with a comment the rep reads."""
    if not (comment or "").strip():
        raise ValidationError("Say why you send the statement back: the rep reads your comment.")
    statement = _change(principal, user_id, period_start, period_end, service.DRAFT, comment)
    label = period_label(period_start, period_end)
    _notify(principal, [user_id], f"Your {label} commission statement was sent back",
            f"{principal.display_name} sent your {label} statement back for review: {comment.strip()}")
    return statement


def mark_paid(principal: Principal, *, user_id: int, period_start: date, period_end: date,
              comment: str | None = None) -> Statement:
    """Record that an approved statement was paid, and tell the rep."""
    statement = _change(principal, user_id, period_start, period_end, service.PAID, comment)
    label = period_label(period_start, period_end)
    _notify(principal, [user_id], f"Your {label} commission is paid",
            f"Your {label} commission of {statement.commission:,.2f} has been paid.")
    return statement


def add_adjustment(principal: Principal, *, user_id: int, period_start: date, period_end: date,
                   amount: Decimal | str, reason: str, deal_id: int | None = None) -> Statement:
    """Correct a locked statement with an adjustment line (recorded in its history) and tell the rep."""
    with session_scope(Database.COMPENSATION, actor=principal) as comp:
        statement = service.add_adjustment(comp, principal, user_id=user_id, period_start=period_start,
                                           period_end=period_end, amount=amount, reason=reason, deal_id=deal_id)
    label = period_label(period_start, period_end)
    line = statement.lines[-1]
    _notify(principal, [user_id], f"Your {label} commission statement was adjusted",
            f"{principal.display_name} added an adjustment of {line.amount:+,.2f}: {line.reason}")
    return statement


def what_if(principal: Principal, *, user_id: int, deal_ids: list[int], today: date | None = None) -> WhatIf:
    """The rep's commission this quarter if the chosen open deals were won today."""
    require_reader(principal, user_id)
    today = today or date.today()
    start, end = whatif.quarter_of(today)
    with (
        session_scope(Database.COMPENSATION, actor=principal) as comp,
        session_scope(Database.CRM, actor=principal) as crm,
        session_scope(Database.AUTH, actor=principal) as auth,
    ):
        chosen = whatif.list_open_deals(crm, user_id=user_id, deal_ids=list(deal_ids)) if deal_ids else []
        if len(chosen) != len(set(deal_ids)):
            raise ValidationError("Pick only open deals that belong to this rep.")
        extra = whatif.as_won_today(crm, chosen, today=today)
        won = service.list_won_deals(crm, period_start=start, period_end=end).get(user_id, [])
        rules = service.list_rules_in_force(comp, period_start=start, period_end=end)
        quota = _quota(comp, user_id, start, end) or service._default_quota(rules)
        roles = tuple(auth.scalars(select(Role.name).join(UserRole, UserRole.role_id == Role.id)
                                   .where(UserRole.user_id == user_id).order_by(Role.name)))
    return whatif.project(user_id=user_id, today=today, won=won, extra=extra, rules=rules, quota=quota,
                          roles=roles)


def open_deals_for(principal: Principal, *, user_id: int) -> list[dict]:
    """The rep's open deals for the what-if picker: id, name, amount, expected_close_date."""
    require_reader(principal, user_id)
    with session_scope(Database.CRM, actor=principal) as crm:
        deals = whatif.list_open_deals(crm, user_id=user_id)
    keys = ("id", "name", "amount", "expected_close_date")
    return [{key: deal[key] for key in keys} for deal in deals]


def open_dispute(principal: Principal, *, line_id: int, comment: str) -> Dispute:
    """The line's rep disputes it; every active holder of commissions.manage is told."""
    with session_scope(Database.COMPENSATION, actor=principal) as comp:
        dispute = disputes.create_dispute(comp, principal, line_id=line_id, comment=comment)
        performance = comp.get(SalesPerformance, dispute.performance_id)
        label = period_label(performance.period_start, performance.period_end)
    with session_scope(Database.AUTH, actor=principal) as auth:
        managers = _manager_ids(auth)
    _notify(principal, [manager for manager in managers if manager != principal.id],
            f"{principal.display_name} disputes a {label} commission line",
            f"{principal.display_name} disputes line {line_id} of their {label} statement: {dispute.comment}")
    return dispute


def resolve_dispute(principal: Principal, *, dispute_id: int, resolution: str, accepted: bool) -> Dispute:
    """A manager accepts or rejects a dispute; the rep is told (an accepted one may need an adjustment)."""
    with session_scope(Database.COMPENSATION, actor=principal) as comp:
        dispute = disputes.resolve(comp, principal, dispute_id=dispute_id, resolution=resolution, accepted=accepted)
        performance = comp.get(SalesPerformance, dispute.performance_id)
        label = period_label(performance.period_start, performance.period_end)
    with session_scope(Database.AUTH, actor=principal) as auth:
        _audit(auth, principal, "commissions.dispute_" + dispute.status, label, {"dispute_id": dispute.id})
    verdict = "accepted" if accepted else "rejected"
    _notify(principal, [dispute.user_id], f"Your {label} commission dispute was {verdict}",
            f"{principal.display_name} {verdict} your dispute: {dispute.resolution}")
    return dispute


# --- helpers ------------------------------------------------------------------------------------------


def _change(principal: Principal, user_id: int, start: date, end: date, status: str, comment: str | None) -> Statement:
    with session_scope(Database.COMPENSATION, actor=principal) as comp:
        statement = service.set_status(comp, principal, user_id=user_id, period_start=start, period_end=end,
                                       status=status, comment=comment)
    with session_scope(Database.AUTH, actor=principal) as auth:
        _audit(auth, principal, f"commissions.{status}", period_label(start, end), {"user_id": user_id})
    return statement




def _quota(comp: Session, user_id: int, start: date, end: date) -> Decimal | None:
    """The quota already on the rep's statement for the period, if it was run."""
    try:
        performance = service._find(comp, user_id, start, end)
    except NotFoundError:
        return None
    return performance.quota


def _manager_ids(auth: Session) -> list[int]:
    """Active users holding commissions.manage through one of their roles."""
    statement = (
        select(User.id).distinct()
        .join(UserRole, UserRole.user_id == User.id)
        .join(RolePermission, RolePermission.role_id == UserRole.role_id)
        .join(Permission, Permission.id == RolePermission.permission_id)
        .where(Permission.name == "commissions.manage", func.coalesce(User.is_active, True))
        .order_by(User.id)
    )
    return list(auth.scalars(statement))


def _notify(principal: Principal, user_ids: list[int], title: str, message: str) -> None:
    if not user_ids:
        return
    with session_scope(Database.NOTIFICATIONS, actor=principal) as session:
        notifications.notify_many(session, user_ids=user_ids, type=NOTIFICATION_TYPE, title=title, message=message)


def _audit(auth: Session, principal: Principal, action: str, label: str, details: dict) -> None:
    audit.record(auth, user_id=principal.id, action=action, result=audit.ALLOWED, object_type="commission_period",
                 object_id=label, details=details)
