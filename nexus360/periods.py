"""Calendar periods used across domains (months and quarters, UTC dates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def label(self) -> str:
        if self.start.month == self.end.month:
            return self.start.strftime("%b %Y")
        return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"


def today_utc() -> date:
    return datetime.now(UTC).date()


def month_of(day: date) -> Period:
    start = day.replace(day=1)
    next_start = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return Period(start, date.fromordinal(next_start.toordinal() - 1))


def quarter_of(day: date) -> Period:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end_month = month_of(date(day.year, first_month + 2, 1))
    return Period(start, end_month.end)


def previous_quarter(period: Period) -> Period:
    return quarter_of(date.fromordinal(period.start.toordinal() - 1))
