"""Queries of quotas: the quota on each rep's statement of a period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from nexus360.compensation.models import SalesPerformance


def statement_quotas(session: Session, *, user_ids: Sequence[int], start: date, end: date) -> dict[int, Decimal]:
    """user id -> the quota on their statement for exactly [start, end] (statements without one left out)."""
    statement = select(SalesPerformance.user_id, SalesPerformance.quota).where(
        SalesPerformance.user_id.in_(list(user_ids)), SalesPerformance.period_start == start,
        SalesPerformance.period_end == end, SalesPerformance.quota.is_not(None))
    return dict(session.execute(statement).all())
