"""Marketing rules and permission checks."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.common.periods import month_of
from nexus360.marketing import repository


def count_new_leads_this_month(session: Session, principal: Principal, *, today: date) -> int:
    """Leads created since the first day of the current month (UTC)."""
    require(principal, "marketing.read")
    return repository.count_leads_created_since(session, datetime.combine(month_of(today).start, time.min))
