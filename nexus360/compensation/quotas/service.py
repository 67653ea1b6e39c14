"""Each rep's quota for a month or a quarter, as compensation knows it.

The quota on the rep's statement of that period when it was run; otherwise the quota of the commission
rules in force (the one the next run would use). Quotas are set per quarter, so a month without a statement
of its own gets a third of its quarter's. Reading someone else's quota needs commissions.read_all or
forecasts.manage (row-level security still hides other reps' statements from a session without
commissions.read_all, which then falls back to the rules' quota).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require_any
from nexus360.common.periods import Period, quarter_of
from nexus360.compensation import engine
from nexus360.compensation.quotas import repository
from nexus360.compensation.rules import service as rules_service

CENT = Decimal("0.01")


def get_quotas(session: Session, principal: Principal, *, user_ids: Iterable[int], period_start: date,
               period_end: date) -> dict[int, Decimal | None]:
    """user id -> quota for the period (None when neither a statement nor a rule states one)."""
    ids = sorted({int(user_id) for user_id in user_ids})
    if all(user_id == principal.id for user_id in ids):
        require_any(principal, "commissions.read_own", "commissions.read_all", "forecasts.read")
    else:
        require_any(principal, "commissions.read_all", "forecasts.manage")
    if not ids:
        return {}
    period = Period(period_start, period_end)
    quarter = quarter_of(period_start)
    share = Decimal(1) if not period.is_month else Decimal(1) / 3
    found = repository.statement_quotas(session, user_ids=ids, start=period_start, end=period_end)
    if period.is_month:
        by_quarter = repository.statement_quotas(session, user_ids=[i for i in ids if i not in found],
                                                 start=quarter.start, end=quarter.end)
        found |= {user_id: (quota * share).quantize(CENT) for user_id, quota in by_quarter.items()}
    rules = rules_service.list_rules_in_force(session, principal, period=quarter)
    default = engine.default_quota(rules)
    fallback = (default * share).quantize(CENT) if default is not None else None
    return {user_id: found.get(user_id, fallback) for user_id in ids}
