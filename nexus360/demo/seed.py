"""Deterministic demo data for the eight databases, loaded once (`python -m nexus360 demo seed`).

One step per database, in the order of `STEPS`: each module has `DATABASE`, the `TABLES` it fills (what
`reset=True` empties) and `seed(session, demo)`, which loads its rows, puts what later steps need on
`demo` and returns a line of progress. Ids come back from the inserts (RETURNING) and are carried to
the other databases, which cannot hold foreign keys to auth. All eight transactions commit together at
the end, auth last: a user row means the rest is there.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack

from sqlalchemy import text

from nexus360.db import Database, session_scope
from nexus360.demo import auth, chat, compensation, crm, forecasting, integrations, marketing, notifications
from nexus360.demo.auth import DEMO_PASSWORD, DEMO_USERNAMES
from nexus360.demo.common import Clock, Demo, demo_anchor

__all__ = ["DEMO_PASSWORD", "DEMO_USERNAMES", "SEEDED_TABLES", "STEPS", "demo_anchor", "is_seeded", "seed_demo_data"]

ADVISORY_LOCK = 360_001  # held while seeding, so concurrent first runs load the data once

STEPS = (  # in order: a step may use what the steps before it put on `demo`
    auth,  # users first: every other database refers to them
    crm,
    marketing,  # converted leads point at crm deals
    compensation,  # statements of the crm's won deals
    forecasting,
    notifications,  # tells people of the deals, leads, statements and forecasts above
    chat,
    integrations,
)
SEEDED_TABLES: dict[Database, tuple[str, ...]] = {step.DATABASE: step.TABLES for step in STEPS}


def is_seeded() -> bool:
    """True when the auth database already holds users (the demo data or real ones)."""
    with session_scope(Database.AUTH, admin=True) as session:
        return auth.has_users(session)


def seed_demo_data(*, reset: bool = False, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Load the demo data into all eight databases; return rows per table ({} when already seeded)."""
    say = progress or (lambda _message: None)
    demo = Demo(Clock(demo_anchor()))
    with ExitStack() as stack:
        # As the tables' owner (row-level security binds the app's role). Auth is entered first, so
        # it commits last: the users appear only once everything else is saved.
        sessions = {database: stack.enter_context(session_scope(database, admin=True)) for database in Database}
        sessions[Database.AUTH].execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
        if not reset and auth.has_users(sessions[Database.AUTH]):
            say("demo data already loaded")
            return {}
        if reset:
            for database, tables in SEEDED_TABLES.items():
                sessions[database].execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            say("emptied the demo tables")
        for step in STEPS:
            say(step.seed(sessions[step.DATABASE], demo))
    return demo.counts
