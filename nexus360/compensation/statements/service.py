"""Commission statements: runs, approvals, adjustments and reading them (permission checks and rules live here).

A run computes each rep's statement with the pure engine from the won deals and roles the flow read in the
crm and auth databases, and writes it as a draft `sales_performance` row plus its lines. The compensation
session must carry the acting user (`session_scope(..., actor=principal)`): row-level security guards it.

Actions that notify the rep (approve, send back, mark paid, adjust) take the notifications session (and the
auth session for the audit log) beside the compensation one: only `compensation.flows` builds them, so no
page can change a statement without the rep being told.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

import pandas as pd
from sqlalchemy.orm import Session

from nexus360.auth.audit import service as audit
from nexus360.auth.schemas import SALES_MANAGER, SALES_REP, Principal
from nexus360.auth.service import require, require_any
from nexus360.auth.users import service as users
from nexus360.common.errors import NotFoundError, ValidationError
from nexus360.common.money import money_exact
from nexus360.common.periods import Period, month_of, now_utc, quarter_of
from nexus360.compensation import engine
from nexus360.compensation.models import SalesPerformance
from nexus360.compensation.rules import service as rules
from nexus360.compensation.schemas import (
    APPROVED,
    DRAFT,
    LOCKED,
    PAID,
    PENDING,
    Statement,
    StatementLine,
)
from nexus360.compensation.statements import repository
from nexus360.jobs import service as events
from nexus360.notifications import service as notifications

TRANSITIONS = {DRAFT: (PENDING,), PENDING: (APPROVED, DRAFT), APPROVED: (PAID,), PAID: ()}
ACTIONS = {PENDING: "submitted", APPROVED: "approved", DRAFT: "sent_back", PAID: "paid"}
COMMENT_MAX = 1000  # a decision's comment (approve, send back, mark paid): a few sentences the rep reads
REASON_MAX = 500  # an adjustment's reason: one sentence on the statement line
AMOUNT_MAX = Decimal("1000000000")  # an adjustment's amount (the columns hold 15 digits, 2 after the point)


def require_reader(principal: Principal, user_id: int) -> None:
    """May the principal read `user_id`'s commission figures: their own with read_own, anyone's with read_all."""
    if user_id == principal.id:
        require_any(principal, "commissions.read_own", "commissions.read_all")
    else:
        require(principal, "commissions.read_all")


def earns_commission(roles: Iterable[str]) -> bool:
    """Roles say who is paid commission: a sales rep (sales_rep) who does not lead a team (sales_manager).
    Managers own deals too, but are not reps: they get no statement and are not counted among the team."""
    held = set(roles)
    return SALES_REP in held and SALES_MANAGER not in held


def check_comment(comment: str | None, *, what: str = "Comment", limit: int = COMMENT_MAX) -> str | None:
    """The comment trimmed (None when empty); refused with the field's name when longer than `limit`."""
    text = (comment or "").strip()
    if len(text) > limit:
        raise ValidationError(f"{what} must be at most {limit:,} characters (it has {len(text):,}).")
    return text or None


# --- runs -----------------------------------------------------------------------------------------------


def check_runnable(period: Period, *, first_won: date | None, today: date) -> None:
    """Refuse a period that cannot hold any commission: one that has not started yet, or one that ends before
    the first deal was won (`first_won`, None when no deal has been won yet)."""
    if period.start > today:
        current = (month_of(today) if period.is_month else quarter_of(today)).code
        raise ValidationError(f"{period.code} has not started yet: the latest period you can run is {current}.")
    if first_won is None:
        raise ValidationError("No deal has been won yet, so there is no commission to compute.")
    if period.end < first_won:
        raise ValidationError(f"{period.code} ends before the first won deal (closed {first_won:%d %b %Y}): "
                              "there is no commission to compute in it.")


def run_period(
    session: Session, auth: Session, principal: Principal, *, period: Period,
    deals: Mapping[int, Sequence[engine.Deal]], roles: Mapping[int, Iterable[str]],
    quotas: Mapping[int, Decimal] | None = None,
) -> list[Statement]:
    """Compute every rep's statement for the period from their won deals and save it as a draft (replacing an
    earlier draft), with a history entry each and one audit event; `deals` and `roles` are keyed by owner, and
    only owners who earn commission (`earns_commission`: reps, not managers) get a statement."""
    require(principal, "commissions.manage")
    if period.end < period.start:
        raise ValidationError("The period must not end before it starts.")
    statuses = repository.list_statuses(session, period_start=period.start, period_end=period.end)
    if statuses & set(LOCKED):
        raise ValidationError(f"Period {period.code} is locked: it is approved or paid. Record a correction as an "
                              "adjustment with a reason instead.")
    if PENDING in statuses:
        raise ValidationError(f"Period {period.code} is awaiting approval; send it back to draft before recomputing.")
    deals = {owner: won for owner, won in deals.items() if earns_commission(roles.get(owner, ()))}
    rules_in_force = rules.list_rules_in_force(session, principal, period=period)
    default_quota = engine.default_quota(rules_in_force)
    # Drafts are updated in place (not deleted), so their history and disputes survive a recompute.
    drafts = {draft.user_id: draft for draft in repository.list_statements_in_status(
        session, period_start=period.start, period_end=period.end, status=DRAFT)}
    for user_id in set(drafts) - set(deals):
        repository.delete_statement(session, drafts.pop(user_id))
    saved = []
    for owner_id in sorted(deals):
        statement = engine.compute_statement(
            user_id=owner_id, period_start=period.start, period_end=period.end, deals=deals[owner_id],
            rules=rules_in_force, quota=(quotas or {}).get(owner_id, default_quota), roles=roles.get(owner_id, ()),
        )
        saved.append(_save(session, statement, existing=drafts.get(owner_id)))
        _record(session, principal, saved[-1], "recomputed" if owner_id in drafts else "computed", None, DRAFT)
    statements = [_read(session, performance_id) for performance_id in saved]
    audit_period(auth, principal, "commissions.run", period, {"statements": len(statements)})
    return statements


def _save(session: Session, statement: engine.Statement, *, existing: SalesPerformance | None) -> int:
    """Write a computed statement as a draft: a new row, or the existing draft with its lines replaced."""
    figures = {"revenue": statement.revenue, "commission": statement.commission, "quota": statement.quota}
    if existing is None:
        performance = repository.add_statement(session, user_id=statement.user_id, status=DRAFT,
                                               period_start=statement.period_start, period_end=statement.period_end,
                                               **figures)
    else:
        performance = existing
        for name, value in figures.items():
            setattr(performance, name, value)
        repository.delete_lines(session, performance.id)
    repository.add_lines(session, performance.id, (
        {"deal_id": line.deal_id, "rule_id": line.rule_id, "kind": line.kind, "basis": line.basis,
         "rate": line.rate, "amount": line.amount, "explanation": line.explanation}
        for line in statement.lines
    ))
    return performance.id


# --- approvals and adjustments ----------------------------------------------------------------------------


def submit_for_approval(session: Session, auth: Session, notes: Session, principal: Principal, *,
                        period_start: date, period_end: date) -> int:
    """Send every draft statement of the period for approval and tell those who approve; returns how many
    moved."""
    require(principal, "commissions.manage")
    drafts = repository.list_statements_in_status(session, period_start=period_start, period_end=period_end,
                                                  status=DRAFT)
    for performance in drafts:
        _move(session, principal, performance, PENDING, None)
    if drafts:
        period = Period(period_start, period_end)
        approvers = users.list_permission_holders(auth, principal, permission="commissions.manage")
        _tell(notes, principal, approvers, "statement_submitted", period, statements={"count": len(drafts)})
    return len(drafts)


def list_awaiting_approval(session: Session, principal: Principal, *, period_start: date,
                           period_end: date) -> list[int]:
    """The reps whose statement of the period awaits approval, by id."""
    require(principal, "commissions.manage")
    return [performance.user_id for performance in repository.list_statements_in_status(
        session, period_start=period_start, period_end=period_end, status=PENDING)]


def approve(session: Session, auth: Session, notes: Session, principal: Principal, *, user_id: int,
            period_start: date, period_end: date, comment: str | None = None) -> Statement:
    """Approve one rep's pending statement (not one's own), audit it and tell the rep."""
    statement = _decide(session, auth, principal, user_id, Period(period_start, period_end), APPROVED, comment)
    label = Period(period_start, period_end).code
    events.record_event(session, "commission.approved", {  # the outgoing webhook event, with the approval
        "user_id": user_id, "period": label, "commission": str(statement.commission), "approved_by": principal.id})
    _tell(notes, principal, [user_id], "statement_approved", Period(period_start, period_end), user_id,
          statement={"commission": money_exact(statement.commission)}, comment=(comment or "").strip())
    return statement


def send_back(session: Session, auth: Session, notes: Session, principal: Principal, *, user_id: int,
              period_start: date, period_end: date, comment: str) -> Statement:
    """Return a pending statement to draft with a comment the rep reads."""
    if check_comment(comment) is None:
        raise ValidationError("Say why you send the statement back: the rep reads your comment.")
    statement = _decide(session, auth, principal, user_id, Period(period_start, period_end), DRAFT, comment)
    _tell(notes, principal, [user_id], "statement_sent_back", Period(period_start, period_end), user_id,
          comment=comment.strip())
    return statement


def mark_paid(session: Session, auth: Session, notes: Session, principal: Principal, *, user_id: int,
              period_start: date, period_end: date, comment: str | None = None) -> Statement:
    """Record that an approved statement was paid, and tell the rep."""
    statement = _decide(session, auth, principal, user_id, Period(period_start, period_end), PAID, comment)
    _tell(notes, principal, [user_id], "statement_paid", Period(period_start, period_end), user_id,
          statement={"commission": money_exact(statement.commission)})
    return statement


def add_adjustment(session: Session, notes: Session, principal: Principal, *, user_id: int, period_start: date,
                   period_end: date, amount: Decimal | str, reason: str, deal_id: int | None = None) -> Statement:
    """Correct an approved or paid statement with an adjustment line that says why, and tell the rep."""
    require(principal, "commissions.manage")
    try:
        typed = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise ValidationError("Amount must be a number.") from None
    if not typed.is_finite():
        raise ValidationError("Amount must be a number.")
    if typed != typed.quantize(engine.CENT):
        raise ValidationError(f"Amount can have at most 2 decimals (not {typed.normalize():f}).")
    amount = engine.cents(typed)
    if abs(amount) > AMOUNT_MAX:
        raise ValidationError(f"Amount must be between -{AMOUNT_MAX:,} and {AMOUNT_MAX:,}.")
    if amount == 0:
        raise ValidationError("Amount must not be zero.")
    reason = check_comment(reason, what="Reason", limit=REASON_MAX)
    if not reason:
        raise ValidationError("Reason is required for an adjustment.")
    performance = _find(session, user_id, Period(period_start, period_end))
    if performance.status not in LOCKED:
        raise ValidationError("Only approved or paid statements take adjustments; recompute a draft instead.")
    repository.add_lines(session, performance.id, [{
        "deal_id": deal_id, "kind": "adjustment", "amount": amount, "reason": reason, "created_by": principal.id,
        "explanation": f"Adjustment of {amount:,.2f} by {principal.display_name}: {reason}",
    }])
    performance.commission = performance.commission + amount
    _record(session, principal, performance.id, "adjustment", performance.status, performance.status,
            f"{amount:+,.2f}: {reason}")
    _tell(notes, principal, [user_id], "statement_adjusted", Period(period_start, period_end), user_id,
          adjustment={"amount": ("+" if amount > 0 else "") + money_exact(amount), "reason": reason})
    return _read(session, performance.id)


def audit_period(auth: Session, principal: Principal, action: str, period: Period, details: dict) -> None:
    """One audit event about a commission period, in the auth session's transaction."""
    audit.record(auth, user_id=principal.id, action=action, result=audit.ALLOWED, object_type="commission_period",
                 object_id=period.code, details=details)


def _decide(session: Session, auth: Session, principal: Principal, user_id: int, period: Period, status: str,
            comment: str | None) -> Statement:
    """A manager's decision on one statement: moved, recorded in its history and audited."""
    require(principal, "commissions.manage")
    comment = check_comment(comment)
    performance = _find(session, user_id, period)
    if status == APPROVED and user_id == principal.id and performance.status == PENDING:
        raise ValidationError("You cannot approve your own statement; another manager must.")
    _move(session, principal, performance, status, comment)
    audit_period(auth, principal, f"commissions.{status}", period, {"user_id": user_id})
    return _read(session, performance.id)


def _move(session: Session, principal: Principal, performance: SalesPerformance, status: str,
          comment: str | None) -> None:
    previous = performance.status
    if status not in TRANSITIONS.get(previous, ()):
        allowed = ", ".join(TRANSITIONS.get(previous, ())) or "nothing (it is final)"
        raise ValidationError(f"A {previous.replace('_', ' ')} statement can move to {allowed}, "
                              f"not to {status.replace('_', ' ')}.")
    performance.status = status
    _record(session, principal, performance.id, ACTIONS[status], previous, status, comment)


def _record(session: Session, principal: Principal, performance_id: int, action: str, from_status: str | None,
            to_status: str | None, comment: str | None = None) -> None:
    """One history entry (who, when, from, to, comment) in the caller's transaction."""
    repository.add_event(session, performance_id=performance_id, action=action, from_status=from_status,
                         to_status=to_status, comment=(comment or "").strip() or None, actor_id=principal.id)


def _tell(notes: Session, principal: Principal, recipients: Iterable[int], type: str, period: Period,
          rep_id: int | None = None, **data: object) -> None:
    """One notification event about a period's statements (`rep_id`: the statement of that rep)."""
    notifications.notify_event(
        notes, principal, type=type, recipients=recipients,
        data={**data, "period": {"code": period.code, "label": period.label}, "rep": {"id": rep_id or ""}},
        key=f"statement:{rep_id or 'period'}:{period.code}:{type}:{now_utc():%Y%m%dT%H%M%S%f}")


# --- reading ----------------------------------------------------------------------------------------------


def get_statement(session: Session, principal: Principal, *, user_id: int, period_start: date,
                  period_end: date) -> Statement:
    """One rep's statement with every line (own: commissions.read_own; anyone else's: commissions.read_all)."""
    require_reader(principal, user_id)
    return _read(session, _find(session, user_id, Period(period_start, period_end)).id)


def get_quota(session: Session, principal: Principal, *, user_id: int, period: Period) -> Decimal | None:
    """The quota on the rep's statement for the period, if it was run (else None)."""
    require_reader(principal, user_id)
    performance = repository.find_statement(session, user_id=user_id, period_start=period.start,
                                            period_end=period.end)
    return performance.quota if performance is not None else None


def export_statement(session: Session, principal: Principal, *, user_id: int, period_start: date, period_end: date,
                     deal_titles: dict[int, str] | None = None) -> pd.DataFrame:
    """One row per line (period, kind, deal, rule, basis, rate, amount, why, reason) for CSV/Excel export, with
    the headers people read.

    Deal titles live in the CRM database: the caller passes them (a deal without one reads as no longer in the
    CRM)."""
    statement = get_statement(session, principal, user_id=user_id, period_start=period_start, period_end=period_end)
    names = rules.get_rule_names(session, principal,
                                 rule_ids={line.rule_id for line in statement.lines if line.rule_id is not None})
    rows = [
        {"Period": Period(period_start, period_end).code, "Kind": line.kind.capitalize(),
         "Deal": (deal_titles or {}).get(line.deal_id, engine.with_deal_names(f"deal #{line.deal_id}", {}))
         if line.deal_id is not None else "",
         "Rule": names.get(line.rule_id, "") if line.rule_id is not None else "",
         "Basis": line.basis, "Rate (%)": line.rate, "Amount": line.amount,
         "Why": engine.with_deal_names(line.explanation, deal_titles or {}), "Reason": line.reason or ""}
        for line in statement.lines
    ]
    return pd.DataFrame(rows, columns=EXPORT_COLUMNS)


EXPORT_COLUMNS = ["Period", "Kind", "Deal", "Rule", "Basis", "Rate (%)", "Amount", "Why", "Reason"]


def _find(session: Session, user_id: int, period: Period) -> SalesPerformance:
    performance = repository.find_statement(session, user_id=user_id, period_start=period.start,
                                            period_end=period.end)
    if performance is None:
        raise NotFoundError(f"No statement for user {user_id} in {period.code}.")
    return performance


def _read(session: Session, performance_id: int) -> Statement:
    performance = repository.get_statement(session, performance_id, fresh=True)
    return Statement(
        id=performance.id, user_id=performance.user_id, period_start=performance.period_start,
        period_end=performance.period_end, revenue=performance.revenue, commission=performance.commission,
        quota=performance.quota, status=performance.status,
        lines=[StatementLine.model_validate(line, from_attributes=True)
               for line in repository.list_lines(session, performance_id)],
    )

