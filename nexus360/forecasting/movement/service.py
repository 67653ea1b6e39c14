"""Snapshots of a period and the movement between two of them (reads of the forecasting database)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.common.errors import NotFoundError
from nexus360.common.periods import Period
from nexus360.forecasting import repository
from nexus360.forecasting.models import ForecastSnapshot
from nexus360.forecasting.movement.engine import DealAt, parse_deals
from nexus360.forecasting.schemas import Scope


def list_snapshots(session: Session, principal: Principal, *, period: Period, scope: Scope) -> list[ForecastSnapshot]:
    """The scope's snapshots of the period that kept their deals, newest first (the caller resolved the scope)."""
    require(principal, "forecasts.read")
    return repository.list_snapshots(session, start=period.start, end=period.end, scope=scope.kind,
                                     owner_id=scope.owner_id)


def get_snapshot(session: Session, principal: Principal, *, snapshot_id: int, period: Period,
                 scope: Scope) -> ForecastSnapshot:
    """One snapshot of this period and scope (row-level security hides other reps')."""
    require(principal, "forecasts.read")
    snapshot = repository.get_snapshot(session, snapshot_id)
    if (snapshot is None or snapshot.deal_count is None or (snapshot.period_start, snapshot.period_end)
            != (period.start, period.end) or (snapshot.scope, snapshot.owner_id) != (scope.kind, scope.owner_id)):
        raise NotFoundError(f"Snapshot {snapshot_id} is not a snapshot of {period.label} for this view.")
    return snapshot


def snapshot_deals(session: Session, principal: Principal, *, snapshot_id: int,
                   owner_ids: Sequence[int] | None) -> list[DealAt]:
    """The deals a snapshot kept, of these owners (row-level security: a rep's own only)."""
    require(principal, "forecasts.read")
    return parse_deals(repository.snapshot_deals_text(session, snapshot_id, owner_ids=owner_ids))


def taken_at(snapshot: ForecastSnapshot | None, now: datetime) -> datetime:
    return snapshot.taken_at if snapshot is not None else now
