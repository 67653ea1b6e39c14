"""Cross-database references: rows whose reference names no row in the other database.

User references (deals.owner_id, notifications.user_id, sales_performance.user_id, ...) point at
auth's users.id, and the hand-off links marketing leads and CRM records both ways; the databases may
live on different servers, so no foreign key can hold them. For users, `find_orphans` reads the
(small) set of user ids from auth and asks each database, in SQL, for the rows whose reference is
not in it. For record links it goes the other way: the referenced ids, a batch at a time, are looked
up in the target table. No table is loaded whole.

An operator's tool, like the demo loader: it reads every domain's tables directly, as their owner,
instead of through services. The question it asks ("which values of this column name no row over
there?") is about columns, not about anything a domain offers, and a service per domain listing its
user references would only repeat these queries one table at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass

from sqlalchemy import Column, all_, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from nexus360.auth.models import User
from nexus360.chat.models import Conversation
from nexus360.compensation.models import CommissionDispute, CommissionEvent, CommissionLine, SalesPerformance
from nexus360.crm.models import Company, Contact, Deal
from nexus360.db import Database, session_scope
from nexus360.marketing.models import Lead
from nexus360.notifications.models import Notification

ORPHANS_PER_TABLE = 1000

# (database, referencing column); every column here holds an auth users.id.
USER_REFERENCES: tuple[tuple[Database, Column], ...] = (
    (Database.CRM, Deal.__table__.c.owner_id),
    (Database.NOTIFICATIONS, Notification.__table__.c.user_id),
    (Database.CHAT, Conversation.__table__.c.user_id),
    (Database.COMPENSATION, SalesPerformance.__table__.c.user_id),
    (Database.COMPENSATION, CommissionLine.__table__.c.created_by),
    (Database.COMPENSATION, CommissionEvent.__table__.c.actor_id),
    (Database.COMPENSATION, CommissionDispute.__table__.c.user_id),
    (Database.COMPENSATION, CommissionDispute.__table__.c.resolved_by),
)
# (database, referencing column, database, referenced id column) between records of two databases.
RECORD_REFERENCES: tuple[tuple[Database, Column, Database, Column], ...] = (
    (Database.MARKETING, Lead.__table__.c.converted_company_id, Database.CRM, Company.__table__.c.id),
    (Database.MARKETING, Lead.__table__.c.converted_contact_id, Database.CRM, Contact.__table__.c.id),
    (Database.MARKETING, Lead.__table__.c.converted_deal_id, Database.CRM, Deal.__table__.c.id),
    (Database.CRM, Deal.__table__.c.source_lead_id, Database.MARKETING, Lead.__table__.c.id),
)
LOOKUP_BATCH = 10_000


@dataclass(frozen=True)
class Orphan:
    """A row whose user reference names no user in auth.users."""

    database: Database
    table: str
    column: str
    row_id: int
    missing_id: int
    target: str = "auth.users"


def find_orphans(sessions: Callable[[Database], Session], *, limit: int = ORPHANS_PER_TABLE) -> list[Orphan]:
    """Rows (at most `limit` per table) whose user reference points at no user in auth."""
    user_ids = list(sessions(Database.AUTH).scalars(select(User.id)))
    orphans: list[Orphan] = []
    for database, column in USER_REFERENCES:
        orphans.extend(_orphans_in(sessions(database), database, column, user_ids, limit))
    for database, column, target_database, target in RECORD_REFERENCES:
        orphans.extend(_dangling(sessions(database), database, column, sessions(target_database),
                                 f"{target_database}.{target.table.name}", target, limit))
    return orphans


def _orphans_in(session: Session, database: Database, column: Column, user_ids: list[int], limit: int) -> list[Orphan]:
    table = column.table
    # The array has the column's own type: PostgreSQL then hashes `<> ALL` instead of comparing each
    # row with every id. No ORDER BY, so the LIMIT cannot turn a sequential scan into an index walk.
    known = bindparam("user_ids", user_ids, type_=ARRAY(column.type))
    rows = session.execute(select(table.c.id, column).where(column != all_(known)).limit(limit)).all()
    found = [Orphan(database, table.name, column.name, row_id, user_id) for row_id, user_id in rows]
    return sorted(found, key=lambda orphan: orphan.row_id)


def _dangling(session: Session, database: Database, column: Column, target_session: Session, target_name: str,
              target: Column, limit: int) -> list[Orphan]:
    """Rows of `column` whose id is missing from `target`, looked up a batch of distinct ids at a time."""
    table, found, after = column.table, [], None
    while len(found) < limit:
        statement = select(column).distinct().where(column.is_not(None)).order_by(column).limit(LOOKUP_BATCH)
        ids = list(session.scalars(statement if after is None else statement.where(column > after)))
        if not ids:
            break
        after = ids[-1]
        wanted = bindparam("ids", ids, type_=ARRAY(target.type))
        known = set(target_session.scalars(select(target).where(target == any_(wanted))))
        missing = bindparam("missing", [value for value in ids if value not in known], type_=ARRAY(column.type))
        rows = session.execute(select(table.c.id, column).where(column == any_(missing)).limit(limit - len(found)))
        found.extend(Orphan(database, table.name, column.name, row_id, value, target_name) for row_id, value in rows)
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
