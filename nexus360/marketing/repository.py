"""Queries of the marketing database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nexus360.marketing.models import Lead


def count_leads_created_since(session: Session, since: datetime) -> int:
    return int(session.execute(select(func.count(Lead.id)).where(Lead.created_at >= since)).scalar_one())
