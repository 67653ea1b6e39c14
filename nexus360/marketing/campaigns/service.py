"""Campaigns: plan, edit, duplicate and move through their statuses, with every edit kept as history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.common.errors import NotFoundError, ValidationError
from nexus360.common.pagination import PAGE_SIZE, Page
from nexus360.common.periods import today_utc
from nexus360.marketing import repository
from nexus360.marketing.models import Campaign
from nexus360.marketing.schemas import (
    CAMPAIGN_STATUSES,
    CampaignChangeRead,
    CampaignCreate,
    CampaignRead,
    CampaignUpdate,
)

FINAL_STATUSES = ("completed", "cancelled")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "planned": ("active", "cancelled"),
    "active": ("paused", "completed", "cancelled"),
    "paused": ("active", "completed", "cancelled"),
    "completed": (),
    "cancelled": (),
}


def list_campaigns(
    session: Session,
    principal: Principal,
    *,
    status: str | None = None,
    type: str | None = None,
    search: str = "",
    after: tuple | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """One page of campaigns, latest start date first (undated last), filtered in SQL."""
    require(principal, "marketing.read")
    return repository.list_campaigns(session, status=status, type_=type, search=search, after=after, limit=limit)


def get_campaign(session: Session, principal: Principal, *, campaign_id: int) -> CampaignRead:
    """One campaign."""
    require(principal, "marketing.read")
    return CampaignRead.model_validate(_campaign(session, campaign_id))


def find_duplicate_campaigns(
    session: Session, principal: Principal, *, name: str, exclude_id: int | None = None
) -> list[tuple[int, str]]:
    """(id, name) of the campaigns already called `name` (ignoring case), for a warning before saving."""
    require(principal, "marketing.read")
    return repository.find_campaigns_by_name(session, name, exclude_id=exclude_id)


def create_campaign(
    session: Session, principal: Principal, *, data: CampaignCreate, today: date | None = None
) -> CampaignRead:
    """Create a campaign (permission marketing.write)."""
    require(principal, "marketing.write")
    _check_started(data.status, data.start_date, today or today_utc())
    campaign = Campaign(**data.model_dump())
    session.add(campaign)
    session.flush()
    return CampaignRead.model_validate(campaign)


def update_campaign(
    session: Session, principal: Principal, *, campaign_id: int, data: CampaignUpdate, today: date | None = None
) -> CampaignRead:
    """Change a campaign and record who changed which fields (permission marketing.write)."""
    require(principal, "marketing.write")
    campaign = _campaign(session, campaign_id)
    values = data.model_dump()
    if values["status"] != campaign.status:
        _check_transition(campaign.status, values["status"])
    _check_started(values["status"], values["start_date"], today or today_utc())
    _apply(session, principal, campaign, values)
    return CampaignRead.model_validate(campaign)


def change_status(
    session: Session, principal: Principal, *, campaign_id: int, status: str, today: date | None = None
) -> CampaignRead:
    """Move a campaign to another status along the allowed transitions (permission marketing.write)."""
    require(principal, "marketing.write")
    campaign = _campaign(session, campaign_id)
    _check_transition(campaign.status, status)
    _check_started(status, campaign.start_date, today or today_utc())
    _apply(session, principal, campaign, {"status": status})
    return CampaignRead.model_validate(campaign)


def duplicate_campaign(session: Session, principal: Principal, *, campaign_id: int) -> CampaignRead:
    """A planned copy named "Copy of …" with the same type, dates and budget (permission marketing.write)."""
    require(principal, "marketing.write")
    source = _campaign(session, campaign_id)
    copy = Campaign(
        name=f"Copy of {source.name}"[:255],
        type=source.type,
        status="planned",
        start_date=source.start_date,
        end_date=source.end_date,
        budget=source.budget,
    )
    session.add(copy)
    session.flush()
    return CampaignRead.model_validate(copy)


def list_campaign_history(session: Session, principal: Principal, *, campaign_id: int) -> list[CampaignChangeRead]:
    """The campaign's edits, newest first."""
    require(principal, "marketing.read")
    _campaign(session, campaign_id)
    return [CampaignChangeRead.model_validate(row) for row in repository.list_campaign_changes(session, campaign_id)]


def _campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = repository.get_campaign(session, campaign_id)
    if campaign is None:
        raise NotFoundError(f"Campaign {campaign_id} does not exist (it may have been deleted).")
    return campaign


def _check_transition(current: str, new: str) -> None:
    if new not in CAMPAIGN_STATUSES:
        raise ValidationError(f"Status must be one of: {', '.join(CAMPAIGN_STATUSES)}.")
    if new == current:
        return
    if new not in TRANSITIONS.get(current, ()):
        if current in FINAL_STATUSES:
            raise ValidationError(f"This campaign is {current}; its status can no longer change.")
        allowed = " or ".join(TRANSITIONS[current])
        raise ValidationError(f"A {current} campaign cannot become {new}; it can become {allowed}.")


def _check_started(status: str, start_date: date | None, today: date) -> None:
    if status == "active" and (start_date is None or start_date > today):
        raise ValidationError("An active campaign must have started: set a start date on or before today.")


def _as_json(value: Any) -> Any:
    if isinstance(value, date | Decimal):
        return str(value)
    return value


def _apply(session: Session, principal: Principal, campaign: Campaign, values: dict[str, Any]) -> None:
    """Set the values and record only the fields that really changed."""
    changes = {}
    for field, new in values.items():
        old = getattr(campaign, field)
        if field == "budget" and old is not None and new is not None and Decimal(old) == Decimal(new):
            continue
        if old != new:
            changes[field] = [_as_json(old), _as_json(new)]
            setattr(campaign, field, new)
    session.flush()
    if changes:
        repository.add_campaign_change(session, campaign_id=campaign.id, user_id=principal.id, changes=changes)
