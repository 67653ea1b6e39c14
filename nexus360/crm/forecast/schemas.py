"""Shapes of the CRM's forecast reads: categories, a period's totals and deals, won revenue per month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel

PIPELINE, BEST_CASE, COMMIT, CLOSED, OMITTED = "pipeline", "best_case", "commit", "closed", "omitted"
CATEGORIES = (PIPELINE, BEST_CASE, COMMIT, CLOSED, OMITTED)
CATEGORY_LABELS = {PIPELINE: "Pipeline", BEST_CASE: "Best Case", COMMIT: "Commit", CLOSED: "Closed",
                   OMITTED: "Omitted"}
CHOOSABLE = (PIPELINE, BEST_CASE, COMMIT, OMITTED)  # an open deal's choices; Closed is for won deals only


class StageCategory(BaseModel):
    """A pipeline stage with its win probability and default forecast category."""

    id: int
    name: str
    position: int
    probability: Decimal  # percent, 0-100
    is_won: bool
    is_lost: bool
    category: str


@dataclass(frozen=True)
class PeriodTotal:
    """Open or won deals of one owner, stage and category closing in a period."""

    owner_id: int
    stage_id: int
    category: str
    deals: int
    amount: Decimal


@dataclass(frozen=True)
class UndatedTotal:
    """Open deals of one owner without a close date (they fall in no period)."""

    owner_id: int
    deals: int
    amount: Decimal


@dataclass(frozen=True)
class SnapshotDealRow:
    """An open or won deal of a period as a snapshot keeps it."""

    deal_id: int
    owner_id: int
    amount: Decimal
    close_date: date
    stage_id: int
    category: str
    is_won: bool
    created_on: date | None


@dataclass(frozen=True)
class DealState:
    """Where a deal stood at a moment: its stage then (from the stage history) and its close date now."""

    deal_id: int
    stage: str
    is_won: bool
    is_lost: bool
    close_date: date | None


@dataclass(frozen=True)
class MonthlyWon:
    month: date  # first day of the month
    owner_id: int | None  # None when summed over every owner asked for
    amount: Decimal


class DealCategory(BaseModel):
    """A deal as the Forecasts page lists it: its category, the stage's default and who chose."""

    id: int
    title: str
    company: str
    stage: str
    amount: Decimal | None
    close_date: date | None
    owner_id: int
    category: str  # in effect: the choice, else the stage's default (won: closed, lost: omitted)
    stage_category: str
    chosen: str | None  # what someone chose (kept even when a stage change makes it differ)
    chosen_by: int | None = None
    chosen_at: datetime | None = None
    is_open: bool = True

    @property
    def differs_from_stage(self) -> bool:
        return self.is_open and self.chosen is not None and self.chosen != self.stage_category
