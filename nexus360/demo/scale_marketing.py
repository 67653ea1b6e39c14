"""The marketing half of `demo seed --scale large`: 50 more campaigns and about 1,000,000 leads, by COPY.

Runs after the large CRM data (`scale_crm`), because 5% of the leads are converted and point at
real large-scale deals (converted_deal_id, with the deal's company and contact), so the ROI report sums
real revenue. Deterministic (one seeded generator) and idempotent: campaigns named 'Scale …' mark the
data set as loaded. Lead ids grow with their creation time, as they do in production, because the keyset
lists (newest first, by id) and the date filters of the ROI report depend on that correlation.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from math import log

from sqlalchemy import text

from nexus360.common.periods import now_utc
from nexus360.db import Database, get_engine
from nexus360.demo import data
from nexus360.demo.common import copy_rows, plain_ascii
from nexus360.demo.marketing import LEAD_SCORES, LEAD_STATUS_MIX, LEAD_STATUSES
from nexus360.demo.scale_crm import KINDS

LARGE_MARKETING = {"campaigns": 50, "leads": 1_000_000}
CONVERTED_SHARE = 0.05
CAMPAIGN_TYPES = ("webinar", "email", "event", "paid_search", "content", "social", "other")
HISTORY_DAYS = 1095  # three years, like the large deals
DAY_SECONDS = 86_400
COMPANIES = 30_000  # distinct lead companies: about 33 leads each


def seed_large_marketing(
    *, sizes: dict[str, int] | None = None, progress: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Add the large campaigns and leads (once: a second call finds them and does nothing)."""
    say = progress or (lambda _message: None)
    sizes = {**LARGE_MARKETING, **(sizes or {})}
    engine = get_engine(Database.MARKETING, admin=True)
    with engine.begin() as connection:
        if connection.execute(text("SELECT count(*) FROM campaigns WHERE name LIKE 'Scale %'")).scalar():
            say("the large marketing data set is already loaded")
            return {}
    rng = random.Random(20261126)
    now = now_utc().replace(tzinfo=None)
    today = now.date()
    deals = _converted_deals(round(sizes["leads"] * CONVERTED_SHARE))
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute("SET LOCAL synchronous_commit = off")
        copy_rows(
            cursor, "campaigns", ("name", "type", "status", "start_date", "end_date", "budget", "created_at",
                                  "updated_at"),
            _campaigns(rng, sizes["campaigns"], today), say,
        )
        cursor.execute("SELECT id, type, status, start_date, end_date FROM campaigns ORDER BY id")
        windows = _windows(cursor.fetchall(), today)
        copy_rows(
            cursor, "leads",
            ("campaign_id", "first_name", "last_name", "email", "phone", "company_name", "job_title", "company_size",
             "status", "score", "score_reasons", "converted_company_id", "converted_contact_id", "converted_deal_id",
             "created_at", "updated_at"),
            _leads(rng, sizes["leads"], windows, deals, now), say,
        )
        raw.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        say("vacuuming and analysing the leads")  # VACUUM sets the visibility map: index-only scans work at once
        connection.execute(text("VACUUM ANALYZE campaigns, leads"))
    return {"campaigns": sizes["campaigns"], "leads": sizes["leads"], "converted_leads": len(deals)}


def _converted_deals(count: int) -> list[tuple]:
    """(id, company id, contact id, created_at, company name, domain) of every 20th large-scale deal."""
    with get_engine(Database.CRM, admin=True).connect() as connection:
        first = connection.execute(text("SELECT min(id) FROM companies WHERE name LIKE 'Scale %'")).scalar()
        if first is None:
            return []
        rows = connection.execute(
            text(
                "SELECT d.id, d.company_id, d.contact_id, d.created_at, c.name, c.domain FROM deals d "
                "JOIN companies c ON c.id = d.company_id "
                "WHERE d.company_id >= :first AND d.contact_id IS NOT NULL AND d.id % 20 = 0 ORDER BY d.id LIMIT :n"
            ),
            {"first": first, "n": count},
        )
        return [tuple(row) for row in rows]


def _campaigns(rng: random.Random, count: int, today: date) -> Iterator[tuple]:
    for index in range(count):
        kind = CAMPAIGN_TYPES[index % len(CAMPAIGN_TYPES)]
        start = today - timedelta(days=rng.randint(-60, HISTORY_DAYS - 30))
        length = 1 if kind == "webinar" else rng.randint(1, 3) if kind == "event" else rng.randint(30, 180)
        end = start + timedelta(days=length - 1)
        if start > today:
            status = "cancelled" if rng.random() < 0.1 else "planned"
        elif end < today:
            status = "cancelled" if rng.random() < 0.1 else "completed"
        else:
            status = "paused" if rng.random() < 0.15 else "active"
        created = datetime.combine(start - timedelta(days=rng.randint(14, 60)), datetime.min.time())
        budget = round(min(max(rng.lognormvariate(log(20_000), 0.9), 1_000), 250_000), -2)
        name = f"Scale {rng.choice(data.COMPANY_ROOTS)} {kind.replace('_', ' ')} {index:03d}"
        yield name, kind, status, start, end, budget, created, created + timedelta(days=length + 7)


def _windows(campaigns: list[tuple], today: date) -> list[tuple[int, date, date, int]]:
    """(campaign id, first and last day it brings in leads, relative volume) of campaigns that ran."""
    yesterday = today - timedelta(days=1)
    return [
        (campaign_id, start, min(end + timedelta(days=21), yesterday), data.LEADS_PER_TYPE.get(kind, 2))
        for campaign_id, kind, status, start, end in campaigns
        if start is not None and end is not None and start < today and status != "cancelled"
    ]


def _leads(rng, count: int, windows: list[tuple], deals: list[tuple], now: datetime) -> Iterator[tuple]:
    """Lead rows in creation order: first every lead's moment, campaign and deal (small ints), then the rest."""
    epoch = datetime(2000, 1, 1)
    horizon = int((now - epoch).total_seconds())
    weights = [window[3] for window in windows]
    plan: list[tuple[int, int, int]] = []  # (seconds since 2000, campaign id or 0, deal index or -1)
    for deal_index, deal in enumerate(deals):
        moment = deal[3] - timedelta(days=rng.randint(1, 45), seconds=rng.randint(0, DAY_SECONDS))
        running = [window for window in windows if window[1] <= moment.date() <= window[2]]
        campaign = rng.choice(running)[0] if running and rng.random() < 0.8 else 0
        plan.append((int((moment - epoch).total_seconds()), campaign, deal_index))
    for _ in range(count - len(deals)):
        if windows and rng.random() < 0.7:
            campaign, first, last, _volume = rng.choices(windows, weights)[0]
            day = first + timedelta(days=rng.randint(0, max((last - first).days, 0)))
            seconds = int((datetime.combine(day, datetime.min.time()) - epoch).total_seconds())
            plan.append((seconds + rng.randint(0, DAY_SECONDS - 1), campaign, -1))
        else:
            plan.append((horizon - rng.randint(DAY_SECONDS, HISTORY_DAYS * DAY_SECONDS), 0, -1))
    plan.sort()
    regions = list(data.NAMES.values())
    # one size per lead company (migration marketing_0003), about one in seven unknown, as in the demo data
    bands = ((1, 49), (50, 199), (200, 999), (1000, 9999), (10_000, 60_000))
    sizes = [rng.randint(*rng.choices(bands, (30, 30, 22, 13, 5))[0]) if rng.random() < 0.85 else None
             for _ in range(COMPANIES)]
    recent: list[str] = []
    for index, (seconds, campaign, deal_index) in enumerate(plan):
        created = epoch + timedelta(seconds=seconds)
        given, family = rng.choice(regions)
        first, last = rng.choice(given), rng.choice(family)
        if deal_index >= 0:
            _id, company_id, contact_id, _created, company, domain = deals[deal_index]
            status, converted, size = "converted", (company_id, contact_id, _id), None
        else:
            root, kind, number = rng.choice(data.COMPANY_ROOTS), rng.choice(KINDS), rng.randrange(COMPANIES)
            size = sizes[number]
            company, domain = f"{root} {kind} {number:05d}", f"{root}-{kind}-{number:05d}.example".lower()
            age = (now - created).days
            mix = list(next(shares for limit, shares in LEAD_STATUS_MIX.items() if age <= limit))
            mix[LEAD_STATUSES.index("converted")] = 0  # converted leads are exactly the ones with a deal
            status, converted = rng.choices(LEAD_STATUSES, mix)[0], (None, None, None)
        email = f"{plain_ascii(first)}.{plain_ascii(last)}.{index:07d}@{domain}"
        # every 50th lead signs up again with an earlier lead's address: duplicates to flag
        recent = [*recent[-7:], email]
        if index % 50 == 49:
            email = recent[0]
        score = rng.randint(*LEAD_SCORES[status])
        yield (
            campaign or None, first, last, email,
            f"+1 555 {rng.randrange(10_000_000):07d}" if rng.random() < 0.6 else None,
            company, rng.choice(data.JOB_TITLES) if rng.random() < 0.7 else None, size, status, score,
            json.dumps([["Base score", 50], ["Scale data", score - 50]]), *converted,
            created, min(created + timedelta(days=rng.randint(0, 30)), now),
        )
