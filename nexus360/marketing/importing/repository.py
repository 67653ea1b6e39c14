"""Queries of the leads import beyond marketing/repository.py's: the campaigns a file's names can map to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from nexus360.marketing.models import Campaign


def list_campaign_names(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every campaign, by name."""
    statement = select(Campaign.id, Campaign.name).order_by(Campaign.name, Campaign.id)
    return [(campaign_id, name) for campaign_id, name in session.execute(statement)]
