"""Shapes of deals: the form's input, what the pages read, the list's filters, and what other domains read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, field_validator

from nexus360.common.money import Money
from nexus360.common.text import clean_text
from nexus360.crm.schemas import InputModel, Name, ReadModel


class DealCreate(InputModel):
    title: Name
    company_id: int
    contact_id: int | None = None
    stage_id: int
    amount: Money | None = None
    close_date: date | None = None
    owner_id: int

    _title = field_validator("title", mode="before")(clean_text)


class DealUpdate(DealCreate):
    pass


class DealRead(ReadModel):
    id: int
    title: str
    company_id: int
    contact_id: int | None
    stage_id: int
    amount: Decimal | None
    close_date: date | None
    owner_id: int


class DealDetail(BaseModel):
    deal: DealRead
    stage: str
    company: str  # the company's name
    history: list[tuple[datetime, str | None, str, int | None]]  # (changed_at, from stage, to stage, changed_by)


@dataclass(frozen=True)
class DealFilters:
    """What the deal list (and its export) is filtered by; an empty tuple or None means "all"."""

    search: str = ""
    stage_ids: tuple[int, ...] = ()
    owner_ids: tuple[int, ...] = ()
    company_id: int | None = None
    close_from: date | None = None
    close_to: date | None = None
    open_only: bool = False


# --- what other domains read (compensation: commission runs and the what-if; marketing: ROI) ------------


@dataclass(frozen=True, slots=True)
class WonDeal:
    """A won deal as a commission rule sees it.

    A dataclass rather than pydantic: a quarter's run reads tens of thousands of them. The fields after
    owner_id are named as compensation's engine.WonDeal names them.
    """

    id: int
    owner_id: int
    amount: Decimal
    close_date: date
    stage: str  # the won stage's name
    industry_id: int | None  # of the deal's company
    country_id: int | None  # of the deal's company
    is_new_customer: bool  # the company's first win: no won deal of the same company closed before it


class OpenDeal(ReadModel):
    """An open deal (neither won nor lost) with an amount, as the commission what-if offers it."""

    id: int
    title: str
    amount: Decimal
    close_date: date | None  # the expected close date
    industry_id: int | None  # of the deal's company
    country_id: int | None  # of the deal's company
    company_id: int


@dataclass(frozen=True)
class DealValues:
    """What a group of deals is worth (marketing's ROI: the deals one campaign's leads became)."""

    pipeline_value: Decimal  # amounts of the open ones
    won_revenue: Decimal  # amounts of the won ones
    won_deals: int


class SlippingDeal(BaseModel):
    """An open deal past its expected close date, as its owner is told of it."""

    id: int
    title: str
    company: str
    amount: Decimal | None
    stage: str
    close_date: date
    owner_id: int
