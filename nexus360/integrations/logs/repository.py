"""Queries of the run log at 10 million rows: each one rides an index of integration_0011 (see there)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, text, tuple_
from sqlalchemy.orm import Session

from nexus360.integrations.logs.schemas import FAILED_STATUSES, OK_STATUSES, LogFilters
from nexus360.integrations.models import IntegrationConfig, IntegrationLog

LIST_COLUMNS = (IntegrationLog.id, IntegrationLog.created_at, IntegrationLog.integration_id, IntegrationLog.event_type,
                IntegrationLog.status, IntegrationLog.attempt, IntegrationLog.status_code, IntegrationLog.duration_ms,
                IntegrationLog.error_message, IntegrationLog.message_id)


def list_logs(session: Session, filters: LogFilters, *, after: tuple[datetime, int] | None, limit: int) -> list[Any]:
    """Newest first, one page past `after` (created_at, id), each with its integration's name (None: removed)."""
    log = IntegrationLog
    statement = (select(*LIST_COLUMNS, IntegrationConfig.name.label("integration"))
                 .outerjoin(IntegrationConfig, IntegrationConfig.id == log.integration_id)
                 .where(log.created_at >= filters.since))
    if filters.until is not None:
        statement = statement.where(log.created_at < filters.until)
    if filters.integration_id is not None:
        statement = statement.where(log.integration_id == filters.integration_id)
    if filters.status == "success":
        statement = statement.where(log.status.in_(OK_STATUSES))
    elif filters.status == "failed":
        statement = statement.where(log.status.in_(FAILED_STATUSES))
    if filters.event_type:
        statement = statement.where(log.event_type == filters.event_type)
    if after is not None:
        statement = statement.where(tuple_(log.created_at, log.id) < tuple_(*after))
    return list(session.execute(statement.order_by(log.created_at.desc(), log.id.desc()).limit(limit)))


def get_log(session: Session, log_id: int) -> IntegrationLog | None:
    return session.get(IntegrationLog, log_id)


HEALTH = text("""
WITH hours AS (
    SELECT integration_id, runs, ok, durations FROM integration_log_hours WHERE hour >= :since
), totals AS (
    SELECT integration_id, sum(runs) AS runs, sum(ok) AS ok FROM hours GROUP BY integration_id
), buckets AS (
    SELECT integration_id, u.bucket, sum(u.count)::int AS total
    FROM hours, unnest(hours.durations) WITH ORDINALITY AS u(count, bucket)
    GROUP BY integration_id, u.bucket
), recent AS (
    SELECT t.integration_id, t.runs, t.ok, array_agg(b.total ORDER BY b.bucket) AS durations
    FROM totals t JOIN buckets b USING (integration_id)
    GROUP BY t.integration_id, t.runs, t.ok
)
SELECT c.id, c.name, c.type, c.is_active, s.consecutive_failures, s.last_success_at, s.last_failure_at,
       s.last_run_at, coalesce(r.runs, 0) AS runs, coalesce(r.ok, 0) AS ok, r.durations
FROM integration_configs c
LEFT JOIN integration_states s ON s.integration_id = c.id
LEFT JOIN recent r ON r.integration_id = c.id
ORDER BY lower(c.name), c.id
""")


def health_rows(session: Session, *, since: datetime) -> list[Any]:
    """Every connector (by name) with its state and, since `since` (whole hours), its runs, successful runs and
    duration histogram: one statement (the tiles are read on every rerun of the Integrations page)."""
    return list(session.execute(HEALTH, {"since": since}))


ADD_TO_HOUR = text("""
INSERT INTO integration_log_hours (integration_id, hour, runs, ok, durations)
VALUES (:id, :hour, 1, :ok, :empty)
ON CONFLICT (integration_id, hour) DO UPDATE
SET runs = integration_log_hours.runs + 1, ok = integration_log_hours.ok + EXCLUDED.ok,
    durations = integration_log_hours.durations
""")
ADD_DURATION = text("""
UPDATE integration_log_hours SET durations[:bucket] = durations[:bucket] + 1
WHERE integration_id = :id AND hour = :hour
""")


def add_to_hour(session: Session, *, integration_id: int, hour: datetime, ok: bool, bucket: int | None,
                buckets: int) -> None:
    """Count one run in its connector's hour (and its duration in bucket `bucket`, 1-based)."""
    params = {"id": integration_id, "hour": hour}
    session.execute(ADD_TO_HOUR, {**params, "ok": int(ok), "empty": [0] * buckets})
    if bucket is not None:
        session.execute(ADD_DURATION, {**params, "bucket": bucket})


EVENT_TYPES = text("""
WITH RECURSIVE kinds AS (
    (SELECT event_type FROM integration_logs ORDER BY event_type LIMIT 1)
    UNION ALL
    SELECT (SELECT event_type FROM integration_logs WHERE event_type > kinds.event_type
            ORDER BY event_type LIMIT 1)
    FROM kinds WHERE kinds.event_type IS NOT NULL
)
SELECT event_type FROM kinds WHERE event_type IS NOT NULL
""")


def list_event_types(session: Session) -> list[str]:
    """The distinct event types, by a skip scan of their index (one probe per type, not a scan of the log)."""
    return list(session.scalars(EVENT_TYPES))


def delete_older_than(session: Session, *, before: datetime, limit: int) -> int:
    chosen = select(IntegrationLog.id).where(IntegrationLog.created_at < before).limit(limit).scalar_subquery()
    return session.execute(delete(IntegrationLog).where(IntegrationLog.id.in_(chosen))).rowcount


def nth_newest_time(session: Session, integration_id: int, n: int) -> tuple[datetime, int] | None:
    """(created_at, id) of the connector's n-th newest row (rows older than it are over the count limit)."""
    statement = (select(IntegrationLog.created_at, IntegrationLog.id)
                 .where(IntegrationLog.integration_id == integration_id)
                 .order_by(IntegrationLog.created_at.desc(), IntegrationLog.id.desc()).offset(n - 1).limit(1))
    row = session.execute(statement).first()
    return (row[0], row[1]) if row else None


def delete_beyond(session: Session, integration_id: int, *, keep_from: tuple[datetime, int], limit: int) -> int:
    chosen = (select(IntegrationLog.id).where(IntegrationLog.integration_id == integration_id,
                                              tuple_(IntegrationLog.created_at, IntegrationLog.id) < keep_from)
              .limit(limit).scalar_subquery())
    return session.execute(delete(IntegrationLog).where(IntegrationLog.id.in_(chosen))).rowcount


def count_logs(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(IntegrationLog)) or 0


def delete_hours_before(session: Session, *, before: datetime) -> int:
    return session.execute(text("DELETE FROM integration_log_hours WHERE hour < :before"),
                           {"before": before}).rowcount
