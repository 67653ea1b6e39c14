"""Calendar periods (months and quarters of UTC dates) and the one `today` every module uses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from nexus360.common.errors import ValidationError

PERIOD_CODE = re.compile(r"^\s*(\d{4})-(?:[Qq]([1-4])|(\d{1,2}))\s*$")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def is_month(self) -> bool:
        return self.start.day == 1 and self == month_of(self.start)

    @property
    def is_quarter(self) -> bool:
        return self.start.day == 1 and (self.start.month - 1) % 3 == 0 and self == quarter_of(self.start)

    @property
    def label(self) -> str:
        """As people read it: 'Jul 2026', 'Q3 2026', or '2026-07-03 to 2026-08-01'."""
        if self.is_month:
            return self.start.strftime("%b %Y")
        if self.is_quarter:
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        return f"{self.start.isoformat()} to {self.end.isoformat()}"

    @property
    def code(self) -> str:
        """As it is typed in forms and on the command line: '2026-07' or '2026-Q3'."""
        if self.is_month:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.is_quarter:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return self.label

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def today_utc() -> date:
    """Today's date in UTC: the one 'today' of the app (never date.today(), which is the server's zone)."""
    return datetime.now(UTC).date()


def now_utc() -> datetime:
    """The current moment in UTC, timezone-aware."""
    return datetime.now(UTC)


def month_of(day: date) -> Period:
    start = day.replace(day=1)
    next_start = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return Period(start, next_start - timedelta(days=1))


def quarter_of(day: date) -> Period:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    return Period(start, month_of(date(day.year, first_month + 2, 1)).end)


def previous_month(period: Period) -> Period:
    return month_of(period.start - timedelta(days=1))


def previous_quarter(period: Period) -> Period:
    return quarter_of(period.start - timedelta(days=1))


def period_of(start: date, end: date) -> Period:
    return Period(start, end)


def parse_period(text: str) -> Period:
    """'2026-Q3' (a quarter) or '2026-07' (a month); anything else is refused with a sentence."""
    match = PERIOD_CODE.match(text or "")
    if not match:
        raise ValidationError(f"Period '{text}' is not valid: write a quarter like 2026-Q3 or a month like 2026-07.")
    year, quarter, month = int(match[1]), match[2], match[3]
    if not 1 <= year <= 9998:  # a period's end is the next one's start, which must still be a date
        raise ValidationError(f"Period '{text}' is not valid: the year must be between 0001 and 9998.")
    if quarter:
        return quarter_of(date(year, 3 * (int(quarter) - 1) + 1, 1))
    if not 1 <= int(month) <= 12:
        raise ValidationError(f"Period '{text}' is not valid: the month must be between 01 and 12.")
    return month_of(date(year, int(month), 1))


def same_days_earlier(period: Period, *, today: date) -> tuple[Period, Period]:
    """The part of `period` up to `today` and the same number of days into the previous period of its kind.

    "Won this quarter vs the previous one" compares like with like: the first 60 days of this quarter with
    the first 60 days of the last (a partial period against a full one would always look like a drop).
    """
    end = min(period.end, today)
    elapsed = (end - period.start).days
    if period.is_quarter:
        previous = previous_quarter(period)
    elif period.is_month:
        previous = previous_month(period)
    else:
        previous = Period(period.start - timedelta(days=period.days), period.start - timedelta(days=1))
    elapsed_end = min(previous.end, previous.start + timedelta(days=elapsed))
    return Period(period.start, end), Period(previous.start, elapsed_end)
