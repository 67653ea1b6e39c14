"""Commission workflows that span databases: the one entry point of every action that reads another
database or notifies someone. Runs (compensation + crm + auth), approvals, adjustments and disputes
(compensation + auth + notifications), the what-if (compensation + crm + auth).

Each database gets its own `session_scope(..., actor=principal)`, so row-level security applies to the
acting user. Scopes open in a fixed order so that they commit compensation first, then auth (the audit
log), then notifications: a failed notification never undoes an approval, a failed approval notifies
nobody, and retrying a status change is refused as already done.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.auth.users import service as users
from nexus360.common.errors import ValidationError
from nexus360.common.periods import Period, parse_period, quarter_of, today_utc
from nexus360.compensation import engine
from nexus360.compensation.disputes import service as disputes
from nexus360.compensation.rules import service as rules
from nexus360.compensation.schemas import DealChoice, Dispute, RunResult, Statement, WhatIf
from nexus360.compensation.statements import service as statements
from nexus360.crm.deals import service as crm_deals
from nexus360.db import Database, session_scope

ZERO = Decimal("0.00")
WHAT_IF_CHOICES = 200  # open deals offered in the what-if: those expected to close first
# Outermost first: scopes close (commit) in the reverse order, compensation first.
COMMIT_ORDER = (Database.NOTIFICATIONS, Database.AUTH, Database.CRM, Database.COMPENSATION)


@contextmanager
def _sessions(principal: Principal, *databases: Database) -> Iterator[dict[Database, Session]]:
    """One session per database, acting as the principal, committed compensation first."""
    with ExitStack() as stack:
        yield {database: stack.enter_context(session_scope(database, actor=principal))
               for database in COMMIT_ORDER if database in databases}


# --- runs -------------------------------------------------------------------------------------------------


def run_commissions(principal: Principal, *, period: str) -> RunResult:
    """Compute the period ('2026-Q3' or '2026-07') for every rep and save the drafts."""
    require(principal, "commissions.manage")
    chosen = parse_period(period)
    with _sessions(principal, Database.COMPENSATION, Database.CRM, Database.AUTH) as db:
        statements_run = run_period(db[Database.COMPENSATION], db[Database.CRM], db[Database.AUTH], principal,
                                    period=chosen)
    return RunResult(
        period_start=chosen.start, period_end=chosen.end, label=chosen.code, statements=len(statements_run),
        total_revenue=sum((statement.revenue for statement in statements_run), ZERO),
        total_commission=sum((statement.commission for statement in statements_run), ZERO),
    )


def run_period(comp: Session, crm: Session, auth: Session, principal: Principal, *, period: Period,
               today: date | None = None) -> list[Statement]:
    """The run inside the caller's sessions: the period's won deals (crm) and their owners' roles (auth),
    computed and saved as drafts (compensation) and audited (auth). A period that has not started, or that
    ends before the first won deal, is refused."""
    require(principal, "commissions.manage")
    statements.check_runnable(period, first_won=crm_deals.get_first_won_date(crm, principal),
                              today=today or today_utc())
    deals = crm_deals.list_won_deals(crm, principal, start=period.start, end=period.end)
    roles = users.get_role_names(auth, principal, user_ids=deals)
    return statements.run_period(comp, auth, principal, period=period, deals=deals, roles=roles)


# --- approvals and adjustments ----------------------------------------------------------------------------


def submit_for_approval(principal: Principal, *, period_start: date, period_end: date) -> int:
    """Send every draft statement of the period for approval and tell those who approve; returns how many."""
    with _sessions(principal, Database.COMPENSATION, Database.AUTH, Database.NOTIFICATIONS) as db:
        return statements.submit_for_approval(db[Database.COMPENSATION], db[Database.AUTH],
                                              db[Database.NOTIFICATIONS], principal, period_start=period_start,
                                              period_end=period_end)


def approve(principal: Principal, *, user_id: int, period_start: date, period_end: date,
            comment: str | None = None) -> Statement:
    """Approve one rep's pending statement and tell the rep."""
    with _sessions(principal, Database.COMPENSATION, Database.AUTH, Database.NOTIFICATIONS) as db:
        return statements.approve(db[Database.COMPENSATION], db[Database.AUTH], db[Database.NOTIFICATIONS],
                                  principal, user_id=user_id, period_start=period_start, period_end=period_end,
                                  comment=comment)


def approve_period(principal: Principal, *, period_start: date, period_end: date, comment: str | None = None) -> int:
    """Approve every pending statement of the period except the principal's own, each told; returns how many."""
    with session_scope(Database.COMPENSATION, actor=principal) as comp:
        pending = [user_id for user_id in statements.list_awaiting_approval(
            comp, principal, period_start=period_start, period_end=period_end) if user_id != principal.id]
    for user_id in pending:
        approve(principal, user_id=user_id, period_start=period_start, period_end=period_end, comment=comment)
    return len(pending)


def send_back(principal: Principal, *, user_id: int, period_start: date, period_end: date, comment: str) -> Statement:
    """Return a pending statement to draft with a comment the rep reads."""
    with _sessions(principal, Database.COMPENSATION, Database.AUTH, Database.NOTIFICATIONS) as db:
        return statements.send_back(db[Database.COMPENSATION], db[Database.AUTH], db[Database.NOTIFICATIONS],
                                    principal, user_id=user_id, period_start=period_start, period_end=period_end,
                                    comment=comment)


def mark_paid(principal: Principal, *, user_id: int, period_start: date, period_end: date,
              comment: str | None = None) -> Statement:
    """Record that an approved statement was paid, and tell the rep."""
    with _sessions(principal, Database.COMPENSATION, Database.AUTH, Database.NOTIFICATIONS) as db:
        return statements.mark_paid(db[Database.COMPENSATION], db[Database.AUTH], db[Database.NOTIFICATIONS],
                                    principal, user_id=user_id, period_start=period_start, period_end=period_end,
                                    comment=comment)


def add_adjustment(principal: Principal, *, user_id: int, period_start: date, period_end: date,
                   amount: Decimal | str, reason: str, deal_id: int | None = None) -> Statement:
    """Correct a locked statement with an adjustment line (recorded in its history) and tell the rep."""
    with _sessions(principal, Database.COMPENSATION, Database.NOTIFICATIONS) as db:
        return statements.add_adjustment(db[Database.COMPENSATION], db[Database.NOTIFICATIONS], principal,
                                         user_id=user_id, period_start=period_start, period_end=period_end,
                                         amount=amount, reason=reason, deal_id=deal_id)


# --- disputes ---------------------------------------------------------------------------------------------


def open_dispute(principal: Principal, *, line_id: int, comment: str) -> Dispute:
    """The line's rep disputes it; every active holder of commissions.manage is told (the deal named)."""
    with _sessions(principal, Database.COMPENSATION, Database.CRM, Database.AUTH, Database.NOTIFICATIONS) as db:
        return disputes.open_dispute(db[Database.COMPENSATION], db[Database.AUTH], db[Database.NOTIFICATIONS],
                                     principal, line_id=line_id, comment=comment, crm=db[Database.CRM])


def resolve_dispute(principal: Principal, *, dispute_id: int, resolution: str, accepted: bool) -> Dispute:
    """A manager accepts or rejects a dispute; the rep is told (an accepted one may need an adjustment)."""
    with _sessions(principal, Database.COMPENSATION, Database.AUTH, Database.NOTIFICATIONS) as db:
        return disputes.resolve_dispute(db[Database.COMPENSATION], db[Database.AUTH], db[Database.NOTIFICATIONS],
                                        principal, dispute_id=dispute_id, resolution=resolution, accepted=accepted)


# --- what-if ----------------------------------------------------------------------------------------------


def what_if(principal: Principal, *, user_id: int, deal_ids: Sequence[int], today: date | None = None) -> WhatIf:
    """The rep's commission this quarter if the chosen open deals were won today."""
    statements.require_reader(principal, user_id)
    today = today or today_utc()
    quarter = quarter_of(today)
    with _sessions(principal, Database.COMPENSATION, Database.CRM, Database.AUTH) as db:
        comp, crm, auth = db[Database.COMPENSATION], db[Database.CRM], db[Database.AUTH]
        extra = crm_deals.list_open_deals_as_won(crm, principal, owner_id=user_id, deal_ids=list(deal_ids),
                                                 close_date=today) if deal_ids else []
        if len(extra) != len(set(deal_ids)):
            raise ValidationError("Pick only open deals that belong to this rep.")
        won = crm_deals.list_won_deals(crm, principal, start=quarter.start, end=quarter.end,
                                       owner_id=user_id).get(user_id, [])
        rules_in_force = rules.list_rules_in_force(comp, principal, period=quarter)
        quota = statements.get_quota(comp, principal, user_id=user_id, period=quarter)
        roles = users.get_role_names(auth, principal, user_ids=[user_id]).get(user_id, ())
    return engine.project(user_id=user_id, period=quarter, won=won, extra=extra, rules=rules_in_force,
                          quota=quota or engine.default_quota(rules_in_force), roles=roles)


def open_deals_for(principal: Principal, *, user_id: int, limit: int = WHAT_IF_CHOICES) -> list[DealChoice]:
    """The rep's open deals for the what-if picker, those expected to close first (at most `limit`):
    id, name, amount, expected_close_date."""
    statements.require_reader(principal, user_id)
    with session_scope(Database.CRM, actor=principal) as crm:
        deals = crm_deals.list_open_deals(crm, principal, owner_id=user_id, limit=max(1, limit))
    return [DealChoice(id=deal.id, name=deal.title, amount=deal.amount, expected_close_date=deal.close_date)
            for deal in deals]
