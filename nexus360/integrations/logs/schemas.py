"""Shapes of the run log and of health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

HEALTHY, DEGRADED, FAILING, DISABLED = "healthy", "degraded", "failing", "disabled"
OK_STATUSES = ("success", "partial")
FAILED_STATUSES = ("failed", "error")
# Duration buckets of the hourly counts (ms, upper bounds; one more bucket holds everything slower). Keep in
# step with db/versions/integration/0012_run_log_hours.py.
DURATION_BOUNDS_MS = (10, 20, 30, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500,
                      10000, 15000, 30000)
STATUS_LABELS = {"success": "Succeeded", "partial": "Partly succeeded", "failed": "Failed", "error": "Failed"}


@dataclass(frozen=True)
class LogFilters:
    since: datetime
    until: datetime | None = None
    integration_id: int | None = None
    status: str | None = None  # "success" or "failed" (failed covers "error" too)
    event_type: str | None = None


@dataclass(frozen=True)
class LogRead:
    id: int
    created_at: datetime
    integration_id: int
    integration: str
    event_type: str
    status: str
    attempt: int | None
    status_code: int | None
    duration_ms: int | None
    error: str | None
    message_id: str | None


@dataclass(frozen=True)
class LogDetail:
    log: LogRead
    payload: Any  # secrets masked
    response_excerpt: str | None
    can_retry: bool  # a webhook delivery whose job can be put back in the queue


@dataclass(frozen=True)
class LogChoices:
    """The run log's filter choices: connectors as (id, name, type), by name, and the event types logged."""

    connectors: tuple[tuple[int, str, str], ...]
    event_types: tuple[str, ...]


@dataclass(frozen=True)
class LogPage:
    rows: list[LogRead]
    next_after: tuple[datetime, int] | None


@dataclass(frozen=True)
class Health:
    """One connector's tile: state by the thresholds in Settings, and its last 24 hours."""

    integration_id: int
    name: str
    type: str
    type_label: str
    state: str
    reason: str
    runs_24h: int
    success_rate_24h: float | None
    p95_ms_24h: int | None
    consecutive_failures: int
    last_success_at: datetime | None
    last_failure_at: datetime | None
    last_run_at: datetime | None


@dataclass(frozen=True)
class RunRecorded:
    """What recording a run changed: the failure streak, and whether the connector just started failing."""

    consecutive_failures: int
    streak_started_at: datetime | None
    became_failing: bool


@dataclass(frozen=True)
class Pruned:
    by_age: int
    by_count: int
    jobs: int
    events: int = 0
