"""Disputes on statement lines and the statement's history (status changes, comments, disputes).

The database sessions carry the acting user, so row-level security already limits a rep to their own
statements; the permission checks here make the refusal explicit and readable. Opening and resolving a
dispute notify people, so they take the auth and notifications sessions that only `compensation.flows`
builds.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require, require_any
from nexus360.auth.users import service as users
from nexus360.common.errors import AuthorizationError, NotFoundError, ValidationError
from nexus360.common.money import money_exact
from nexus360.common.periods import Period
from nexus360.compensation import engine
from nexus360.compensation.disputes import repository
from nexus360.compensation.models import SalesPerformance
from nexus360.compensation.schemas import ACCEPTED, OPEN, REJECTED, Dispute, HistoryEntry
from nexus360.compensation.statements import repository as statements
from nexus360.compensation.statements.service import audit_period
from nexus360.crm.deals import service as crm_deals
from nexus360.notifications import service as notifications

COMMENT_MAX = 2000


def list_disputes(session: Session, principal: Principal, *, performance_id: int | None = None,
                  open_only: bool = False) -> list[Dispute]:
    """Disputes the principal may see (own statements, or all with commissions.read_all), newest first."""
    require_any(principal, "commissions.read_own", "commissions.read_all", "commissions.manage")
    everyone = principal.has("commissions.read_all") or principal.has("commissions.manage")
    return [
        Dispute.model_validate(dispute, from_attributes=True).model_copy(
            update={"period_start": start, "period_end": end, "line_explanation": explanation,
                    "line_deal_id": deal_id})
        for dispute, start, end, explanation, deal_id in repository.list_disputes(
            session, user_id=None if everyone else principal.id, performance_id=performance_id, open_only=open_only)
    ]


def statement_history(session: Session, principal: Principal, *, performance_id: int) -> list[HistoryEntry]:
    """Status changes (who, when, from, to, comment) and disputes opened/resolved, newest first."""
    performance = _visible_statement(session, principal, performance_id)
    entries: list[tuple[tuple, HistoryEntry]] = []
    for event in statements.list_events(session, performance.id):
        entries.append((("event", event.id), HistoryEntry(
            at=event.created_at, user_id=event.actor_id, action=event.action, from_status=event.from_status,
            to_status=event.to_status, comment=event.comment)))
    for dispute in repository.list_disputes_of_statement(session, performance.id):
        entries.append((("dispute", dispute.id), HistoryEntry(
            at=dispute.created_at, user_id=dispute.user_id, action="dispute_opened", comment=dispute.comment,
            line_id=dispute.line_id)))
        if dispute.resolved_at is not None:
            entries.append((("resolution", dispute.id), HistoryEntry(
                at=dispute.resolved_at, user_id=dispute.resolved_by, action=f"dispute_{dispute.status}",
                comment=dispute.resolution, line_id=dispute.line_id)))
    entries.sort(key=lambda item: (item[1].at, item[0]), reverse=True)
    return [entry for _key, entry in entries]


def open_dispute(session: Session, auth: Session, notes: Session, principal: Principal, *, line_id: int,
                 comment: str, crm: Session | None = None) -> Dispute:
    """The line's rep objects to it with a comment (one open dispute per line); every other active holder
    of commissions.manage is told what the line pays for (its deal named from the `crm` session, if given)."""
    require(principal, "commissions.read_own")
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError("Please say what is wrong with this line.")
    if len(comment) > COMMENT_MAX:
        raise ValidationError(f"The comment must be at most {COMMENT_MAX:,} characters (it has {len(comment):,}).")
    line = statements.get_line(session, line_id)
    performance = statements.get_statement(session, line.performance_id) if line is not None else None
    if performance is None:
        raise NotFoundError(f"Statement line {line_id} does not exist.")
    if performance.user_id != principal.id:
        raise AuthorizationError("Only the rep this line pays can dispute it.")
    if repository.find_open_dispute_on_line(session, line_id) is not None:
        raise ValidationError("This line already has an open dispute.")
    dispute = repository.add_dispute(session, performance_id=performance.id, line_id=line_id, user_id=principal.id,
                                     comment=comment, status=OPEN)
    managers = users.list_permission_holders(auth, principal, permission="commissions.manage")
    titles = {}
    if crm is not None and line.deal_id is not None and principal.has("crm.read"):
        titles = crm_deals.get_deal_titles(crm, principal, deal_ids=(line.deal_id,))
    described = engine.with_deal_names(line.explanation, titles) if line.explanation else line.kind
    _tell(notes, principal, managers, "dispute_opened", performance, dispute.id, rep={"id": principal.id,
          "name": principal.display_name}, line={"description": f"{described} ({money_exact(line.amount)})"},
          comment=comment)
    return Dispute.model_validate(dispute, from_attributes=True)


def resolve_dispute(session: Session, auth: Session, notes: Session, principal: Principal, *, dispute_id: int,
                    resolution: str, accepted: bool) -> Dispute:
    """A manager accepts or rejects an open dispute with an answer the rep is told (an accepted one may
    need an adjustment); the decision is audited."""
    require(principal, "commissions.manage")
    resolution = (resolution or "").strip()
    if len(resolution) > COMMENT_MAX:
        raise ValidationError(f"The answer must be at most {COMMENT_MAX:,} characters (it has {len(resolution):,}).")
    if not resolution:
        raise ValidationError("Please write the answer the rep will read.")
    dispute = repository.get_dispute(session, dispute_id)
    if dispute is None:
        raise NotFoundError(f"Dispute {dispute_id} does not exist.")
    if dispute.status != OPEN:
        raise ValidationError("This dispute is already resolved.")
    dispute = repository.resolve_dispute(session, dispute, status=ACCEPTED if accepted else REJECTED,
                                         resolution=resolution, resolved_by=principal.id)
    performance = statements.get_statement(session, dispute.performance_id)
    period = Period(performance.period_start, performance.period_end)
    audit_period(auth, principal, "commissions.dispute_" + dispute.status, period, {"dispute_id": dispute.id})
    _tell(notes, principal, [dispute.user_id], "dispute_answered", performance, dispute.id,
          rep={"id": dispute.user_id}, verdict="accepted" if accepted else "rejected", answer=resolution)
    return Dispute.model_validate(dispute, from_attributes=True)


def _tell(notes: Session, principal: Principal, recipients: list[int], type: str, performance: SalesPerformance,
          dispute_id: int, **data: object) -> None:
    """One notification event about a dispute on a statement."""
    period = Period(performance.period_start, performance.period_end)
    notifications.notify_event(notes, principal, type=type, recipients=recipients,
                               data={**data, "period": {"code": period.code, "label": period.label}},
                               key=f"dispute:{dispute_id}:{type}")


def _visible_statement(session: Session, principal: Principal, performance_id: int) -> SalesPerformance:
    """The statement row, if the principal may see it (NotFound otherwise, so ids do not leak)."""
    require_any(principal, "commissions.read_own", "commissions.read_all")
    performance = statements.get_statement(session, performance_id)
    if performance is None or (performance.user_id != principal.id and not principal.has("commissions.read_all")):
        raise NotFoundError(f"Statement {performance_id} does not exist.")
    return performance
