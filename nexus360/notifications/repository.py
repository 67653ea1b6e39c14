"""Queries of the notifications themselves: the inbox, the badge, the changes people make, the inserts.

Every inbox query starts with `user_id = :user` and an index that leads with it, so a person's page and
badge cost the same at five thousand rows of their own as at five, whatever the table holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, all_, and_, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nexus360.notifications.models import Notification, NotificationPreference
from nexus360.notifications.schemas import ARCHIVED, READ, UNREAD

INBOX_COLUMNS = (Notification.id, Notification.type, Notification.title, Notification.message, Notification.status,
                 Notification.created_at, Notification.read_at, Notification.link, Notification.reason,
                 Notification.snoozed_until, Notification.archived_at)


def _muted(user_id: int) -> ColumnElement[bool]:
    """Not of a type the person turned off in-app (one sub-select, run once per query)."""
    muted = (select(NotificationPreference.type)
             .where(NotificationPreference.user_id == user_id, NotificationPreference.in_app.is_(False)))
    return Notification.type != all_(func.array(muted.scalar_subquery()))


def _awake(now: datetime) -> ColumnElement[bool]:
    return or_(Notification.snoozed_until.is_(None), Notification.snoozed_until <= now)


def _view(user_id: int, view: str, now: datetime, *, type: str | None = None, since: datetime | None = None,
          until: datetime | None = None) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [Notification.user_id == user_id]
    if view == "archived":
        clauses.append(Notification.status == ARCHIVED)
    elif view == "snoozed":
        clauses += [Notification.status == UNREAD, Notification.snoozed_until > now, _muted(user_id)]
    elif view == "unread":
        clauses += [Notification.status == UNREAD, _awake(now), _muted(user_id)]
    else:
        clauses += [Notification.status.in_((UNREAD, READ)), _awake(now), _muted(user_id)]
    if type:
        clauses.append(Notification.type == type)
    if since:
        clauses.append(Notification.created_at >= since)
    if until:
        clauses.append(Notification.created_at < until)
    return clauses


def list_page(session: Session, user_id: int, view: str, *, type: str | None = None, since: datetime | None = None,
              until: datetime | None = None, before: int | None, limit: int, now: datetime) -> list:
    """`limit` rows of the view, newest first (by id), older than `before` if given; `since`/`until` are
    UTC moments (either end open)."""
    clauses = _view(user_id, view, now, type=type, since=since, until=until)
    if before is not None:
        clauses.append(Notification.id < before)
    # The page's ids first, from the index alone (every filter reads indexed columns), then just those rows:
    # the heap is read for what is shown, not for the thousands of rows a busy person has.
    chosen = (select(Notification.id).where(and_(*clauses)).order_by(Notification.id.desc()).limit(limit)
              .subquery())
    statement = (select(*INBOX_COLUMNS).join(chosen, chosen.c.id == Notification.id)
                 .order_by(Notification.id.desc()))
    return list(session.execute(statement))


def count_unread(session: Session, user_id: int, *, now: datetime) -> int:
    """The badge: unread, awake and not of a muted type (an index-only count over the person's rows)."""
    statement = select(func.count()).select_from(Notification).where(and_(*_view(user_id, "unread", now)))
    return int(session.execute(statement).scalar_one())


def set_status(session: Session, user_id: int, ids: Sequence[int] | None, *, values: dict,
               only: Sequence[str] | None = None) -> int:
    """Change the person's notifications (`ids`, or all in the `only` statuses); returns how many changed."""
    statement = update(Notification).where(Notification.user_id == user_id).values(**values)
    if ids is not None:
        statement = statement.where(Notification.id.in_(list(ids)))
    if only is not None:
        statement = statement.where(Notification.status.in_(list(only)))
    return session.execute(statement.execution_options(synchronize_session=False)).rowcount or 0


def get_one(session: Session, user_id: int, notification_id: int):
    statement = select(*INBOX_COLUMNS).where(Notification.user_id == user_id, Notification.id == notification_id)
    return session.execute(statement).first()


# Plain SQL on purpose: SQLAlchemy adds RETURNING id to every single-row insert (Core and ORM), and
# row-level security refuses to return a row the session may not read (another user's notification). For
# the same reason no ON CONFLICT: PostgreSQL checks a row proposed under ON CONFLICT against the reading
# policies too. The unique (user_id, event_key) index still refuses a second copy of one event, which
# `insert_many` takes as "told already": a retried flow tells nobody twice.
INSERT = text(
    "INSERT INTO notifications (user_id, type, title, message, status, link, reason, data, event_key, created_at) "
    "VALUES (:user_id, :type, :title, :message, 'unread', :link, :reason, CAST(:data AS jsonb), :event_key, "
    ":created_at)")
INSERT_DELIVERY = text(
    "INSERT INTO notification_deliveries (user_id, event_key, kind, status, due_at) "
    "VALUES (:user_id, :event_key, 'immediate', 'pending', :created_at)")
UNIQUE_VIOLATION = "23505"


def insert_many(session: Session, rows: list[dict]) -> int:
    """Notifications for several people (keys: user_id, type, title, message, link, reason, data as JSON
    text, event_key, created_at), each with its e-mail for the sender to decide on; a person already told
    of that event key is left out. Returns how many were written."""
    if not rows:
        return 0
    try:
        with session.begin_nested():
            _insert(session, rows)
        return len(rows)
    except IntegrityError as error:
        _unless_duplicate(error)
    written = 0
    for row in rows:  # someone was told already: the others one at a time
        try:
            with session.begin_nested():
                _insert(session, [row])
            written += 1
        except IntegrityError as error:
            _unless_duplicate(error)
    return written


def _insert(session: Session, rows: list[dict]) -> None:
    session.execute(INSERT, rows)
    session.execute(INSERT_DELIVERY, [{key: row[key] for key in ("user_id", "event_key", "created_at")}
                                      for row in rows])


def _unless_duplicate(error: IntegrityError) -> None:
    if getattr(error.orig, "sqlstate", None) != UNIQUE_VIOLATION:
        raise error
