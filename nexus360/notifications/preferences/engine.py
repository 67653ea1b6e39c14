"""Time zones for delivery (pure, no I/O): quiet hours and the daily digest in the person's own local time.

Times are stored in UTC; a person says "quiet from 22:00 to 07:00" and "digest at 8" in their zone. Local
times that do not exist (the clock jumps forward over them) mean the first moment after the jump; times
that happen twice (the clock goes back) mean the first of the two.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from nexus360.common.errors import ValidationError


def zone(name: str | None) -> ZoneInfo:
    """The zone of that IANA name (Europe/Berlin), ValidationError naming the field otherwise."""
    try:
        return ZoneInfo((name or "UTC").strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"Time zone: '{name}' is not a time zone (e.g. Europe/Berlin).") from None


def zone_names() -> list[str]:
    """Every IANA zone name, sorted (the picker's choices)."""
    return sorted(name for name in available_timezones() if "/" in name or name == "UTC")


def local_instant(day: date, at: time, where: ZoneInfo) -> datetime:
    """The UTC moment when the clock in `where` shows `day` `at` (see the module's note on gaps and folds)."""
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=where, fold=0).astimezone(UTC)
    if first.astimezone(where).replace(tzinfo=None) == naive:
        return first
    moment = naive.replace(tzinfo=where, fold=1).astimezone(UTC)  # a gap: walk to the first minute past it
    while moment.astimezone(where).replace(tzinfo=None) < naive:
        moment += timedelta(minutes=1)
    return moment


def quiet_until(moment: datetime, where: ZoneInfo, start: time | None, end: time | None) -> datetime | None:
    """When the quiet hours around `moment` (UTC) end, or None if it is not within them."""
    if start is None or end is None or start == end:
        return None
    local = moment.astimezone(where)
    now, today = local.time().replace(tzinfo=None), local.date()
    if start < end:
        return local_instant(today, end, where) if start <= now < end else None
    if now >= start:
        return local_instant(today + timedelta(days=1), end, where)
    if now < end:
        return local_instant(today, end, where)
    return None


def next_digest(after: datetime, where: ZoneInfo, hour: int) -> datetime:
    """The first moment strictly after `after` (UTC) when it is `hour`:00 in `where`."""
    day = after.astimezone(where).date()
    for offset in range(-1, 3):
        candidate = local_instant(day + timedelta(days=offset), time(hour), where)
        if candidate > after:
            return candidate
    raise AssertionError("a day always has that hour")


def to_naive_utc(moment: datetime) -> datetime:
    """As the databases store timestamps: UTC without a zone."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def from_naive_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)
