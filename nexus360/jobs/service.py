"""The job queue and the event outboxes: what services and the worker call.

Two kinds of caller, and neither is a page: services of the emitting domains write an event with
`record_event` inside the transaction of the change they are making (they checked their own permission),
and the worker (`nexus360.worker`) and the integrations service move jobs through the queue. The
permission of whoever asks for background work is checked by that caller (integrations.manage for a
replay); this module only keeps the queue's rules: a key is enqueued once, a job is held by one worker
at a time under a lease, and a finished job is released only by the worker that still holds it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from nexus360.common.clock import SYSTEM_CLOCK, Clock
from nexus360.common.errors import ValidationError
from nexus360.jobs import repository
from nexus360.jobs.models import CANCELLED, DONE, FAILED, QUEUED
from nexus360.jobs.schemas import EVENT_TYPES, ClaimedJob, Enqueue, OutboxEvent, QueueCounts

__all__ = ["QueueCounts"]

RELAY_BATCH = 500


# --- events ---------------------------------------------------------------------------------------


def record_event(session: Session, event_type: str, data: dict[str, Any], *, clock: Clock = SYSTEM_CLOCK) -> str:
    """Write an event to the outbox of `session`'s database, in its transaction; returns the event id.

    Call it in the transaction of the change the event tells about: both commit together or neither does.
    """
    if event_type not in EVENT_TYPES:
        raise ValidationError(f"Unknown event type {event_type!r}.")
    event_id = f"msg_{uuid.uuid4().hex}"
    repository.insert_event(session, event_id=event_id, event_type=event_type, data=data, occurred_at=clock.now())
    return event_id


def record_forecast_submitted(session: Session, *, forecast_id: int, period: str, scope: str, amount: str,
                              submitted_by: int, clock: Clock = SYSTEM_CLOCK) -> str:
    """The `forecast.submitted` webhook event, written by `forecasting.flows._save_call` on the forecasting
    session right after the call is saved, so it commits with the call (outbox: migration forecasting_0030)."""
    return record_event(session, "forecast.submitted", {"forecast_id": forecast_id, "period": period, "scope": scope,
                                                        "amount": amount, "submitted_by": submitted_by}, clock=clock)


def relay_events(source: Session, target: Session, *, route: Callable[[OutboxEvent], Iterable[Enqueue]],
                 clock: Clock = SYSTEM_CLOCK, limit: int = RELAY_BATCH) -> int:
    """Move a batch of undispatched events from `source`'s outbox into `target`'s job queue.

    The events stay locked in `source` (FOR UPDATE SKIP LOCKED, so relays beside this one take other rows)
    until the caller commits `target` first and `source` second. Jobs are keyed, so if `source`'s commit is
    lost after `target`'s, the next relay enqueues nothing twice.
    """
    rows = repository.lock_pending_events(source, limit=limit)
    now = clock.now()
    for row in rows:
        event = OutboxEvent(id=row.id, event_id=row.event_id, event_type=row.event_type, data=row.data,
                            occurred_at=row.occurred_at)
        for job in route(event):
            repository.insert_job(target, kind=job.kind, key=job.key, payload=job.payload, run_at=job.run_at or now)
    if rows:
        repository.mark_dispatched(source, ids=[row.id for row in rows], now=now)
    return len(rows)


def count_pending_events(session: Session) -> int:
    return repository.count_pending_events(session)


def prune_events(session: Session, *, older_than: timedelta, clock: Clock = SYSTEM_CLOCK, limit: int = 10_000) -> int:
    """Delete up to `limit` dispatched events older than `older_than`."""
    return repository.delete_dispatched(session, before=clock.now() - older_than, limit=limit)


# --- the queue ------------------------------------------------------------------------------------


def enqueue(session: Session, job: Enqueue, *, clock: Clock = SYSTEM_CLOCK) -> bool:
    """Add a job (due at once unless `run_at`); False when its key was enqueued before."""
    return repository.insert_job(session, kind=job.kind, key=job.key, payload=job.payload,
                                 run_at=job.run_at or clock.now())


def set_schedule(session: Session, *, kind: str, key: str, every: timedelta | None,
                 payload: dict[str, Any] | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
    """Run `kind` every `every` (first run now); None switches the schedule off."""
    if every is None:
        repository.cancel_key(session, key, now=clock.now())
        return
    seconds = max(1, int(every.total_seconds()))
    repository.upsert_schedule(session, kind=kind, key=key, payload=payload or {}, interval_seconds=seconds,
                               run_at=clock.now())


def claim(session: Session, *, worker: str, lease: timedelta, limit: int = 1, kinds: Sequence[str] | None = None,
          clock: Clock = SYSTEM_CLOCK) -> list[ClaimedJob]:
    """Hold up to `limit` due jobs for `worker` until `lease` from now (commit at once: the lease is the lock)."""
    now = clock.now()
    token = uuid.uuid4().hex
    rows = repository.claim(session, now=now, until=now + lease, worker=worker, token=token, limit=limit,
                            kinds=kinds)
    return [ClaimedJob(id=row.id, kind=row.kind, key=row.key, payload=row.payload or {}, attempts=row.attempts,
                       token=row.lock_token, interval_seconds=row.interval_seconds, created_at=row.created_at)
            for row in rows]


def extend_leases(session: Session, jobs: Iterable[ClaimedJob], *, lease: timedelta,
                  clock: Clock = SYSTEM_CLOCK) -> int:
    """Keep holding jobs that are still running (the worker's heartbeat)."""
    return repository.extend_leases(session, tokens=[(job.id, job.token) for job in jobs], until=clock.now() + lease)


def complete(session: Session, job: ClaimedJob, *, clock: Clock = SYSTEM_CLOCK) -> bool:
    """The job succeeded: done, or (a schedule) due again one interval from now."""
    now = clock.now()
    if job.interval_seconds:
        return repository.finish(session, job_id=job.id, token=job.token, status=QUEUED, now=now,
                                 run_at=now + timedelta(seconds=job.interval_seconds), reset_attempts=True)
    return repository.finish(session, job_id=job.id, token=job.token, status=DONE, now=now)


def retry_at(session: Session, job: ClaimedJob, moment: datetime, *, error: str | None,
             clock: Clock = SYSTEM_CLOCK) -> bool:
    """The attempt failed; run the job again at `moment`."""
    return repository.finish(session, job_id=job.id, token=job.token, status=QUEUED, now=clock.now(), run_at=moment,
                             error=error)


def give_up(session: Session, job: ClaimedJob, *, error: str, cancelled: bool = False,
            clock: Clock = SYSTEM_CLOCK) -> bool:
    """No more attempts: failed (replayable), or cancelled. A schedule fails only this run: it stays scheduled."""
    now = clock.now()
    if job.interval_seconds:
        return repository.finish(session, job_id=job.id, token=job.token, status=QUEUED, now=now, error=error,
                                 run_at=now + timedelta(seconds=job.interval_seconds), reset_attempts=True)
    return repository.finish(session, job_id=job.id, token=job.token, status=CANCELLED if cancelled else FAILED,
                             now=now, error=error)


def requeue(session: Session, *, kind: str, keys: Sequence[str] | None = None, since: datetime | None = None,
            payload_match: dict[str, Any] | None = None, statuses: Sequence[str] = (FAILED,),
            clock: Clock = SYSTEM_CLOCK) -> int:
    """Put finished jobs in `statuses` (failed, cancelled, done) back in the queue, due now, with a fresh schedule."""
    unknown = set(statuses) - {FAILED, CANCELLED, DONE}
    if unknown:
        raise ValidationError(f"Only finished jobs can be queued again, not {', '.join(sorted(unknown))} ones.")
    return repository.requeue(session, now=clock.now(), kind=kind, keys=keys, since=since,
                              payload_match=payload_match, statuses=statuses)


def cancel_queued(session: Session, *, kind: str, payload_match: dict[str, Any], clock: Clock = SYSTEM_CLOCK) -> int:
    """Cancel the queued jobs of this kind whose payload contains `payload_match` (e.g. a deleted endpoint's)."""
    return repository.cancel_matching(session, kind=kind, payload_match=payload_match, now=clock.now())


def job_exists(session: Session, key: str) -> bool:
    return repository.find_job(session, key) is not None


def prune_jobs(session: Session, *, older_than: timedelta, clock: Clock = SYSTEM_CLOCK, limit: int = 10_000) -> int:
    """Delete up to `limit` one-off jobs finished more than `older_than` ago."""
    return repository.delete_finished(session, before=clock.now() - older_than, limit=limit)


def queue_counts(session: Session, *, kind: str | None = None) -> QueueCounts:
    counts = repository.count_by_status(session, kind=kind)
    return QueueCounts(queued=counts.get(QUEUED, 0), running=counts.get("running", 0), failed=counts.get(FAILED, 0),
                       done=counts.get(DONE, 0))
