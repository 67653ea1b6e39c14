"""Demo CRM: companies, contacts, deals over three years with seasonality, and each deal's stage history."""

from __future__ import annotations

import random
from bisect import bisect_right
from datetime import date, datetime, timedelta
from decimal import Decimal
from math import log

from sqlalchemy import select
from sqlalchemy.orm import Session

from nexus360.auth.schemas import SALES_REP
from nexus360.crm.models import Company, Contact, Country, Deal, DealStage, DealStageChange, Industry
from nexus360.db import Database
from nexus360.demo import data
from nexus360.demo.common import (
    Clock,
    CrmData,
    Demo,
    Member,
    insert_rows,
    month_start,
    phone_number,
    plain_ascii,
    rng_for,
    sells,
)

DATABASE = Database.CRM
TABLES = ("companies", "contacts", "deals", "deal_stage_history")  # countries, industries, stages: migrations
COMPANY_COUNT = 300
CLOSED_DEALS = 1_760
OPEN_DEALS = 240
# open stage: share of open deals
OPEN_STAGE_MIX = {"Prospecting": 25, "Qualification": 22, "Needs Analysis": 20, "Proposal": 18, "Negotiation": 15}
# open stage: typical share of a won deal's cycle spent in it
STAGE_SHARE = {"Prospecting": 28, "Qualification": 17, "Needs Analysis": 17, "Proposal": 18, "Negotiation": 20}
# open stage: how often lost deals drop out of the pipeline there
DROP_OUT = {"Prospecting": 30, "Qualification": 25, "Needs Analysis": 18, "Proposal": 15, "Negotiation": 12}
STUCK_DEALS = 8  # open deals left sitting in a stage far longer than won deals do (the "at risk" list)
SLIPPED_DEALS = 6  # late-stage open deals whose close date passed earlier this month (they "slipped")


def seed(session: Session, demo: Demo) -> str:
    """Companies, contacts, deals and their stage history; what the other databases need of them."""
    demo.crm = _seed_crm(session, demo.clock, demo.members, demo.counts)
    counts = demo.counts
    return f"crm: {counts['companies']} companies, {counts['contacts']} contacts, {counts['deals']} deals"


def _seed_crm(session: Session, clock: Clock, members: list[Member], counts: dict[str, int]) -> CrmData:
    rng = rng_for("crm")
    country_ids = dict(session.execute(select(Country.iso_code_2, Country.id)).all())
    industry_ids = dict(session.execute(select(Industry.name, Industry.id)).all())
    stage_rows = session.execute(select(DealStage.id, DealStage.name, DealStage.win_probability,
                                        DealStage.is_won, DealStage.is_lost)).all()
    stages = {row[0]: (row[1], row[2], row[3], row[4]) for row in stage_rows}
    companies, meta = _company_rows(rng, clock, country_ids, industry_ids)
    company_ids = insert_rows(session, Company, companies, counts)
    contacts, contact_company = _contact_rows(rng, clock, companies, company_ids, meta)
    contact_ids = insert_rows(session, Contact, contacts, counts)
    contacts_by_company: dict[int, list[int]] = {}
    for contact_id, company_index in zip(contact_ids, contact_company, strict=True):
        contacts_by_company.setdefault(company_index, []).append(contact_id)
    deals = _deal_rows(rng, clock, members, stages, companies, company_ids, meta, contacts_by_company)
    _slip_some(clock, stages, deals)
    deal_ids = insert_rows(session, Deal, deals, counts)
    for deal_id, deal in zip(deal_ids, deals, strict=True):
        deal["id"] = deal_id
    insert_rows(session, DealStageChange, _stage_history_rows(clock, stages, deals), counts, ids=False)
    names = {company_id: row["name"] for company_id, row in zip(company_ids, companies, strict=True)}
    domains = [(row["name"], row["domain"], iso) for row, (iso, _short, _size) in zip(companies, meta, strict=True)]
    return CrmData(company_names=names, company_domains=domains, deals=deals, stages=stages)


def _company_rows(
    rng: random.Random, clock: Clock, country_ids: dict[str, int], industry_ids: dict[str, int]
) -> tuple[list[dict], list[tuple[str, str, float]]]:
    """Companies, and per company its country code, a short name for deal titles and a size factor."""
    isos, country_weights = list(data.COUNTRIES), [entry[0] for entry in data.COUNTRIES.values()]
    industries, industry_weights = list(data.INDUSTRY_WORDS), [entry[0] for entry in data.INDUSTRY_WORDS.values()]
    rows: list[dict] = []
    meta: list[tuple[str, str, float]] = []
    seen: set[str] = set()
    while len(rows) < COMPANY_COUNT:
        iso = rng.choices(isos, country_weights)[0]
        industry = rng.choices(industries, industry_weights)[0]
        short = f"{rng.choice(data.COMPANY_ROOTS)} {rng.choice(data.INDUSTRY_WORDS[industry][1])}"
        if short in seen:
            continue
        seen.add(short)
        _weight, _region, tld, legal_forms, _dial = data.COUNTRIES[iso]
        public = industry in data.PUBLIC_SECTOR
        name = short if public or rng.random() < 0.4 else f"{short} {rng.choice(legal_forms)}"
        domain = f"{plain_ascii(short)}.{tld}"
        revenue = min(max(rng.lognormvariate(log(250e6), 1.4), 2e6), 60e9)
        first_seen = rng.randint(1_400, 1_500) if rng.random() < 0.8 else rng.randint(60, 1_300)
        created = clock.stamp(clock.day(-first_seen), rng)
        rows.append({
            "name": name, "domain": domain, "website": f"https://www.{domain}", "industry_id": industry_ids[industry],
            "country_id": country_ids[iso], "annual_revenue": Decimal(round(revenue, -3)),
            "created_at": created, "updated_at": clock.cap(created + timedelta(days=rng.randint(0, 200))),
        })
        meta.append((iso, short, 0.6 if revenue < 100e6 else 1.0 if revenue < 1e9 else 1.6))
    return rows, meta


def _contact_rows(
    rng: random.Random, clock: Clock, companies: list[dict], company_ids: list[int], meta: list[tuple[str, str, float]]
) -> tuple[list[dict], list[int]]:
    rows: list[dict] = []
    owners: list[int] = []
    for index, (company, company_id) in enumerate(zip(companies, company_ids, strict=True)):
        _weight, region, _tld, _legal, dial = data.COUNTRIES[meta[index][0]]
        given, family = data.NAMES[region]
        for _ in range(rng.choices((1, 2, 3), (3, 5, 2))[0]):
            first, last = rng.choice(given), rng.choice(family)
            phone = phone_number(rng, dial)
            created = clock.cap(company["created_at"] + timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 300)))
            rows.append({
                "company_id": company_id, "first_name": first, "last_name": last,
                "email": f"{plain_ascii(first)}.{plain_ascii(last)}@{company['domain']}",
                "phone": phone if rng.random() < 0.85 else None, "job_title": rng.choice(data.JOB_TITLES),
                "created_at": created, "updated_at": created,
            })
            owners.append(index)
    return rows, owners


def _deal_rows(
    rng: random.Random,
    clock: Clock,
    members: list[Member],
    stages: dict[int, tuple[str, Decimal, bool, bool]],
    companies: list[dict],
    company_ids: list[int],
    meta: list[tuple[str, str, float]],
    contacts_by_company: dict[int, list[int]],
) -> list[dict]:
    stage_ids = {stage[0]: stage_id for stage_id, stage in stages.items()}
    sellers = [(m, 1.0 if m.role == SALES_REP else 0.3, rng.uniform(0.25, 0.36)) for m in members if sells(m)]
    order = sorted(range(len(companies)), key=lambda index: companies[index]["created_at"])
    known_since = [companies[index]["created_at"].date() for index in order]
    months = [month_start(clock.anchor, -back) for back in range(36, -1, -1)]
    month_weights = [(0.55 + 0.45 * i / 35) * data.MONTH_SEASONALITY[m.month] for i, m in enumerate(months)]
    plans: list[tuple[date, date, str | None]] = []  # created, close date, open stage (None: closed)
    for _ in range(CLOSED_DEALS):
        month = rng.choices(months, month_weights)[0]
        last_day = (month_start(month, 1) - timedelta(days=1)).day
        rush = month.month % 3 == 0 and rng.random() < 0.45  # quarter-end push into the last ten days
        close = month.replace(day=rng.randint(last_day - 9, last_day) if rush else rng.randint(1, last_day))
        if close >= clock.anchor:  # this month's deals closed before today
            close = clock.day(-1 - rng.randint(0, max(clock.anchor.day - 2, 0)))
        cycle = int(min(max(rng.lognormvariate(log(55), 0.55), 10), 270))
        plans.append((close - timedelta(days=cycle), close, None))
    open_stages = list(OPEN_STAGE_MIX)
    for _ in range(OPEN_DEALS):
        stage = rng.choices(open_stages, list(OPEN_STAGE_MIX.values()))[0]
        distance = len(open_stages) - open_stages.index(stage)  # early stages close later
        plans.append((clock.day(-rng.randint(3, 40 + 25 * distance)),
                      clock.day(rng.randint(5 * distance, 45 + 27 * distance)), stage))
    plans.sort(key=lambda plan: (plan[0], plan[1]))  # ids follow the order deals were opened
    rows = []
    for created_day, close, stage in plans:
        staying = [s for s in sellers if s[0].left is None or (stage is None and close <= s[0].left)]
        eligible = [s for s in staying if s[0].hired <= created_day] or staying
        owner, _weight, win_rate = rng.choices(eligible, [s[1] for s in eligible])[0]
        stage_name = stage or ("Closed Won" if rng.random() < win_rate else "Closed Lost")
        company_index = order[rng.randrange(max(bisect_right(known_since, created_day), 1))]
        _iso, short, size = meta[company_index]
        budget_flush = 1.2 if close.month in (11, 12) else 1.0  # year-end budgets buy bigger
        amount = min(max(rng.lognormvariate(log(26_000), 0.8) * size * budget_flush, 5_000), 500_000)
        contacts = contacts_by_company.get(company_index, [])
        created = clock.stamp(created_day, rng)
        worked = created + (clock.end - created) * rng.random()
        touched = clock.cap(worked.replace(microsecond=0)) if stage else clock.stamp(close, rng)
        rows.append({
            "title": f"{short} - {rng.choice(data.PRODUCTS)}", "company_id": company_ids[company_index],
            "contact_id": rng.choice(contacts) if contacts and rng.random() < 0.9 else None,
            "stage_id": stage_ids[stage_name], "amount": Decimal(int(round(amount, -2))), "close_date": close,
            "owner_id": owner.id, "created_at": created, "updated_at": max(created, touched),
        })
    return rows


def _slip_some(clock: Clock, stages: dict[int, tuple[str, Decimal, bool, bool]], deals: list[dict]) -> None:
    """Move SLIPPED_DEALS late-stage open deals' close dates to a day earlier this month, as real pipelines have
    (the assistant's "which deals slipped?", the slipping notifications). Its own generator keeps every other
    row as it was; on the first of a month there is no earlier day, so nothing slips."""
    if clock.anchor.day == 1:
        return
    rng = rng_for("crm:slipped")
    first = clock.anchor.replace(day=1)
    late = [deal for deal in deals if stages[deal["stage_id"]][0] in ("Proposal", "Negotiation")
            and deal["created_at"].date() < first]
    for deal in rng.sample(late, min(SLIPPED_DEALS, len(late))):
        deal["close_date"] = clock.day(-rng.randint(1, clock.anchor.day - 1))


def _stage_history_rows(clock: Clock, stages: dict[int, tuple[str, Decimal, bool, bool]],
                        deals: list[dict]) -> list[dict]:
    """Each deal's path through the pipeline: Prospecting onwards from its creation, to its final stage.

    Won deals pass every open stage; lost deals drop out of one; open deals stop at their stage, most
    having moved recently and STUCK_DEALS of them sitting there for weeks. Its own generator keeps
    the deal rows (and everything derived from them) as they were.
    """
    rng = rng_for("crm:history")
    ids = {stage[0]: stage_id for stage_id, stage in stages.items()}
    path = list(OPEN_STAGE_MIX)
    open_deals = [deal for deal in deals if not (stages[deal["stage_id"]][2] or stages[deal["stage_id"]][3])]
    late = [deal for deal in open_deals if stages[deal["stage_id"]][0] != path[0]
            and clock.end - deal["created_at"] > timedelta(days=60)]
    stuck = {deal["id"] for deal in rng.sample(late, min(STUCK_DEALS, len(late)))}
    rows = []
    for deal in deals:
        name, _probability, won, lost = stages[deal["stage_id"]]
        if won or lost:
            visited = path if won else path[: path.index(rng.choices(path, list(DROP_OUT.values()))[0]) + 1]
            moves = _spread(rng, deal["created_at"], deal["updated_at"], visited) + [(deal["updated_at"], name)]
        else:
            visited = path[: path.index(name) + 1]
            span = (clock.end - deal["created_at"]).total_seconds() / 86_400
            current = span * rng.uniform(0.7, 0.85) if deal["id"] in stuck else min(rng.uniform(0.5, 12), span / 2)
            entered = clock.end - timedelta(days=current) if len(visited) > 1 else deal["created_at"]
            moves = _spread(rng, deal["created_at"], entered, visited[:-1]) + [(entered, name)]
        previous = None
        for moment, stage in moves:
            rows.append({"deal_id": deal["id"], "from_stage_id": previous, "to_stage_id": ids[stage],
                         "changed_by": deal["owner_id"], "changed_at": moment.replace(microsecond=0)})
            previous = ids[stage]
    return rows


def _spread(rng: random.Random, start: datetime, end: datetime, visited: list[str]) -> list[tuple[datetime, str]]:
    """Moments of entering each of `visited` in turn, from `start`, splitting start..end by typical shares."""
    weights = [STAGE_SHARE[stage] * rng.lognormvariate(0, 0.35) for stage in visited]
    total, moments, elapsed = sum(weights), [], 0.0
    for stage, weight in zip(visited, weights, strict=True):
        moments.append((start + (end - start) * (elapsed / total), stage))
        elapsed += weight
    return moments
