"""Shapes of the jobs domain: a claimed job, an outbox event, and the events there are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# The events a change can emit (an outgoing webhook subscribes to some of them), as people read them.
EVENT_TYPES: dict[str, str] = {
    "deal.created": "Deal created",
    "deal.won": "Deal won",
    "deal.lost": "Deal lost",
    "lead.handed_off": "Lead handed off to sales",
    "commission.approved": "Commission approved",
    "forecast.submitted": "Forecast submitted",
}


@dataclass(frozen=True)
class ClaimedJob:
    """A job a worker holds under a lease; `token` proves the lease when the worker finishes it."""

    id: int
    kind: str
    key: str | None
    payload: dict[str, Any]
    attempts: int  # including the one now running
    token: str
    interval_seconds: int | None
    created_at: datetime | None


@dataclass(frozen=True)
class OutboxEvent:
    """One event as its source database's outbox holds it."""

    id: int
    event_id: str
    event_type: str
    data: dict[str, Any]
    occurred_at: datetime


@dataclass(frozen=True)
class Enqueue:
    """A job to add (idempotent on `key`)."""

    kind: str
    key: str | None
    payload: dict[str, Any]
    run_at: datetime | None = None


@dataclass(frozen=True)
class QueueCounts:
    queued: int
    running: int
    failed: int
    done: int
