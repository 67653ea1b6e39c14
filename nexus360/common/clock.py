"""The moment "now", behind a small protocol so schedules can be tested with a clock the test moves.

Columns are `TIMESTAMP` (without zone) holding UTC, so `now()` is naive UTC. The worker, the retry
schedule and the leases read time only from a `Clock`, never from the database's now(): a test that
moves its clock five minutes on sees exactly what a worker would see five minutes later.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from nexus360.common.periods import now_utc


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real time, UTC, naive (as the TIMESTAMP columns hold it)."""

    def now(self) -> datetime:
        return now_utc().replace(tzinfo=None)


class ManualClock:
    """A clock that stands still until moved (tests; replaying a schedule)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or SystemClock().now()

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment


SYSTEM_CLOCK = SystemClock()
