"""The CRM half of `demo seed --scale large`: 200,000 companies, 500,000 contacts and 1,000,000 deals, by COPY.

Stage history is derived from the deals in one set-based INSERT … SELECT. Deterministic (one seeded
generator) and idempotent: companies named 'Scale …' mark the data set as loaded.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from math import log

from sqlalchemy import text

from nexus360.common.periods import today_utc
from nexus360.db import Database, get_engine
from nexus360.demo.common import copy_rows

LARGE = {"companies": 200_000, "contacts": 500_000, "deals": 1_000_000}
WORDS = [
    "Apex",
    "Nova",
    "Summit",
    "Harbor",
    "Vertex",
    "Cobalt",
    "Juniper",
    "Meridian",
    "Atlas",
    "Quartz",
    "Beacon",
    "Cedar",
    "Falcon",
    "Granite",
    "Ion",
    "Lumen",
    "Orbit",
    "Pioneer",
    "Sterling",
    "Tidal",
]
KINDS = ["Systems", "Labs", "Logistics", "Health", "Retail", "Energy", "Capital", "Foods", "Media", "Robotics"]
PRODUCTS = ["Platform licence", "Renewal", "Expansion", "Services", "Support plan", "Analytics add-on"]


def seed_large_crm(
    *, sizes: dict[str, int] | None = None, progress: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Add the large companies, contacts and deals (once: a second call finds them and does nothing)."""
    say = progress or (lambda _message: None)
    sizes = {**LARGE, **(sizes or {})}
    engine = get_engine(Database.CRM, admin=True)
    with engine.begin() as connection:
        if connection.execute(text("SELECT count(*) FROM companies WHERE name LIKE 'Scale %'")).scalar():
            say("the large CRM data set is already loaded")
            return {}
        reference = _reference(connection)
    owners = _owner_ids()
    rng = random.Random(20261125)
    today = today_utc()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        # One long transaction of bulk work: no statement timeout, and no wait for each WAL flush.
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute("SET LOCAL synchronous_commit = off")
        company_ids = copy_rows(
            cursor,
            "companies",
            ("name", "domain", "industry_id", "country_id", "annual_revenue"),
            _companies(rng, sizes["companies"], reference),
            say,
        )
        contact_ids = copy_rows(
            cursor,
            "contacts",
            ("company_id", "first_name", "last_name", "email", "job_title"),
            _contacts(rng, sizes["contacts"], company_ids),
            say,
        )
        copy_rows(
            cursor,
            "deals",
            (
                "title",
                "company_id",
                "contact_id",
                "stage_id",
                "amount",
                "close_date",
                "owner_id",
                "created_at",
                "updated_at",
            ),
            _deals(rng, sizes["deals"], company_ids, contact_ids, owners, reference["stages"], today),
            say,
        )
        say("deriving stage history from the deals")
        cursor.execute(HISTORY_SQL, {"first": company_ids[0]})
        raw.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        say("analysing the tables")
        connection.execute(text("ANALYZE companies, contacts, deals, deal_stage_history"))
    return {name: count for name, count in sizes.items()}


def _reference(connection) -> dict:
    stages = connection.execute(text("SELECT id, position, is_won, is_lost FROM deal_stages ORDER BY position")).all()
    return {
        "industries": [row[0] for row in connection.execute(text("SELECT id FROM industries WHERE is_active"))],
        "countries": [row[0] for row in connection.execute(text("SELECT id FROM countries WHERE is_active"))],
        "stages": [tuple(row) for row in stages],
    }


def _owner_ids() -> list[int]:
    with get_engine(Database.AUTH, admin=True).connect() as connection:
        rows = connection.execute(
            text(
                "SELECT DISTINCT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id "
                "JOIN roles r ON r.id = ur.role_id WHERE r.name IN ('sales_rep', 'sales_manager') ORDER BY u.id"
            )
        )
        return [row[0] for row in rows]


def _companies(rng: random.Random, count: int, reference: dict) -> Iterator[tuple]:
    for index in range(count):
        name = f"Scale {rng.choice(WORDS)} {rng.choice(KINDS)} {index:06d}"
        yield (
            name,
            f"scale-{index:06d}.example",
            rng.choice(reference["industries"]),
            rng.choice(reference["countries"]),
            round(rng.lognormvariate(log(20e6), 1.2), -3),
        )


def _contacts(rng: random.Random, count: int, company_ids: list[int]) -> Iterator[tuple]:
    for index in range(count):
        first, last = rng.choice(WORDS), rng.choice(KINDS)
        yield (rng.choice(company_ids), first, last, f"contact{index:07d}@scale.example", "Buyer")


def _deals(rng, count, company_ids, contact_ids, owners, stages, today: date) -> Iterator[tuple]:
    open_stages = [s[0] for s in stages if not s[2] and not s[3]]
    won = next(s[0] for s in stages if s[2])
    lost = next(s[0] for s in stages if s[3])
    for index in range(count):
        company = rng.choice(company_ids)
        closed = rng.random() < 0.8
        stage = (won if rng.random() < 0.3 else lost) if closed else rng.choice(open_stages)
        offset = -rng.randint(1, 1095) if closed else rng.randint(-30, 240)
        close = today + timedelta(days=offset)
        created = datetime.combine(
            close - timedelta(days=int(rng.lognormvariate(log(55), 0.5)) + 1), datetime.min.time()
        )
        created = min(created, datetime.combine(today, datetime.min.time()))
        amount = round(min(max(rng.lognormvariate(log(25_000), 0.8), 1_000), 900_000), -2)
        yield (
            f"{rng.choice(PRODUCTS)} {index:07d}",
            company,
            rng.choice(contact_ids),
            stage,
            amount,
            close,
            rng.choice(owners),
            created,
            created,
        )


# Each new deal walks the pipeline from the first stage up to where it is now, its moves spread
# evenly between its creation and its close date (or today); a lost deal walks 1-4 stages, then
# drops out to the lost stage on its close date.
HISTORY_SQL = """
WITH walk AS (
    SELECT d.id, d.owner_id, d.created_at, cur.is_lost,
           CASE WHEN cur.is_lost THEN 1 + d.id %% 4 ELSE cur.position END AS last_position,
           greatest(least(d.close_date, current_date) - d.created_at::date, 1) AS span,
           d.close_date, cur.id AS current_stage
    FROM deals d
    JOIN deal_stages cur ON cur.id = d.stage_id
    WHERE d.company_id >= %(first)s
)
INSERT INTO deal_stage_history (deal_id, from_stage_id, to_stage_id, changed_by, changed_at)
SELECT w.id, prev.id, s.id, w.owner_id,
       w.created_at + make_interval(days => (w.span * (s.position - 1) / w.last_position)::int)
FROM walk w
JOIN deal_stages s ON s.position <= w.last_position AND NOT s.is_lost
LEFT JOIN deal_stages prev ON prev.position = s.position - 1
UNION ALL
SELECT w.id, last_open.id, w.current_stage, w.owner_id, w.close_date::timestamp
FROM walk w
JOIN deal_stages last_open ON last_open.position = w.last_position
WHERE w.is_lost
"""
