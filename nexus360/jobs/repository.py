"""Queries of the job queue (integration database) and of an event outbox (any emitting database)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from nexus360.jobs.models import CANCELLED, DONE, FAILED, QUEUED, RUNNING, Job, event_outbox

# --- the queue ----------------------------------------------------------------------------------------


def insert_job(session: Session, *, kind: str, key: str | None, payload: dict[str, Any], run_at: datetime,
               interval_seconds: int | None = None) -> bool:
    """Add a job; False when a job with this key exists already (nothing changes then)."""
    statement = (pg_insert(Job).values(kind=kind, key=key, payload=payload, run_at=run_at,
                                       interval_seconds=interval_seconds)
                 .on_conflict_do_nothing(index_elements=["key"]).returning(Job.id))
    return session.execute(statement).first() is not None


def upsert_schedule(session: Session, *, kind: str, key: str, payload: dict[str, Any], interval_seconds: int,
                    run_at: datetime) -> None:
    """A recurring job: created due at `run_at`; an existing one takes the new interval and payload and keeps its
    next run, brought forward to one new interval from `run_at` at the latest (a cancelled one runs at once)."""
    statement = pg_insert(Job).values(kind=kind, key=key, payload=payload, run_at=run_at,
                                      interval_seconds=interval_seconds)
    statement = statement.on_conflict_do_update(index_elements=["key"], set_={
        "interval_seconds": interval_seconds, "payload": payload, "kind": kind,
        "status": text(f"CASE WHEN jobs.status = '{RUNNING}' THEN jobs.status ELSE '{QUEUED}' END"),
        "run_at": func.least(Job.run_at, run_at + timedelta(seconds=interval_seconds)),
    })
    session.execute(statement)


def cancel_key(session: Session, key: str, *, now: datetime) -> int:
    statement = (update(Job).where(Job.key == key, Job.status.in_((QUEUED, FAILED)))
                 .values(status=CANCELLED, finished_at=now))
    return session.execute(statement).rowcount


CLAIM = text(f"""
UPDATE jobs SET status = '{RUNNING}', attempts = attempts + 1, locked_by = :worker, lock_token = :token,
       locked_until = :until
WHERE id IN (
    SELECT id FROM jobs
    WHERE status IN ('{QUEUED}', '{RUNNING}') AND run_at <= :now
      AND (status = '{QUEUED}' OR locked_until < :now)
      AND (CAST(:kinds AS text[]) IS NULL OR kind = ANY (CAST(:kinds AS text[])))
    ORDER BY run_at, id
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
)
RETURNING id, kind, key, payload, attempts, lock_token, interval_seconds, created_at
""")


def claim(session: Session, *, now: datetime, until: datetime, worker: str, token: str, limit: int,
          kinds: Sequence[str] | None = None) -> list[Any]:
    """Take up to `limit` due jobs (and jobs whose holder's lease ran out) that no other worker is taking."""
    return list(session.execute(CLAIM, {"now": now, "until": until, "worker": worker, "token": token,
                                        "limit": limit, "kinds": list(kinds) if kinds else None}))


def extend_leases(session: Session, *, tokens: Iterable[tuple[int, str]], until: datetime) -> int:
    changed = 0
    for job_id, token in tokens:
        changed += session.execute(update(Job).where(Job.id == job_id, Job.lock_token == token,
                                                     Job.status == RUNNING).values(locked_until=until)).rowcount
    return changed


def finish(session: Session, *, job_id: int, token: str, status: str, now: datetime, run_at: datetime | None = None,
           error: str | None = None, reset_attempts: bool = False) -> bool:
    """Release a job held under `token`; False when the lease was lost (another worker holds it now)."""
    values: dict[str, Any] = {"status": status, "locked_by": None, "lock_token": None, "locked_until": None,
                              "last_error": error}
    if run_at is not None:
        values["run_at"] = run_at
    if status in (DONE, FAILED, CANCELLED):
        values["finished_at"] = now
    if reset_attempts:
        values["attempts"] = 0
    statement = update(Job).where(Job.id == job_id, Job.lock_token == token, Job.status == RUNNING).values(**values)
    return session.execute(statement).rowcount == 1


def requeue(session: Session, *, now: datetime, kind: str, keys: Sequence[str] | None = None,
            since: datetime | None = None, payload_match: dict[str, Any] | None = None,
            statuses: Sequence[str] = (FAILED,)) -> int:
    """Put finished jobs back in the queue, due now, with a fresh retry schedule; returns how many."""
    statement = update(Job).where(Job.kind == kind, Job.status.in_(statuses))
    if keys is not None:
        statement = statement.where(Job.key.in_(list(keys)))
    if since is not None:
        statement = statement.where(Job.created_at >= since)
    if payload_match:
        statement = statement.where(Job.payload.contains(payload_match))
    values = {"status": QUEUED, "run_at": now, "attempts": 0, "last_error": None, "finished_at": None}
    return session.execute(statement.values(**values)).rowcount


def find_job(session: Session, key: str) -> Job | None:
    return session.scalars(select(Job).where(Job.key == key)).first()


def cancel_matching(session: Session, *, kind: str, payload_match: dict[str, Any], now: datetime) -> int:
    statement = (update(Job).where(Job.kind == kind, Job.status == QUEUED, Job.payload.contains(payload_match))
                 .values(status=CANCELLED, finished_at=now, last_error="cancelled"))
    return session.execute(statement).rowcount


def delete_finished(session: Session, *, before: datetime, limit: int) -> int:
    """Delete up to `limit` one-off jobs finished before `before` (schedules are never finished)."""
    chosen = (select(Job.id).where(Job.status.in_((DONE, FAILED, CANCELLED)), Job.interval_seconds.is_(None),
                                   Job.finished_at < before).limit(limit).scalar_subquery())
    return session.execute(delete(Job).where(Job.id.in_(chosen))).rowcount


def count_by_status(session: Session, *, kind: str | None = None) -> dict[str, int]:
    statement = select(Job.status, func.count()).group_by(Job.status)
    if kind:
        statement = statement.where(Job.kind == kind)
    return {status: count for status, count in session.execute(statement)}


# --- an outbox --------------------------------------------------------------------------------------


def insert_event(session: Session, *, event_id: str, event_type: str, data: dict[str, Any],
                 occurred_at: datetime) -> None:
    session.execute(insert(event_outbox).values(event_id=event_id, event_type=event_type, data=data,
                                                occurred_at=occurred_at))


def lock_pending_events(session: Session, *, limit: int) -> list[Any]:
    """The oldest undispatched events no other relay holds (they stay locked until this transaction ends)."""
    statement = (select(event_outbox).where(event_outbox.c.dispatched_at.is_(None)).order_by(event_outbox.c.id)
                 .limit(limit).with_for_update(skip_locked=True))
    return list(session.execute(statement))


def mark_dispatched(session: Session, *, ids: Sequence[int], now: datetime) -> None:
    session.execute(update(event_outbox).where(event_outbox.c.id.in_(list(ids))).values(dispatched_at=now))


def delete_dispatched(session: Session, *, before: datetime, limit: int) -> int:
    chosen = (select(event_outbox.c.id).where(event_outbox.c.dispatched_at < before).limit(limit)
              .scalar_subquery())
    return session.execute(delete(event_outbox).where(event_outbox.c.id.in_(chosen))).rowcount


def count_pending_events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(event_outbox)
                          .where(event_outbox.c.dispatched_at.is_(None))) or 0
