"""Shapes of the dashboard: its filters (with the periods Home and the CRM page offer), and its figures."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from nexus360.common.errors import ValidationError
from nexus360.common.periods import Period, month_of, quarter_of, same_days_earlier

_ID_FILTERS = ("owner_ids", "stage_ids", "industry_ids", "country_ids")


def previous_period(start: date, end: date) -> Period:
    """What "vs previous" compares `start`..`end` with: the same number of days, earlier.

    A quarter or a month, whole or to date (from its first day to any day within it), is compared with the
    same number of days from the start of the quarter or month before, as common.periods.same_days_earlier
    counts them (never going past that period's end): 1 Jul–15 Aug with 1 Apr–16 May, a whole Q3 with the
    whole Q2. Any other range is compared with the range of the same length that ends the day before it
    starts. Home's "Won in Qn" and the CRM dashboard's "This quarter" use this one definition.
    """
    for whole in (quarter_of(start), month_of(start)):
        if whole.start == start and end <= whole.end:
            return same_days_earlier(whole, today=end)[1]
    length = timedelta(days=Period(start, end).days)
    return Period(start - length, start - timedelta(days=1))


@dataclass(frozen=True)
class DashboardFilters:
    """What the dashboard figures are filtered by.

    - `start`..`end` (inclusive) select closed (won or lost) deals by close date. Open-pipeline
      figures (pipeline, funnel, open amount per owner, deals at risk) are today's snapshot and
      ignore the dates.
    - `stage_ids` restricts each kind of figure separately: open figures count only the open stages
      named (all open stages when none is named); won and lost figures count only the closed stages
      named (both when none is). Picking "Proposal" narrows the pipeline and leaves won/lost alone.
    - `owner_ids` (the page resolves a team into its members' ids), and `industry_ids` and
      `country_ids` of the deal's company. An empty tuple means "all".
    """

    start: date
    end: date
    owner_ids: tuple[int, ...] = ()
    stage_ids: tuple[int, ...] = ()
    industry_ids: tuple[int, ...] = ()
    country_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValidationError(f"The period starts ({self.start}) after it ends ({self.end}).")
        for name in _ID_FILTERS:  # sorted and unique, so equal filters make equal cache keys
            object.__setattr__(self, name, tuple(sorted({int(value) for value in getattr(self, name)})))

    def by_company(self) -> DashboardFilters:
        """These filters without the owners and stages: what a breakdown per owner and stage is read by (DealFigures),
        so that choosing another owner or stage sums what was read instead of reading again."""
        return replace(self, owner_ids=(), stage_ids=())

    def snapshot(self, today: date) -> DashboardFilters:
        """These filters for today's snapshot figures (open pipeline, funnel, deals at risk), which ignore the
        dates: the period becomes `today` alone, so figures cached by these filters are not computed again when
        only the period changes."""
        return replace(self, start=today, end=today)

    @property
    def previous(self) -> tuple[date, date]:
        """The period "vs previous" compares with (see previous_period)."""
        before = previous_period(self.start, self.end)
        return before.start, before.end

    # The periods the CRM page offers; Home shows the company's figures for the same ones.

    @classmethod
    def this_quarter(cls, today: date) -> DashboardFilters:
        """The current quarter up to today."""
        return cls(start=quarter_of(today).start, end=today)

    @classmethod
    def last_12_months(cls, today: date) -> DashboardFilters:
        return cls(start=today - timedelta(days=365), end=today)

    @classmethod
    def months_to_date(cls, today: date, months: int) -> DashboardFilters:
        """The last `months` calendar months, this one up to today (won revenue by month)."""
        start = month_of(today).start
        for _ in range(months - 1):
            start = month_of(start - timedelta(days=1)).start
        return cls(start=start, end=today)


@dataclass(frozen=True)
class PeriodFigures:
    """Won and lost deals closed in one period."""

    start: date
    end: date
    won_amount: Decimal
    won_deals: int
    lost_amount: Decimal
    lost_deals: int
    win_rate: float | None  # won / (won + lost) by count; None without closed deals
    average_deal_size: Decimal | None  # of won deals
    average_sales_cycle_days: float | None  # won deals: close date minus the day they were created


@dataclass(frozen=True)
class OpenTotals:
    """Open deals now: today's snapshot, whatever the period."""

    open_deals: int
    open_pipeline: Decimal
    weighted_pipeline: Decimal  # amount x the stage's win probability
    overdue_deals: int  # open deals whose close date has passed


@dataclass(frozen=True)
class DashboardKpis(OpenTotals):
    """The KPI row: open deals now, and the period's figures against the period before."""

    current: PeriodFigures
    previous: PeriodFigures  # of DashboardFilters.previous


@dataclass(frozen=True)
class StageInfo:
    """A pipeline stage as the figures need it."""

    id: int
    name: str
    position: int
    win_probability: Decimal
    is_won: bool
    is_lost: bool


@dataclass(frozen=True)
class DealFigures:
    """Deals per owner and stage within a DashboardFilters.by_company(): open now, or closed in one period.

    Each row is (owner id, stage id, deals, amount, extra): `extra` counts open deals past their close date, or sums
    (days from creation to close, deals with a creation date) of closed ones. Without COLLEAGUE_FIGURES the rows
    come per stage, summed over the owners in view (owner None). Any owner or stage choice is a sum of these rows
    (service `open_totals_of`, `funnel_of`, `period_of`), so it reads nothing more.
    """

    stages: tuple[StageInfo, ...]
    rows: tuple[tuple, ...]
    start: date | None = None  # the period of closed figures (None: open now)
    end: date | None = None


@dataclass(frozen=True)
class DealScope:
    """Resolved dashboard filters: the stage ids each group of figures counts, and the other filters."""

    open_stage_ids: tuple[int, ...]
    won_stage_ids: tuple[int, ...]
    lost_stage_ids: tuple[int, ...]
    owner_ids: tuple[int, ...] = ()
    industry_ids: tuple[int, ...] = ()
    country_ids: tuple[int, ...] = ()

    @property
    def closed_stage_ids(self) -> tuple[int, ...]:
        return self.won_stage_ids + self.lost_stage_ids


@dataclass(frozen=True)
class OwnerChoice:
    """One choice of the dashboard's Owner / team filter: what it reads and the deal owners it selects."""

    label: str
    owner_ids: tuple[int, ...] = ()  # () is everyone
