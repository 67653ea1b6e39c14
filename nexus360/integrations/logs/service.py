"""The run log (one row per attempt or run), health by thresholds, and retention.

Everything that talks to an outside system records its runs here (`record_run`): webhook deliveries,
directory syncs, tests of a connection, and notification e-mails (the notifications domain, through
`log_connector_run`). Each run also moves the connector's failure streak in `integration_states`, so a tile
needs no scan of the log to say how many runs failed in a row; when a streak reaches the failing threshold,
a notice to admins is queued in the same transaction (exactly one per streak).
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from nexus360.common.clock import SYSTEM_CLOCK, Clock
from nexus360.common.errors import NotFoundError
from nexus360.config import Settings
from nexus360.integrations import repository as configs
from nexus360.integrations.connectors import engine as secrets
from nexus360.integrations.connectors.schemas import TYPE_LABELS
from nexus360.integrations.connectors.service import Actor, require_manage
from nexus360.integrations.logs import repository
from nexus360.integrations.logs.schemas import (
    DEGRADED,
    DISABLED,
    DURATION_BOUNDS_MS,
    FAILED_STATUSES,
    FAILING,
    HEALTHY,
    OK_STATUSES,
    Health,
    LogChoices,
    LogDetail,
    LogFilters,
    LogPage,
    LogRead,
    Pruned,
    RunRecorded,
)
from nexus360.jobs import service as jobs
from nexus360.jobs.schemas import Enqueue

PAGE_SIZE = 50
FAILING_NOTICE = "integrations.failing"
PRUNE_BATCH = 10_000
MAX_PRUNE_BATCHES = 5  # per transaction: the worker calls again while rows are deleted


def record_run(
    session: Session, actor: Actor, *, integration_id: int, event_type: str, status: str, settings: Settings,
    payload: Any = None, error: str | None = None, attempt: int | None = None, status_code: int | None = None,
    duration_ms: int | None = None, message_id: str | None = None, response_excerpt: str | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> RunRecorded:
    """One log row (payload and texts masked) and the connector's streak, in the caller's transaction."""
    require_manage(actor)
    now = clock.now()
    configs.add_log(session, integration_id=integration_id, event_type=event_type[:50], status=status[:20],
                    payload=secrets.mask(payload), error_message=secrets.mask(error), created_at=now, attempt=attempt,
                    status_code=status_code, duration_ms=duration_ms, message_id=message_id,
                    response_excerpt=secrets.mask(response_excerpt[:500]) if response_excerpt else None)
    repository.add_to_hour(session, integration_id=integration_id, hour=now.replace(minute=0, second=0, microsecond=0),
                           ok=status not in FAILED_STATUSES, bucket=_bucket(duration_ms),
                           buckets=len(DURATION_BOUNDS_MS) + 1)
    state = configs.lock_state(session, integration_id)
    state.last_run_at = now
    became_failing = False
    if status in FAILED_STATUSES:
        state.consecutive_failures += 1
        state.streak_started_at = state.streak_started_at or now
        state.last_failure_at = now
        if state.consecutive_failures >= settings.integrations_failing_after and state.failing_notified_at is None:
            state.failing_notified_at = now
            became_failing = True
            jobs.enqueue(session, Enqueue(kind=FAILING_NOTICE, key=f"failing:{integration_id}:{now.isoformat()}",
                                          payload={"integration_id": integration_id}), clock=clock)
    else:
        state.consecutive_failures, state.streak_started_at, state.failing_notified_at = 0, None, None
        state.last_success_at = now
    session.flush()
    return RunRecorded(state.consecutive_failures, state.streak_started_at, became_failing)


def log_connector_run(session: Session, actor: Actor, *, connector_type: str, event_type: str, ok: bool,
                      settings: Settings, payload: Any = None, error: str | None = None,
                      duration_ms: int | None = None, clock: Clock = SYSTEM_CLOCK) -> RunRecorded | None:
    """Log a run of the active connector of a type (e.g. notifications' "smtp" batches); None if there is none."""
    require_manage(actor)
    connector = configs.first_active(session, type=connector_type)
    if connector is None:
        return None
    return record_run(session, actor, integration_id=connector.id, event_type=event_type,
                      status="success" if ok else "failed", payload=payload, error=error, duration_ms=duration_ms,
                      settings=settings, clock=clock)


# --- reading --------------------------------------------------------------------------------------


def health(session: Session, principal: Actor, *, settings: Settings, clock: Clock = SYSTEM_CLOCK) -> list[Health]:
    """Every connector's tile: state, last success, 24-hour success rate and p95, failures in a row."""
    require_manage(principal)
    since = (clock.now() - timedelta(hours=24)).replace(minute=0, second=0, microsecond=0)
    tiles = []
    for row in repository.health_rows(session, since=since):
        runs, ok = int(row.runs), int(row.ok)
        p95 = _p95(list(row.durations or []))
        streak = row.consecutive_failures or 0
        rate = ok / runs if runs else None
        label, reason = _state(bool(row.is_active is not False), streak, rate, runs, settings)
        tiles.append(Health(
            integration_id=row.id, name=row.name, type=row.type, type_label=TYPE_LABELS.get(row.type, row.type),
            state=label, reason=reason, runs_24h=runs, success_rate_24h=rate, p95_ms_24h=p95,
            consecutive_failures=streak, last_success_at=row.last_success_at, last_failure_at=row.last_failure_at,
            last_run_at=row.last_run_at))
    return tiles


def _bucket(duration_ms: int | None) -> int | None:
    """The 1-based histogram bucket of a duration (None: no duration recorded)."""
    return None if duration_ms is None else bisect_left(DURATION_BOUNDS_MS, duration_ms) + 1


def _p95(durations: list[int]) -> int | None:
    """The upper bound of the bucket holding the 95th percentile (None without durations; the slowest
    bucket has no bound: its lower one, the last bound, is shown)."""
    total = sum(durations)
    if not total:
        return None
    seen = 0
    for index, count in enumerate(durations):
        seen += count
        if seen >= 0.95 * total:
            return DURATION_BOUNDS_MS[min(index, len(DURATION_BOUNDS_MS) - 1)]
    return DURATION_BOUNDS_MS[-1]


def _state(active: bool, streak: int, rate: float | None, runs: int, settings: Settings) -> tuple[str, str]:
    if not active:
        return DISABLED, "Switched off."
    if streak >= settings.integrations_failing_after:
        return FAILING, f"{streak} failures in a row (failing from {settings.integrations_failing_after})."
    if streak:
        return DEGRADED, "The last run failed." if streak == 1 else f"The last {streak} runs failed."
    if rate is not None and rate < settings.integrations_degraded_success_rate:
        return DEGRADED, f"{rate:.0%} of {runs:,} runs succeeded in 24 hours."
    return HEALTHY, "No runs in 24 hours." if not runs else f"{rate:.0%} of {runs:,} runs succeeded in 24 hours."


def list_logs(session: Session, principal: Actor, *, filters: LogFilters, after: tuple[datetime, int] | None = None,
              limit: int = PAGE_SIZE) -> LogPage:
    """One page of the log, newest first, filtered (integration, status, event, time range)."""
    require_manage(principal)
    limit = max(1, min(limit, 200))
    rows = repository.list_logs(session, filters, after=after, limit=limit + 1)
    logs = [_read(row, row.integration) for row in rows[:limit]]
    more = len(rows) > limit
    return LogPage(rows=logs, next_after=(logs[-1].created_at, logs[-1].id) if more else None)


def get_log(session: Session, principal: Actor, *, log_id: int) -> LogDetail:
    """One log row with its payload (secrets masked) and whether it can be retried."""
    require_manage(principal)
    row = repository.get_log(session, log_id)
    if row is None:
        raise NotFoundError("This log entry no longer exists (logs are pruned by age and count).")
    config = configs.get_config(session, row.integration_id)
    can_retry = bool(row.message_id and config is not None and config.type == "webhook"
                     and jobs.job_exists(session, f"webhook:{row.message_id}:{row.integration_id}"))
    return LogDetail(log=_read(row, config.name if config else None), payload=secrets.mask(row.payload),
                     response_excerpt=row.response_excerpt, can_retry=can_retry)


def list_event_types(session: Session, principal: Actor) -> list[str]:
    require_manage(principal)
    return repository.list_event_types(session)


def log_choices(session: Session, principal: Actor) -> LogChoices:
    """What the run log's filters offer: every connector (id, name, type; by name) and every event type logged."""
    require_manage(principal)
    connectors = tuple((row.id, row.name, row.type) for row in configs.list_configs(session))
    return LogChoices(connectors=connectors, event_types=tuple(repository.list_event_types(session)))


def _read(row: Any, integration: str | None) -> LogRead:
    """A log row for the page, named by its integration (None: the integration was removed)."""
    return LogRead(id=row.id, created_at=row.created_at, integration_id=row.integration_id,
                   integration=integration or "Removed integration", event_type=row.event_type,
                   status=row.status, attempt=row.attempt, status_code=row.status_code, duration_ms=row.duration_ms,
                   error=row.error_message, message_id=row.message_id)


# --- retention ------------------------------------------------------------------------------------


def prune(session: Session, actor: Actor, *, settings: Settings, clock: Clock = SYSTEM_CLOCK,
          batch: int = PRUNE_BATCH) -> Pruned:
    """Delete logs older than the retention days, then each connector's rows beyond the row limit, in batches."""
    require_manage(actor)
    cutoff = clock.now() - timedelta(days=settings.integrations_log_retention_days)
    by_age = _batches(lambda: repository.delete_older_than(session, before=cutoff, limit=batch), batch)
    by_count = 0
    for config in configs.list_configs(session):
        keep_from = repository.nth_newest_time(session, config.id, settings.integrations_log_max_rows)
        if keep_from is not None:
            by_count += _batches(lambda c=config.id, k=keep_from: repository.delete_beyond(
                session, c, keep_from=k, limit=batch), batch)
    repository.delete_hours_before(session, before=clock.now() - timedelta(days=2))  # tiles read 24 h
    finished = jobs.prune_jobs(session, older_than=timedelta(days=settings.integrations_log_retention_days),
                               clock=clock, limit=batch)
    return Pruned(by_age=by_age, by_count=by_count, jobs=finished)


def _batches(step, batch: int) -> int:
    total = 0
    for _ in range(MAX_PRUNE_BATCHES):
        deleted = step()
        total += deleted
        if deleted < batch:
            break
    return total


def queue_counts(session: Session, principal: Actor) -> jobs.QueueCounts:
    """How many jobs wait, run and failed for good (the Retention tab)."""
    require_manage(principal)
    return jobs.queue_counts(session)


def is_failure(status: str) -> bool:
    return status in FAILED_STATUSES


def is_success(status: str) -> bool:
    return status in OK_STATUSES
