"""Cross-database references: rows whose user id names no user in the auth database.

deals.owner_id, notifications.user_id, conversations.user_id and sales_performance.user_id refer
to auth's users.id, but the databases may live on different servers, so no foreign key can hold
them. `find_orphans` reads the (small) set of user ids from auth and asks each database, in SQL,
for the rows whose reference is not in it; no table is loaded whole.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass

from sqlalchemy import Column, all_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from nexus360.auth.models import User
from nexus360.chat.models import Conversation
from nexus360.compensation.models import SalesPerformance
from nexus360.crm.models import Deal
from nexus360.db import Database, session_scope
from nexus360.notifications.models import Notification

ORPHANS_PER_TABLE = 1000

# (database, referencing column); every column here holds an auth users.id.
USER_REFERENCES: tuple[tuple[Database, Column], ...] = (
    (Database.CRM, Deal.__table__.c.owner_id),
    (Database.NOTIFICATIONS, Notification.__table__.c.user_id),
    (Database.CHAT, Conversation.__table__.c.user_id),
    (Database.COMPENSATION, SalesPerformance.__table__.c.user_id),
)


@dataclass(frozen=True)
class Orphan:
    """A row whose user reference names no user in auth.users."""

    database: Database
    table: str
    column: str
    row_id: int
    missing_user_id: int


def find_orphans(sessions: Callable[[Database], Session], *, limit: int = ORPHANS_PER_TABLE) -> list[Orphan]:
    """Rows (at most `limit` per table) whose user reference points at no user in auth."""
    user_ids = list(sessions(Database.AUTH).scalars(select(User.id)))
    orphans: list[Orphan] = []
    for database, column in USER_REFERENCES:
        orphans.extend(_orphans_in(sessions(database), database, column, user_ids, limit))
    return orphans


def _orphans_in(session: Session, database: Database, column: Column, user_ids: list[int], limit: int) -> list[Orphan]:
    table = column.table
    # The array has the column's own type: PostgreSQL then hashes `<> ALL` instead of comparing each
    # row with every id. No ORDER BY, so the LIMIT cannot turn a sequential scan into an index walk.
    known = bindparam("user_ids", user_ids, type_=ARRAY(column.type))
    rows = session.execute(select(table.c.id, column).where(column != all_(known)).limit(limit)).all()
    found = [Orphan(database, table.name, column.name, row_id, user_id) for row_id, user_id in rows]
    return sorted(found, key=lambda orphan: orphan.row_id)


def check_references() -> list[Orphan]:
    """Find orphans through one session per database, as the tables' owner (row-level security hides nothing)."""
    with ExitStack() as stack:
        opened: dict[Database, Session] = {}

        def sessions(database: Database) -> Session:
            if database not in opened:
                opened[database] = stack.enter_context(session_scope(database, admin=True))
            return opened[database]

        return find_orphans(sessions)
