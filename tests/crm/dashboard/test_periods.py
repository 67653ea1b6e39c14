"""The periods the dashboard (and Home) offer, and what "vs previous" compares each with."""

from __future__ import annotations

from datetime import date

import pytest

from nexus360.common.periods import Period
from nexus360.crm.dashboard.schemas import DashboardFilters, previous_period


@pytest.mark.parametrize(("start", "end", "before"), [
    # a quarter to date: as many days from the start of the quarter before
    (date(2026, 7, 1), date(2026, 8, 15), Period(date(2026, 4, 1), date(2026, 5, 16))),
    (date(2026, 7, 1), date(2026, 7, 1), Period(date(2026, 4, 1), date(2026, 4, 1))),
    # a whole quarter: as many days of the quarter before, never past its end
    (date(2026, 7, 1), date(2026, 9, 30), Period(date(2026, 4, 1), date(2026, 6, 30))),
    (date(2090, 1, 1), date(2090, 3, 31), Period(date(2089, 10, 1), date(2089, 12, 29))),
    # a month, whole or to date
    (date(2026, 8, 1), date(2026, 8, 10), Period(date(2026, 7, 1), date(2026, 7, 10))),
    (date(2026, 3, 1), date(2026, 3, 31), Period(date(2026, 2, 1), date(2026, 2, 28))),
    # anything else: as many days just before
    (date(2026, 2, 5), date(2026, 2, 28), Period(date(2026, 1, 12), date(2026, 2, 4))),
    (date(2026, 1, 1), date(2026, 8, 15), Period(date(2025, 5, 19), date(2025, 12, 31))),
])
def test_previous_period(start: date, end: date, before: Period) -> None:
    assert previous_period(start, end) == before
    assert DashboardFilters(start=start, end=end).previous == (before.start, before.end)


def test_the_offered_periods() -> None:
    today = date(2026, 8, 15)
    assert DashboardFilters.this_quarter(today) == DashboardFilters(start=date(2026, 7, 1), end=today)
    assert DashboardFilters.last_12_months(today) == DashboardFilters(start=date(2025, 8, 15), end=today)
    assert DashboardFilters.months_to_date(today, 24) == DashboardFilters(start=date(2024, 9, 1), end=today)
    assert DashboardFilters.months_to_date(date(2026, 1, 31), 1) == DashboardFilters(
        start=date(2026, 1, 1), end=date(2026, 1, 31))
