"""Deal changes that tell people (crm + auth + notifications), and the daily "slipping" notifications.

The one entry point of every deal write that may notify: the service's halves take a notifications
session that only these flows build, so no page can save a deal and forget to tell its owner. Scopes
open so that the CRM commits first, then notifications: a failed notification never undoes a saved deal.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.common.money import money_exact
from nexus360.common.periods import today_utc
from nexus360.crm.deals import service
from nexus360.crm.deals.schemas import DealCreate, DealRead, DealUpdate
from nexus360.db import Database, session_scope
from nexus360.notifications import service as notifications

SLIPPING_LOOKBACK = timedelta(days=7)  # a deal slipped while the job did not run is still told, once


@contextmanager
def _writing(principal: Principal) -> Iterator[tuple[Session, Session, Session]]:
    """(crm, auth, notifications) sessions as the principal; they commit crm first, notifications last."""
    with (
        session_scope(Database.NOTIFICATIONS, actor=principal) as notes,
        session_scope(Database.AUTH, actor=principal) as auth,
        session_scope(Database.CRM, actor=principal) as crm,
    ):
        yield crm, auth, notes


def create_deal(principal: Principal, *, data: DealCreate) -> DealRead:
    """Create a deal; an owner other than its creator is told."""
    with _writing(principal) as (crm, auth, notes):
        return service.create_deal(crm, principal, data=data, auth_session=auth, notes=notes)


def update_deal(principal: Principal, *, deal_id: int, data: DealUpdate) -> DealRead:
    """Change a deal; a new owner is told, and so is an owner whose deal someone else won or lost."""
    with _writing(principal) as (crm, auth, notes):
        return service.update_deal(crm, principal, deal_id=deal_id, data=data, auth_session=auth, notes=notes)


def move_deal_stage(principal: Principal, *, deal_id: int, stage_id: int) -> DealRead:
    """Move a deal on the board; an owner whose deal someone else won or lost is told."""
    with _writing(principal) as (crm, _auth, notes):
        return service.move_deal_stage(crm, principal, deal_id=deal_id, stage_id=stage_id, notes=notes)


def notify_slipping_deals(principal: Principal, *, today: date | None = None) -> int:
    """Daily: tell each owner of an open deal whose close date passed (in the last week) once per close
    date; returns how many were told now. `principal` reads the deals (crm.read); the messages come from
    Nexus360 itself."""
    today = today or today_utc()
    with session_scope(Database.CRM, actor=principal) as crm:
        deals = service.list_slipping_deals(crm, principal, since=today - SLIPPING_LOOKBACK, before=today)
    told = 0
    with session_scope(Database.NOTIFICATIONS, actor=principal) as notes:
        for deal in deals:
            overdue = (today - deal.close_date).days
            data = {"id": deal.id, "title": deal.title, "company": deal.company, "amount": money_exact(deal.amount),
                    "stage": deal.stage, "close_date": deal.close_date,
                    "days_overdue": f"{overdue} day{'s' if overdue != 1 else ''}"}
            told += notifications.notify_event(notes, None, type="deal_slipping", recipients=[deal.owner_id],
                                               data={"deal": data},
                                               key=f"deal:{deal.id}:slipping:{deal.close_date.isoformat()}")
    return told
