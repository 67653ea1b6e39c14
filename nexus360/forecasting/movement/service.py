"""Snapshots of a period and the movement between two of them (reads of the forecasting database)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.common.errors import NotFoundError
from nexus360.common.periods import Period
from nexus360.forecasting import repository
from nexus360.forecasting.models import ForecastSnapshot
from nexus360.forecasting.movement.engine import DealAt
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


def diff(session: Session, principal: Principal, *, before_id: int, after_id: int | None, live: bytes | None,
         owner_ids: Sequence[int] | None) -> tuple[list[DealAt], list[DealAt], tuple[Decimal, Decimal]]:
    """The deals that differ between snapshot `before_id` and `after_id` (or `live`, the CRM's deals now), of these
    owners, and both snapshots' totals (row-level security: a rep's own deals only)."""
    require(principal, "forecasts.read")
    earlier, later, totals = repository.diff_snapshots(session, before_id=before_id, after_id=after_id, live=live,
                                                       owner_ids=owner_ids)
    return [DealAt(*row) for row in earlier], [DealAt(*row) for row in later], (totals[0], totals[1])


def taken_at(snapshot: ForecastSnapshot | None, now: datetime) -> datetime:
    return snapshot.taken_at if snapshot is not None else now
