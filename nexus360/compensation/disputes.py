"""Disputes on statement lines and the statement's history (status changes, comments, disputes).

The database sessions carry the acting user, so row-level security already limits a rep to their own
statements; the permission checks here make the refusal explicit and readable.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require, require_any
from nexus360.common.errors import AuthorizationError, NotFoundError, ValidationError
from nexus360.compensation.history import CommissionDispute, CommissionEvent
from nexus360.compensation.lines import CommissionLine
from nexus360.compensation.models import SalesPerformance

OPEN, ACCEPTED, REJECTED = "open", "accepted", "rejected"
COMMENT_MAX = 2000


class Dispute(BaseModel):
    id: int
    line_id: int | None
    performance_id: int
    user_id: int
    comment: str
    status: str
    resolution: str | None = None
    resolved_by: int | None = None
    created_at: datetime
    resolved_at: datetime | None = None
    period_start: date | None = None  # of the disputed statement, so a list can say which period
    period_end: date | None = None
    line_explanation: str | None = None  # what the disputed line says it pays for


def list_disputes(session: Session, principal: Principal, *, performance_id: int | None = None,
                  open_only: bool = False) -> list[Dispute]:
    """Disputes the principal may see (own statements, or all with commissions.read_all), newest first."""
    require_any(principal, "commissions.read_own", "commissions.read_all", "commissions.manage")
    statement = (
        select(CommissionDispute, SalesPerformance.period_start, SalesPerformance.period_end,
               CommissionLine.explanation)
        .join(SalesPerformance, SalesPerformance.id == CommissionDispute.performance_id)
        .outerjoin(CommissionLine, CommissionLine.id == CommissionDispute.line_id)
        .order_by(CommissionDispute.created_at.desc(), CommissionDispute.id.desc())
    )
    if not (principal.has("commissions.read_all") or principal.has("commissions.manage")):
        statement = statement.where(CommissionDispute.user_id == principal.id)
    if performance_id is not None:
        statement = statement.where(CommissionDispute.performance_id == performance_id)
    if open_only:
        statement = statement.where(CommissionDispute.status == OPEN)
    return [
        Dispute.model_validate(dispute, from_attributes=True).model_copy(
            update={"period_start": start, "period_end": end, "line_explanation": explanation})
        for dispute, start, end, explanation in session.execute(statement)
    ]


def statement_history(session: Session, principal: Principal, *, performance_id: int) -> list[dict]:
    """Status changes (who, when, from, to, comment) and disputes opened/resolved, newest first."""
    performance = get_performance(session, principal, performance_id=performance_id)
    entries: list[dict] = []
    for event in session.scalars(select(CommissionEvent).where(CommissionEvent.performance_id == performance.id)):
        entries.append({"at": event.created_at, "user_id": event.actor_id, "action": event.action,
                        "from_status": event.from_status, "to_status": event.to_status, "comment": event.comment,
                        "id": ("event", event.id)})
    for dispute in session.scalars(select(CommissionDispute).where(CommissionDispute.performance_id == performance.id)):
        entries.append({"at": dispute.created_at, "user_id": dispute.user_id, "action": "dispute_opened",
                        "from_status": None, "to_status": None, "comment": dispute.comment,
                        "line_id": dispute.line_id, "id": ("dispute", dispute.id)})
        if dispute.resolved_at is not None:
            entries.append({"at": dispute.resolved_at, "user_id": dispute.resolved_by,
                            "action": f"dispute_{dispute.status}", "from_status": None, "to_status": None,
                            "comment": dispute.resolution, "line_id": dispute.line_id,
                            "id": ("resolution", dispute.id)})
    entries.sort(key=lambda entry: (entry["at"], entry["id"]), reverse=True)
    for entry in entries:
        entry.pop("id")
    return entries


def get_performance(session: Session, principal: Principal, *, performance_id: int) -> SalesPerformance:
    """The statement row, if the principal may see it (NotFound otherwise, so ids do not leak)."""
    require_any(principal, "commissions.read_own", "commissions.read_all")
    performance = session.get(SalesPerformance, performance_id)
    if performance is None or (performance.user_id != principal.id and not principal.has("commissions.read_all")):
        raise NotFoundError(f"Statement {performance_id} does not exist.")
    return performance


def create_dispute(session: Session, principal: Principal, *, line_id: int, comment: str) -> Dispute:
    """The line's owner objects to it with a comment (one open dispute per line at a time)."""
    require(principal, "commissions.read_own")
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError("Please say what is wrong with this line.")
    if len(comment) > COMMENT_MAX:
        raise ValidationError(f"The comment must be at most {COMMENT_MAX} characters.")
    line = session.get(CommissionLine, line_id)
    performance = session.get(SalesPerformance, line.performance_id) if line is not None else None
    if performance is None:
        raise NotFoundError(f"Statement line {line_id} does not exist.")
    if performance.user_id != principal.id:
        raise AuthorizationError("Only the rep this line pays can dispute it.")
    already = session.scalar(select(CommissionDispute.id).where(
        CommissionDispute.line_id == line_id, CommissionDispute.status == OPEN))
    if already is not None:
        raise ValidationError("This line already has an open dispute.")
    dispute = CommissionDispute(performance_id=performance.id, line_id=line_id, user_id=principal.id,
                                comment=comment, status=OPEN)
    session.add(dispute)
    session.flush()
    session.refresh(dispute)
    return Dispute.model_validate(dispute, from_attributes=True)


def resolve(session: Session, principal: Principal, *, dispute_id: int, resolution: str, accepted: bool) -> Dispute:
    """A manager accepts or rejects an open dispute with an answer."""
    require(principal, "commissions.manage")
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError("Please write the answer the rep will read.")
    dispute = session.get(CommissionDispute, dispute_id)
    if dispute is None:
        raise NotFoundError(f"Dispute {dispute_id} does not exist.")
    if dispute.status != OPEN:
        raise ValidationError("This dispute is already resolved.")
    dispute.status = ACCEPTED if accepted else REJECTED
    dispute.resolution, dispute.resolved_by = resolution, principal.id
    dispute.resolved_at = func.timezone("utc", func.now())  # the database clock, like created_at
    session.flush()
    session.refresh(dispute)
    return Dispute.model_validate(dispute, from_attributes=True)


def record_event(session: Session, principal: Principal, *, performance_id: int, action: str,
                 from_status: str | None, to_status: str | None, comment: str | None = None) -> None:
    """Write one history entry (who, when, from, to, comment) in the caller's transaction."""
    session.add(CommissionEvent(performance_id=performance_id, action=action, from_status=from_status,
                                to_status=to_status, comment=(comment or "").strip() or None, actor_id=principal.id))
    session.flush()


