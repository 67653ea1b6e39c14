"""What every per-database demo step shares: the clock, the generators, the users, the bulk insert.

Every row comes from `random.Random` with a fixed seed (one generator per domain, so changing one
domain's data leaves the others' rows alone) and every date from an anchor, today (UTC), so two loads on
the same day give identical rows. Demo code may read and write any domain's models: it bulk-loads eight
databases as their owner, which no service does (see docs/architecture.md).
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.orm import Session

from nexus360.auth.schemas import SALES_MANAGER, SALES_REP
from nexus360.common.periods import today_utc

RANDOM_SEED = 360


@dataclass(frozen=True)
class Clock:
    """Dates relative to the anchor; timestamps fall in office hours and never after the anchor."""

    anchor: date

    @property
    def end(self) -> datetime:
        return datetime.combine(self.anchor, time())

    def day(self, offset: int) -> date:
        return self.anchor + timedelta(days=offset)

    def stamp(self, day: date, rng: random.Random) -> datetime:
        moment = datetime.combine(day, time(8)) + timedelta(minutes=rng.randint(0, 9 * 60))
        return min(moment, self.end)

    def cap(self, moment: datetime) -> datetime:
        return min(moment, self.end)


@dataclass(frozen=True)
class Member:
    """A seeded user, as the other databases need to know them."""

    id: int
    first_name: str
    last_name: str
    role: str
    manager_id: int | None
    hired: date
    left: date | None
    created_at: datetime

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class CrmData:
    """What the other databases need from the crm rows."""

    company_names: dict[int, str]
    company_domains: list[tuple[str, str, str]]  # name, domain, country: for leads from known companies
    deals: list[dict]
    stages: dict[int, tuple[str, Decimal, bool, bool]]  # id -> name, probability, won, lost

    @property
    def won_stage_ids(self) -> set[int]:
        return {stage_id for stage_id, stage in self.stages.items() if stage[2]}

    def is_open(self, deal: dict) -> bool:
        _name, _probability, won, lost = self.stages[deal["stage_id"]]
        return not won and not lost


@dataclass
class Demo:
    """One load: its clock, the rows counted per table, and what each step hands to the later ones."""

    clock: Clock
    counts: dict[str, int] = field(default_factory=dict)
    members: list[Member] = field(default_factory=list)  # auth
    crm: CrmData | None = None  # crm
    leads: list[dict] = field(default_factory=list)  # marketing
    performance: list[dict] = field(default_factory=list)  # compensation: sales_performance rows
    forecasts: list[dict] = field(default_factory=list)  # forecasting


def demo_anchor() -> date:
    """Today (UTC), from which every demo date is derived: data runs up to yesterday, so the
    "this month" and "this quarter" figures are live, and two loads on one day are identical."""
    return today_utc()


def rng_for(domain: str) -> random.Random:
    """One generator per domain, so changing one domain's data leaves the others' rows alone."""
    return random.Random(f"{RANDOM_SEED}:{domain}")


def plain_ascii(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(char for char in decomposed if char.isascii() and char.isalnum()).lower()


def phone_number(rng: random.Random, dial: str) -> str:
    return f"{dial} {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def month_start(day: date, months: int) -> date:
    """The first day of the month `months` after (or, negative, before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def insert_rows(
    session: Session, model: type, rows: list[dict], counts: dict[str, int], *, ids: bool = True
) -> list[int]:
    """Bulk insert `rows`, counting them; return the new ids in the order of `rows` (when `ids`)."""
    counts[model.__tablename__] = counts.get(model.__tablename__, 0) + len(rows)
    if not rows:
        return []
    # NULLs rendered as such keep rows with and without a value in one batched statement.
    statement = insert(model).execution_options(render_nulls=True)
    if not ids:
        session.execute(statement, rows)
        return []
    return list(session.scalars(statement.returning(model.id, sort_by_parameter_order=True), rows))


def sells(member: Member) -> bool:
    """Reps and team managers own deals; the VP (a manager without a manager) does not."""
    return member.role == SALES_REP or (member.role == SALES_MANAGER and member.manager_id is not None)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarters(clock: Clock, first: int, last: int) -> list[tuple[date, date]]:
    """(start, end) of the quarters `first`..`last` relative to the anchor's quarter (0)."""
    current = quarter_start(clock.anchor)
    starts = [month_start(current, 3 * shift) for shift in range(first, last + 1)]
    return [(start, month_start(start, 3) - timedelta(days=1)) for start in starts]


def quarter_label(start: date) -> str:
    return f"Q{(start.month - 1) // 3 + 1} {start.year}"


def two_decimals(value: float | Decimal) -> Decimal:
    return Decimal(f"{value:.2f}")


def copy_rows(cursor, table: str, columns: tuple[str, ...], rows: Iterator[tuple], say) -> list[int]:
    """COPY the rows in (the large data set); return the new ids (contiguous: identity values handed out in order)."""
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
    before = cursor.fetchone()[0]
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
            if count % 100_000 == 0:
                say(f"{table}: {count:,}")
    cursor.execute(f"SELECT id FROM {table} WHERE id > %s ORDER BY id", (before,))
    return [row[0] for row in cursor.fetchall()]
