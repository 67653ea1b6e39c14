"""`health`: is each of the eight databases reachable, migrated to head and guarded by row-level security, and
is the background worker keeping up? One JSON document; `ok` is false when anything is wrong.

Per database:
- reachable: the app's own connection answers (and the app's role is neither superuser nor BYPASSRLS, which
  would switch row-level security off for the whole app);
- migrated: its Alembic revision (read as the owner) is the head of its history;
- row-level security: every table that has policies has them enabled and forced, and the per-user tables
  (`PER_USER_TABLES`) have policies.

The worker (`check_worker`): with a job queue in the integration database (`jobs`, added with
`python -m nexus360 worker`), due jobs must not wait longer than `WORKER_LATE_AFTER`, and no running job's
lease may have expired that long ago (its worker died and none took it over). Without the queue it says so and
counts as healthy: there is nothing to run.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from nexus360.common.errors import Nexus360Error
from nexus360.config import get_settings
from nexus360.db import Database, embedded, migrate, session_scope
from nexus360.ops.tables import owner_connection

PER_USER_TABLES = {
    Database.COMPENSATION: ("sales_performance",),
    Database.NOTIFICATIONS: ("notifications",),
    Database.CHAT: ("conversations", "messages"),
}
WORKER_LATE_AFTER = timedelta(minutes=5)

RLS_STATE = text("""
    SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
           (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
""")


def health() -> dict[str, Any]:
    databases = [check_database(database) for database in Database]
    worker = check_worker()
    return {"ok": all(entry["ok"] for entry in databases) and worker["ok"],
            "checked_at": datetime.now(UTC).isoformat(timespec="seconds"), "databases": databases, "worker": worker}


def _embedded_down(database: Database) -> bool:
    """Never start the embedded server to look at it: a stopped server is a finding."""
    settings = get_settings()
    return settings.url_for(database.value) is None and not embedded.is_running(settings.data_dir)


def check_database(database: Database) -> dict[str, Any]:
    entry: dict[str, Any] = {"database": database.value, "reachable": False, "migrated": False,
                             "row_level_security": False, "problems": []}
    problems: list[str] = entry["problems"]
    if _embedded_down(database):
        problems.append("the embedded PostgreSQL server is not running")
        entry["ok"] = False
        return entry
    try:
        with session_scope(database) as session:
            role = session.execute(text("SELECT current_user, rolsuper OR rolbypassrls FROM pg_roles "
                                        "WHERE rolname = current_user")).one()
        entry["reachable"] = True
        if role[1]:
            problems.append(f"the app connects as {role[0]}, which bypasses row-level security")
        entry["revision"], entry["head"] = migrate.current_revision(database), migrate.head_revision(database)
        entry["migrated"] = entry["revision"] == entry["head"]
        if not entry["migrated"]:
            problems.append(f"at revision {entry['revision']}, head is {entry['head']}: run `db upgrade`")
        with owner_connection(database) as connection:
            rls = _rls_problems(connection, PER_USER_TABLES.get(database, ()))
        entry["row_level_security"] = not rls and not role[1]
        problems.extend(rls)
    except Nexus360Error as error:
        problems.append(str(error))
    entry["ok"] = not problems
    return entry


def _rls_problems(connection: Connection, per_user: tuple[str, ...]) -> list[str]:
    rows = {row.relname: row for row in connection.execute(RLS_STATE)}
    problems = [f"{name}: a per-user table without row-level security policies" for name in per_user
                if name not in rows or not rows[name].policies]
    problems += [f"{name}: has policies but row-level security is not enabled and forced"
                 for name, row in sorted(rows.items())
                 if row.policies and not (row.relrowsecurity and row.relforcerowsecurity)]
    return problems


def check_worker(*, now: datetime | None = None) -> dict[str, Any]:
    """The background worker, judged by its queue (see the module's docstring)."""
    now = (now or datetime.now(UTC)).replace(tzinfo=None)  # the queue keeps naive UTC
    late = now - WORKER_LATE_AFTER
    entry: dict[str, Any] = {"queue": False, "ok": True, "problems": []}
    if _embedded_down(Database.INTEGRATION):
        return {**entry, "ok": False, "problems": ["the embedded PostgreSQL server is not running"]}
    try:
        with owner_connection(Database.INTEGRATION) as connection:
            if connection.execute(text("SELECT to_regclass('public.jobs')")).scalar() is None:
                return {**entry, "note": "no job queue on this installation (no `python -m nexus360 worker` yet)"}
            counts = connection.execute(text("""
                SELECT count(*) FILTER (WHERE status = 'queued' AND run_at < :late) AS waiting,
                       count(*) FILTER (WHERE status = 'running' AND locked_until < :late) AS abandoned,
                       count(*) FILTER (WHERE status = 'failed') AS failed,
                       min(run_at) FILTER (WHERE status = 'queued') AS oldest_due
                FROM jobs WHERE status IN ('queued', 'running', 'failed')"""), {"late": late}).one()
    except Nexus360Error as error:
        return {**entry, "ok": False, "problems": [str(error)]}
    entry.update(queue=True, waiting_too_long=counts.waiting, abandoned=counts.abandoned, failed=counts.failed,
                 oldest_queued_run_at=counts.oldest_due)
    if counts.waiting:
        entry["problems"].append(f"{counts.waiting} due job(s) waited over {WORKER_LATE_AFTER}: is a worker running?")
    if counts.abandoned:
        entry["problems"].append(f"{counts.abandoned} running job(s) whose worker stopped renewing its lease")
    entry["ok"] = not entry["problems"]
    return entry
