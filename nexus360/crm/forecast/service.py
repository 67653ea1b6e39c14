"""Forecast reads and the one forecast write of the CRM: a deal's forecast category.

Reading one's own deals needs crm.read; reading other owners' (a team, the company) also needs crm.manage
or forecasts.manage, so a rep never reads another rep's forecast deals through these functions. Setting a
category is a deal edit: its owner (crm.write) or crm.manage. A won deal is always Closed and a lost one
Omitted; an open deal keeps what was chosen for it whatever its stage does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require, require_any
from nexus360.common.errors import AuthorizationError, NotFoundError, ValidationError
from nexus360.common.pagination import PAGE_SIZE, Page
from nexus360.common.periods import now_utc
from nexus360.crm.deals.service import can_edit
from nexus360.crm.forecast import repository
from nexus360.crm.forecast.schemas import (
    CATEGORIES,
    CATEGORY_LABELS,
    CHOOSABLE,
    CLOSED,
    DealCategory,
    DealState,
    MonthlyWon,
    PeriodTotal,
    SnapshotDealRow,
    StageCategory,
    UndatedTotal,
)


def require_owners(principal: Principal, owner_ids: Sequence[int] | None) -> None:
    """One's own deals need crm.read; anyone else's (None: every owner) also crm.manage or forecasts.manage."""
    require(principal, "crm.read")
    if owner_ids is None or any(int(owner) != principal.id for owner in owner_ids):
        require_any(principal, "crm.manage", "forecasts.manage")


def list_stage_categories(session: Session, principal: Principal) -> list[StageCategory]:
    """The pipeline's stages in order with their probability and default forecast category."""
    require(principal, "crm.read")
    return repository.list_stages(session)


def get_period_totals(session: Session, principal: Principal, *, start: date, end: date,
                      owner_ids: tuple[int, ...] | None) -> list[PeriodTotal]:
    """Open and won deals closing in the period, summed per owner, stage and category in effect."""
    require_owners(principal, owner_ids)
    return repository.period_totals(session, start=start, end=end, owner_ids=owner_ids)


def get_undated_totals(session: Session, principal: Principal, *,
                       owner_ids: tuple[int, ...] | None) -> list[UndatedTotal]:
    """Open deals without a close date per owner (no period counts them; the page says so)."""
    require_owners(principal, owner_ids)
    return repository.undated_totals(session, owner_ids=owner_ids)


def list_period_deals(session: Session, principal: Principal, *, start: date, end: date,
                      owner_ids: tuple[int, ...] | None) -> list[SnapshotDealRow]:
    """Every open or won deal closing in the period (what a forecast snapshot keeps)."""
    require_owners(principal, owner_ids)
    return repository.period_deals(session, start=start, end=end, owner_ids=owner_ids)


def copy_period_deals(session: Session, principal: Principal, *, start: date, end: date,
                      owner_ids: tuple[int, ...] | None) -> bytes:
    """The same deals as `list_period_deals`, as PostgreSQL COPY text (deal_id, owner_id, amount, close_date,
    stage_id, category, is_won, created_on): a snapshot passes them on without a Python object per deal."""
    require_owners(principal, owner_ids)
    return repository.copy_period_deals(session, start=start, end=end, owner_ids=owner_ids)


def list_monthly_won(session: Session, principal: Principal, *, since: date, until: date,
                     owner_ids: tuple[int, ...] | None, by_owner: bool = False) -> list[MonthlyWon]:
    """Won revenue per month (and owner) of deals closed from `since` up to, not including, `until`."""
    require_owners(principal, owner_ids)
    return repository.monthly_won(session, since=since, until=until, owner_ids=owner_ids, by_owner=by_owner)


def list_category_deals(session: Session, principal: Principal, *, start: date, end: date,
                        owner_ids: tuple[int, ...] | None, category: str | None = None, open_only: bool = False,
                        after: tuple | None = None, limit: int = PAGE_SIZE) -> Page:
    """One page of the period's deals (largest first) with their category, the stage's default and the choice."""
    require_owners(principal, owner_ids)
    if category is not None and category not in CATEGORIES:
        raise ValidationError(f"Category '{category}' does not exist; choose one of {_names(CATEGORIES)}.")
    return repository.list_category_deals(session, start=start, end=end, owner_ids=owner_ids, category=category,
                                          open_only=open_only, after=after, limit=limit)


def set_deal_category(session: Session, principal: Principal, *, deal_id: int,
                      category: str | None) -> DealCategory:
    """Choose an open deal's forecast category (None: follow its stage again); its owner or crm.manage."""
    require(principal, "crm.write")
    found = repository.get_deal_for_update(session, deal_id)
    if found is None:
        raise NotFoundError(f"Deal {deal_id} does not exist (it may have been deleted).")
    deal, stage = found
    if not can_edit(principal, deal.owner_id):
        raise AuthorizationError("crm.manage", user_email=principal.email)
    if category is not None and category not in CHOOSABLE:
        if category == CLOSED:
            raise ValidationError("Forecast category: Closed is for won deals; choose Commit for a deal you are sure "
                                  "will close.")
        raise ValidationError(f"Forecast category '{category}' does not exist; choose one of {_names(CHOOSABLE)}.")
    if stage.is_won or stage.is_lost:
        fixed = "Closed" if stage.is_won else "Omitted"
        raise ValidationError(f"Forecast category: '{deal.title}' is {stage.name.lower()}, so it counts as {fixed}; "
                              "reopen it to choose another category.")
    repository.set_category(session, deal, category=category, user_id=principal.id,
                            at=now_utc().replace(tzinfo=None))
    return DealCategory(
        id=deal.id, title=deal.title, company="", stage=stage.name, amount=deal.amount, close_date=deal.close_date,
        owner_id=deal.owner_id, category=category or stage.forecast_category, stage_category=stage.forecast_category,
        chosen=category, chosen_by=deal.forecast_category_set_by, chosen_at=deal.forecast_category_set_at,
    )


def list_deal_states(session: Session, principal: Principal, *, deal_ids: tuple[int, ...], at: datetime,
                     owner_ids: tuple[int, ...] | None) -> dict[int, DealState]:
    """Where the given deals of these owners stood at `at` (stage from the stage history); deleted ones are left out."""
    require_owners(principal, owner_ids)
    return {state.deal_id: state for state in repository.states_at(session, deal_ids=deal_ids, at=at,
                                                                              owner_ids=owner_ids)}


def _names(categories: Sequence[str]) -> str:
    return ", ".join(CATEGORY_LABELS[category] for category in categories)
