"""`bench notifications`: the inbox and the badge at scale (the goal: 5,000,000 notifications across 1,000
people, every figure at most 50 ms at p95).

`seed()` loads the rows with COPY for users BENCH_USER_BASE + 1 ... + users (ids no real user has), spread
over the last year, most read, some unread, snoozed and archived, of every event type. `bench()` then times,
for random bench users, what the Notifications page and the sidebar run: each sample is one transaction as
that user (row-level security on), exactly as `ui.session.call` runs a service.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, text

from nexus360.auth.schemas import Principal
from nexus360.bench.common import _percentiles
from nexus360.db import Database, get_engine, session_scope
from nexus360.notifications import service
from nexus360.notifications.events.schemas import CATALOG
from nexus360.notifications.schemas import InboxFilters

BENCH_USER_BASE = 1_000_000
CHUNK = 50_000
PER_TRANSACTION = 500_000
COLUMNS = ("user_id", "type", "title", "message", "status", "created_at", "read_at", "link", "reason", "data",
           "event_key", "snoozed_until", "archived_at")


def seed(*, rows: int, users: int, now: datetime | None = None) -> str:
    """COPY `rows` notifications for `users` bench users (on top of what is there); returns a progress line."""
    now = (now or datetime.now(UTC)).replace(tzinfo=None)
    started = time.perf_counter()
    connection = get_engine(Database.NOTIFICATIONS, admin=True).raw_connection()
    try:
        cursor = connection.cursor()
        first = cursor.execute("SELECT COALESCE(max(id), 0) + 1 FROM notifications").fetchone()[0]
        connection.commit()
        chunks = _chunks(rows, users, now, first)
        for _transaction in range(0, rows, PER_TRANSACTION):  # each COPY its own transaction, no timeout
            cursor.execute("SET LOCAL statement_timeout = 0")
            with cursor.copy(f"COPY notifications ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for _chunk in range(PER_TRANSACTION // CHUNK):
                    chunk = next(chunks, None)
                    if chunk is None:
                        break
                    copy.write(chunk)
            connection.commit()
    finally:
        connection.close()
    _vacuum()
    return f"loaded {rows:,} notifications in {time.perf_counter() - started:,.0f} s"


def _vacuum() -> None:
    """Set the visibility map (index-only counts) as autovacuum would after a bulk load."""
    engine = get_engine(Database.NOTIFICATIONS, admin=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("SET statement_timeout = 0"))
        connection.execute(text("VACUUM (ANALYZE) notifications"))
        connection.execute(text("RESET statement_timeout"))


def _chunks(rows: int, users: int, now: datetime, first_id: int) -> Iterator[str]:
    rng = random.Random(17)
    types = list(CATALOG.values())
    span = timedelta(days=365).total_seconds()
    lines: list[str] = []
    for number in range(rows):
        user = BENCH_USER_BASE + 1 + number % users
        created = now - timedelta(seconds=span * (1 - number / rows) + rng.random())
        spec = types[rng.randrange(len(types))]
        roll = rng.random()
        recent = (now - created).days < 14
        status = "unread" if (roll < 0.5 if recent else roll < 0.04) else ("archived" if roll > 0.8 else "read")
        read_at = "\\N" if status == "unread" else _ts(created + timedelta(minutes=rng.randint(1, 3000)))
        archived = _ts(created + timedelta(days=rng.randint(1, 30))) if status == "archived" else "\\N"
        snoozed = _ts(now + timedelta(hours=rng.randint(1, 48))) if status == "unread" and roll < 0.002 else "\\N"
        deal = 2000 + number % 50_000
        data = json.dumps({"deal": {"id": deal, "title": f"Deal {deal}"}, "actor": {"name": "Bench"}})
        lines.append("\t".join((
            str(user), spec.type, f"{spec.label}: deal {deal}", f"Bench notification {first_id + number} of "
            f"{spec.label.lower()}.", status, _ts(created), read_at, f"/crm?crm_tab=Deals&deal={deal}", spec.reason,
            data.replace("\\", "\\\\"), f"bench:{first_id + number}", snoozed, archived)) + "\n")
        if len(lines) == CHUNK:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def bench(*, runs: int = 200, users: int | None = None) -> dict[str, Any]:
    """Median and p95 (ms) of the badge and the inbox's pages and filters, for random bench users."""
    users = users or _bench_users()
    if not users:
        return {"error": "No bench users: run `bench notifications --seed 5000000` first."}
    rng = random.Random(1)
    since = datetime.now(UTC).date() - timedelta(days=30)
    figures: dict[str, Callable[[Any, Principal], Any]] = {
        "floor: an empty transaction as the user": lambda s, p: s.execute(text("SELECT 1")),
        "badge (unread count)": lambda s, p: service.count_unread(s, p),
        "inbox, first page": lambda s, p: service.list_inbox(s, p),
        "inbox, unread": lambda s, p: service.list_inbox(s, p, filters=InboxFilters(view="unread")),
        "inbox, one type": lambda s, p: service.list_inbox(s, p, filters=InboxFilters(type="deal_won")),
        "inbox, last 30 days of a type": lambda s, p: service.list_inbox(
            s, p, filters=InboxFilters(type="statement_paid", since=since)),
        "inbox, archived": lambda s, p: service.list_inbox(s, p, filters=InboxFilters(view="archived")),
        "inbox, next page": _next_page,
        "mark one read": _mark_one,
    }
    total = _count()
    result: dict[str, Any] = {"notifications": total, "users": len(users), "runs": runs, "figures": {}}
    for name, run in figures.items():
        samples = []
        for _ in range(runs + 5):
            principal = Principal(id=rng.choice(users), email="bench@nexus360.test")
            started = time.perf_counter()
            with session_scope(Database.NOTIFICATIONS, actor=principal) as session:
                run(session, principal)
            samples.append((time.perf_counter() - started) * 1000)
        result["figures"][name] = {"call_ms": _percentiles(samples[5:])}
        if name not in WRITES:
            result["figures"][name]["in_database_ms"] = _percentiles(
                [_in_database(run, Principal(id=rng.choice(users), email="bench@nexus360.test"))
                 for _ in range(min(runs, 100))])
    return result


WRITES = {"mark one read"}


def _in_database(run: Callable[[Any, Principal], Any], principal: Principal) -> float:
    """What the database spends on one call (EXPLAIN ANALYZE's execution times of its statements, as the
    user): the call's time without the round trips and the CPU the machine's other work takes."""
    engine = get_engine(Database.NOTIFICATIONS)
    sent: list[tuple[str, Any]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if "set_config" not in statement and not statement.startswith("EXPLAIN"):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with session_scope(Database.NOTIFICATIONS, actor=principal) as session:
            run(session, principal)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    total = 0.0
    with session_scope(Database.NOTIFICATIONS, actor=principal) as session:
        for statement, parameters in sent:
            plan = session.connection().exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}",
                                                        parameters).scalar_one()
            total += plan[0]["Execution Time"] + plan[0]["Planning Time"]
    return total


def _next_page(session, principal: Principal):
    first = service.list_inbox(session, principal)
    return service.list_inbox(session, principal, before=first.next_before) if first.next_before else first


def _mark_one(session, principal: Principal):
    """Open (mark read) the newest notification: the write a click in the inbox makes."""
    first = service.list_inbox(session, principal, limit=1).items
    return service.mark_read(session, principal, notification_ids=[first[0].id]) if first else 0


def _bench_users() -> list[int]:
    with session_scope(Database.NOTIFICATIONS, admin=True) as session:
        return list(session.scalars(text(
            "WITH RECURSIVE u AS ((SELECT user_id FROM notifications WHERE user_id > :base ORDER BY user_id LIMIT 1)"
            " UNION ALL SELECT (SELECT user_id FROM notifications WHERE user_id > u.user_id ORDER BY user_id LIMIT 1)"
            " FROM u WHERE u.user_id IS NOT NULL) SELECT user_id FROM u WHERE user_id IS NOT NULL"),
            {"base": BENCH_USER_BASE}))


def _count() -> int:
    with session_scope(Database.NOTIFICATIONS, admin=True) as session:
        return int(session.scalar(text("SELECT reltuples::bigint FROM pg_class WHERE relname = 'notifications'")))
