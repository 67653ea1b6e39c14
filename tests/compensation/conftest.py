"""Planted rules and deals for commission tests (all inside the rolled-back `db` sessions).

Deals are planted for owners 900101 and 900102 in 2031-Q1, far from the demo data, and the demo's
open-ended rules are ended before 2031 so only the planted rules apply.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from nexus360.auth.models import Role, User, UserRole
from nexus360.auth.schemas import DEFAULT_GRANTS, Principal
from nexus360.common.periods import Period
from nexus360.compensation import flows
from nexus360.compensation.models import CommissionRule
from nexus360.compensation.statements import service as statements
from nexus360.crm.models import Company, Deal, DealStage
from nexus360.db import Database
from nexus360.db.engine import set_actor

REP_A, REP_B, MANAGER_ID = 900101, 900102, 2
SEEDED_REP_ID, INACTIVE_REP_ID = 7, 9  # demo users: an active sales rep and a deactivated one
START, END = date(2031, 1, 1), date(2031, 3, 31)
AFTER = date(2031, 4, 15)  # "today" for runs of the planted quarter (a period that has not started is refused)
PERIOD = {"period_start": START, "period_end": END}


class Sessions(NamedTuple):
    """The rolled-back sessions of the databases a commission action touches."""

    comp: Session
    crm: Session
    auth: Session
    notes: Session


def principal(user_id: int, role: str) -> Principal:
    return Principal(id=user_id, email=f"user{user_id}@nexus360.example.com", roles=(role,),
                     permissions=frozenset(DEFAULT_GRANTS[role]))


MANAGER = principal(MANAGER_ID, "sales_manager")


@pytest.fixture
def sessions(db) -> Sessions:
    comp, crm, auth = db(Database.COMPENSATION), db(Database.CRM), db(Database.AUTH)
    notes = db(Database.NOTIFICATIONS)
    set_actor(comp, MANAGER)
    comp.execute(update(CommissionRule).where(CommissionRule.start_date < START)
                 .where((CommissionRule.end_date.is_(None)) | (CommissionRule.end_date >= START))
                 .values(end_date=date(2030, 12, 31)))
    comp.add_all([
        CommissionRule(name="Flat 5%", type="flat", criteria={}, rate=Decimal(5), start_date=START),
        CommissionRule(name="Accelerator", type="tiered", rate=Decimal(0), start_date=START, criteria={
            "tiers": [{"up_to": 100_000, "rate": 5}, {"above": 100_000, "rate": 8}], "quota": 120_000}),
        CommissionRule(name="Quota club", type="bonus", rate=Decimal(0), start_date=START,
                       criteria={"min_attainment": 1, "amount": 2000}),
    ])
    comp.flush()
    _plant_reps(auth)
    return Sessions(comp, crm, auth, notes)


def _plant_reps(auth: Session) -> None:
    """The planted owners are sales reps in the auth database (roles decide who earns commission)."""
    rep_role = auth.scalars(select(Role.id).where(Role.name == "sales_rep")).one()
    for user_id in (REP_A, REP_B):
        auth.add(User(id=user_id, azure_id=f"local:planted-{user_id}", email=f"user{user_id}@nexus360.example.com",
                      first_name="Planted", last_name=f"Rep {user_id}"))
    auth.flush()
    auth.add_all(UserRole(user_id=user_id, role_id=rep_role) for user_id in (REP_A, REP_B))
    auth.flush()


@pytest.fixture
def deals(sessions) -> dict[str, Deal]:
    crm = sessions.crm
    won = crm.scalars(select(DealStage.id).where(DealStage.is_won)).first()
    lost = crm.scalars(select(DealStage.id).where(DealStage.is_lost)).first()
    company = Company(name="Planted Commissions Ltd")
    crm.add(company)
    crm.flush()
    planted = {
        "a1": (REP_A, won, "60000", date(2031, 1, 10)),
        "a2": (REP_A, won, "70000", date(2031, 2, 20)),
        "a_lost": (REP_A, lost, "50000", date(2031, 3, 1)),
        "a_next": (REP_A, won, "10000", date(2031, 4, 1)),
        "b1": (REP_B, won, "20000", date(2031, 3, 31)),
    }
    rows = {key: Deal(title=key, company_id=company.id, owner_id=owner, stage_id=stage, amount=Decimal(amount),
                      close_date=close) for key, (owner, stage, amount, close) in planted.items()}
    crm.add_all(rows.values())
    crm.flush()
    return rows | {"won_stage": won, "lost_stage": lost}


def run(sessions: Sessions, principal: Principal = MANAGER) -> dict:
    """Run 2031-Q1 as the flow does, inside the rolled-back sessions: statements by rep."""
    ran = flows.run_period(sessions.comp, sessions.crm, sessions.auth, principal, period=Period(START, END),
                           today=AFTER)
    return {statement.user_id: statement for statement in ran}


def approve(sessions: Sessions, user_id: int = REP_A) -> None:
    """Submit the period's drafts and approve one rep's statement."""
    statements.submit_for_approval(sessions.comp, sessions.auth, sessions.notes, MANAGER, **PERIOD)
    statements.approve(sessions.comp, sessions.auth, sessions.notes, MANAGER, user_id=user_id, **PERIOD)


