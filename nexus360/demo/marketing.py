"""Demo marketing: the campaigns of `data.CAMPAIGNS` and 5,000 leads scored by the real scoring rules."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.orm import Session

from nexus360.db import Database
from nexus360.demo import data
from nexus360.demo.common import Clock, CrmData, Demo, insert_rows, phone_number, plain_ascii, rng_for
from nexus360.marketing.models import Campaign, Lead
from nexus360.marketing.scoring import service as scoring

DATABASE = Database.MARKETING
TABLES = ("campaigns", "leads")
LEAD_COUNT = 5_000
LEAD_STATUSES = ("new", "contacted", "qualified", "converted", "disqualified")
# lead age in days (up to): status mix; older leads have mostly been worked
LEAD_STATUS_MIX = {14: (55, 30, 10, 0, 5), 60: (15, 30, 20, 15, 20), 10_000: (5, 15, 12, 28, 40)}
LEAD_SCORES = {"new": (5, 70), "contacted": (10, 80), "qualified": (55, 95), "converted": (60, 100),
               "disqualified": (0, 45)}


def seed(session: Session, demo: Demo) -> str:
    """Campaigns and leads; converted leads from known companies point at one of its deals."""
    assert demo.crm is not None, "the crm step runs first"
    demo.leads = _seed_marketing(session, demo.clock, demo.crm, demo.counts)
    return f"marketing: {demo.counts['campaigns']} campaigns, {demo.counts['leads']} leads"


def _seed_marketing(session: Session, clock: Clock, crm: CrmData, counts: dict[str, int]) -> list[dict]:
    rng = rng_for("marketing")
    campaigns = []
    for name, kind, status, start, length, budget in data.CAMPAIGNS:
        start_day = clock.day(start)
        end_day = start_day + timedelta(days=length - 1)
        created = clock.stamp(clock.day(min(start - 30, -1)), rng)
        last_change = end_day + timedelta(days=7) if status == "completed" else clock.day(-rng.randint(1, 10))
        campaigns.append({
            "name": name, "type": kind, "status": status, "start_date": start_day, "end_date": end_day,
            "budget": Decimal(budget), "created_at": created, "updated_at": max(created, clock.stamp(last_change, rng)),
        })
    campaign_ids = insert_rows(session, Campaign, campaigns, counts)
    windows = [  # campaign id, first and last day it brings in leads, relative volume
        (campaign_id, row["start_date"], min(row["end_date"] + timedelta(days=21), clock.day(-1)),
         data.LEADS_PER_TYPE[row["type"]])
        for campaign_id, row in zip(campaign_ids, campaigns, strict=True)
        if row["start_date"] < clock.anchor and row["status"] != "cancelled"
    ]
    leads = _lead_rows(rng, clock, windows, crm)
    # Scores come from the scoring rules migration marketing_0002 seeded, as the app computes them; converted
    # leads from known companies point at a deal of that company, so the ROI dashboard shows real revenue.
    rules = scoring.active_rules(session)
    types = {campaign_id: row["type"] for campaign_id, row in zip(campaign_ids, campaigns, strict=True)}
    company_ids = {domain: company_id for company_id, (_name, domain, _iso)
                   in zip(crm.company_names, crm.company_domains, strict=True)}
    deals_by_company: dict[int, list[dict]] = {}
    for deal in sorted(crm.deals, key=lambda deal: (deal["created_at"], deal["id"])):
        if deal["contact_id"] is not None:
            deals_by_company.setdefault(deal["company_id"], []).append(deal)
    taken: set[int] = set()
    for lead in leads:
        score, reasons = scoring.score_lead(lead, types.get(lead["campaign_id"]), rules, clock.anchor)
        lead.update(score=score, score_reasons=[[label, points] for label, points in reasons],
                    converted_company_id=None, converted_contact_id=None, converted_deal_id=None)
        company_id = company_ids.get(lead["email"].rsplit("@", 1)[-1])
        if lead["status"] != "converted" or company_id is None:
            continue
        latest = lead["created_at"] + timedelta(days=180)
        deal = next((deal for deal in deals_by_company.get(company_id, []) if deal["id"] not in taken
                     and lead["created_at"] <= deal["created_at"] <= latest), None)
        if deal is not None:
            taken.add(deal["id"])
            lead.update(converted_company_id=company_id, converted_contact_id=deal["contact_id"],
                        converted_deal_id=deal["id"])
    counts["leads"] = counts.get("leads", 0) + len(leads)
    session.execute(insert(Lead.__table__).execution_options(render_nulls=True), leads)
    return leads


def _lead_rows(
    rng: random.Random, clock: Clock, windows: list[tuple[int, date, date, int]], crm: CrmData
) -> list[dict]:
    isos, weights = list(data.COUNTRIES), [entry[0] for entry in data.COUNTRIES.values()]
    words = [entry[1] for entry in data.INDUSTRY_WORDS.values()]
    titles = rng_for("marketing-job-titles")  # its own generator: the other lead values stay as they were
    size_draws = rng_for("marketing-company-sizes")  # likewise for company sizes (migration marketing_0003)
    size_bands = ((1, 49), (50, 199), (200, 999), (1000, 9999), (10_000, 60_000))
    sizes: dict[str, int | None] = {}  # one size per company, so its leads agree; about one company in seven unknown

    def company_size(company: str) -> int | None:
        if company not in sizes:
            low, high = size_draws.choices(size_bands, (30, 30, 22, 13, 5))[0]
            sizes[company] = size_draws.randint(low, high) if size_draws.random() < 0.85 else None
        return sizes[company]

    rows = []
    for _ in range(LEAD_COUNT):
        campaign_id = None
        day = clock.day(-rng.randint(1, 548))
        if rng.random() < 0.7:
            campaign_id, first_day, last_day, _volume = rng.choices(windows, [w[3] for w in windows])[0]
            day = first_day + timedelta(days=rng.randint(0, max((last_day - first_day).days, 0)))
        if rng.random() < 0.35:
            company, domain, iso = rng.choice(crm.company_domains)
        else:
            iso = rng.choices(isos, weights)[0]
            company = f"{rng.choice(data.COMPANY_ROOTS)} {rng.choice(rng.choice(words))}"
            domain = f"{plain_ascii(company)}.{data.COUNTRIES[iso][2]}"
        _weight, region, _tld, _legal, dial = data.COUNTRIES[iso]
        given, family = data.NAMES[region]
        first, last = rng.choice(given), rng.choice(family)
        age = (clock.anchor - day).days
        mix = next(shares for limit, shares in LEAD_STATUS_MIX.items() if age <= limit)
        status = rng.choices(LEAD_STATUSES, mix)[0]
        created = clock.stamp(day, rng)
        rows.append({
            "campaign_id": campaign_id, "first_name": first, "last_name": last,
            "email": f"{plain_ascii(first)}.{plain_ascii(last)}@{domain}",
            "phone": phone_number(rng, dial) if rng.random() < 0.6 else None,
            # the drawn score is replaced by the rules' score in _seed_marketing; drawing it keeps later values
            "company_name": company, "status": status, "score": rng.randint(*LEAD_SCORES[status]),
            "job_title": titles.choice(data.JOB_TITLES) if titles.random() < 0.7 else None,
            "company_size": company_size(company), "created_at": created,
            "updated_at": created + timedelta(days=rng.randint(0, min(age - 1, 30)), hours=rng.randint(0, 4)),
        })
    rows.sort(key=lambda row: row["created_at"])
    return rows
