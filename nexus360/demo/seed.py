"""Deterministic demo data for the eight databases, loaded once (`python -m nexus360 demo seed`).

Every row comes from `random.Random` with a fixed seed and every date from an anchor, today
(UTC), so two loads on the same day give identical rows. Ids come back from the
inserts (RETURNING) and are carried to the other databases, which cannot hold foreign keys to auth.
All eight transactions commit together at the end, auth last: a user row means the rest is there.
"""

from __future__ import annotations

import random
import unicodedata
import uuid
from bisect import bisect_right
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from math import log

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from nexus360.auth.models import LocalCredential, Role, User, UserRole
from nexus360.auth.passwords import hash_password
from nexus360.auth.permissions import SALES_MANAGER, SALES_REP
from nexus360.auth.schemas import LOCAL_AZURE_ID_PREFIX
from nexus360.chat.models import Conversation, KnowledgeArticle, Message
from nexus360.compensation.models import CommissionRule, SalesPerformance
from nexus360.crm.models import Company, Contact, Country, Deal, DealStage, DealStageChange, Industry
from nexus360.db import Database, session_scope
from nexus360.demo import data, forecasting
from nexus360.integrations.models import IntegrationConfig, IntegrationLog
from nexus360.marketing import scoring
from nexus360.marketing.extra_models import leads_table
from nexus360.marketing.models import Campaign
from nexus360.notifications.models import Notification, NotificationTemplate

DEMO_PASSWORD = "nexus360-demo"
DEMO_USERNAMES = ("admin", "manager", "rep", "marketer")
RANDOM_SEED = 360
ADVISORY_LOCK = 360_001  # held while seeding, so concurrent first runs load the data once

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

# What `reset=True` empties; roles, permissions and the crm reference tables belong to the migrations.
SEEDED_TABLES: dict[Database, tuple[str, ...]] = {
    Database.AUTH: ("users", "user_roles", "local_credentials"),
    Database.INTEGRATION: ("integration_configs", "integration_logs"),
    Database.NOTIFICATIONS: ("notification_templates", "notifications"),
    Database.CRM: ("companies", "contacts", "deals", "deal_stage_history"),
    Database.CHAT: ("knowledge_base", "conversations", "messages"),
    Database.COMPENSATION: ("commission_rules", "sales_performance", "commission_lines", "commission_events",
                            "commission_disputes"),
    Database.FORECASTING: ("forecast_snapshots", "forecast_snapshot_deals", "forecasts", "forecast_factors"),
    Database.MARKETING: ("campaigns", "leads"),
}


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


def demo_anchor() -> date:
    """Today (UTC), from which every demo date is derived: data runs up to yesterday, so the
    "this month" and "this quarter" figures are live, and two loads on one day are identical."""
    return datetime.now(UTC).date()


def is_seeded() -> bool:
    """True when the auth database already holds users (the demo data or real ones)."""
    with session_scope(Database.AUTH, admin=True) as session:
        return _has_users(session)


def seed_demo_data(*, reset: bool = False, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Load the demo data into all eight databases; return rows per table ({} when already seeded)."""
    say = progress or (lambda _message: None)
    clock = Clock(demo_anchor())
    counts: dict[str, int] = {}
    with ExitStack() as stack:
        # As the tables' owner (row-level security binds the app's role). Auth is entered first, so
        # it commits last: the users appear only once everything else is saved.
        sessions = {database: stack.enter_context(session_scope(database, admin=True)) for database in Database}
        sessions[Database.AUTH].execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
        if not reset and _has_users(sessions[Database.AUTH]):
            say("demo data already loaded")
            return {}
        if reset:
            for database, tables in SEEDED_TABLES.items():
                sessions[database].execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            say("emptied the demo tables")
        members = _seed_auth(sessions[Database.AUTH], clock, counts)
        say(f"auth: {counts['users']} users, {counts['local_credentials']} local accounts")
        crm = _seed_crm(sessions[Database.CRM], clock, members, counts)
        say(f"crm: {counts['companies']} companies, {counts['contacts']} contacts, {counts['deals']} deals")
        leads = _seed_marketing(sessions[Database.MARKETING], clock, crm, counts)
        say(f"marketing: {counts['campaigns']} campaigns, {counts['leads']} leads")
        performance = _seed_compensation(sessions[Database.COMPENSATION], clock, members, crm, counts)
        say(f"compensation: {counts['commission_rules']} rules, {counts['sales_performance']} statements")
        forecasts = forecasting.seed_forecasts(sessions[Database.FORECASTING], clock, members, crm, counts)
        say(f"forecasting: {counts['forecasts']} forecasts, {counts['forecast_factors']} factors")
        events = _notification_events(clock, members, crm, leads, performance, forecasts)
        _seed_notifications(sessions[Database.NOTIFICATIONS], clock, members, events, counts)
        say(f"notifications: {counts['notification_templates']} templates, {counts['notifications']} notifications")
        _seed_chat(sessions[Database.CHAT], clock, members, counts)
        say(f"chat: {counts['knowledge_base']} articles, {counts['conversations']} conversations")
        _seed_integration(sessions[Database.INTEGRATION], clock, crm, counts)
        say(f"integration: {counts['integration_configs']} configs, {counts['integration_logs']} log entries")
    return counts


def _has_users(session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is not None


def _random(domain: str) -> random.Random:
    """One generator per domain, so changing one domain's data leaves the others' rows alone."""
    return random.Random(f"{RANDOM_SEED}:{domain}")


def _ascii(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(char for char in decomposed if char.isascii() and char.isalnum()).lower()


def _phone(rng: random.Random, dial: str) -> str:
    return f"{dial} {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def _month_start(day: date, months: int) -> date:
    """The first day of the month `months` after (or, negative, before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _insert(session: Session, model: type, rows: list[dict], counts: dict[str, int], *, ids: bool = True) -> list[int]:
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


# --- auth -----------------------------------------------------------------------------------------


def _seed_auth(session: Session, clock: Clock, counts: dict[str, int]) -> list[Member]:
    rng = _random("auth")
    role_ids = dict(session.execute(select(Role.name, Role.id)).all())
    members: dict[str, Member] = {}
    pending = list(data.STAFF)
    while pending:  # managers first: a row's manager_id must already exist
        level = [staff for staff in pending if staff[3] is None or staff[3] in members]
        pending = [staff for staff in pending if staff not in level]
        rows = []
        for first, last, _role, manager, _username, hired, left in level:
            email = f"{_ascii(first)}.{_ascii(last)}@{data.EMAIL_DOMAIN}"
            created = clock.stamp(_month_start(clock.anchor, -hired) + timedelta(days=rng.randint(0, 20)), rng)
            updated = clock.stamp(_month_start(clock.anchor, -left), rng) if left else created
            rows.append({
                "azure_id": LOCAL_AZURE_ID_PREFIX + str(uuid.uuid5(uuid.NAMESPACE_DNS, email)),
                "email": email, "first_name": first,
                "last_name": last, "is_active": left is None, "manager_id": members[manager].id if manager else None,
                "created_at": created, "updated_at": updated,
            })
        ids = _insert(session, User, rows, counts)
        for user_id, row, (first, last, role, _manager, _username, _hired, left) in zip(ids, rows, level, strict=True):
            members[first] = Member(
                id=user_id, first_name=first, last_name=last, role=role, manager_id=row["manager_id"],
                hired=row["created_at"].date(), left=row["updated_at"].date() if left else None,
                created_at=row["created_at"],
            )
    staff = [members[entry[0]] for entry in data.STAFF]
    role_rows = [{"user_id": m.id, "role_id": role_ids[m.role], "created_at": m.created_at} for m in staff]
    _insert(session, UserRole, role_rows, counts, ids=False)
    credentials = [
        {"user_id": members[entry[0]].id, "username": entry[4], "password_hash": hash_password(DEMO_PASSWORD),
         "failed_attempts": 0, "created_at": members[entry[0]].created_at,
         "updated_at": members[entry[0]].created_at}
        for entry in data.STAFF
        if entry[4]
    ]
    _insert(session, LocalCredential, credentials, counts, ids=False)
    return staff


# --- crm ------------------------------------------------------------------------------------------


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


def _seed_crm(session: Session, clock: Clock, members: list[Member], counts: dict[str, int]) -> CrmData:
    rng = _random("crm")
    country_ids = dict(session.execute(select(Country.iso_code_2, Country.id)).all())
    industry_ids = dict(session.execute(select(Industry.name, Industry.id)).all())
    stage_rows = session.execute(select(DealStage.id, DealStage.name, DealStage.win_probability,
                                        DealStage.is_won, DealStage.is_lost)).all()
    stages = {row[0]: (row[1], row[2], row[3], row[4]) for row in stage_rows}
    companies, meta = _company_rows(rng, clock, country_ids, industry_ids)
    company_ids = _insert(session, Company, companies, counts)
    contacts, contact_company = _contact_rows(rng, clock, companies, company_ids, meta)
    contact_ids = _insert(session, Contact, contacts, counts)
    contacts_by_company: dict[int, list[int]] = {}
    for contact_id, company_index in zip(contact_ids, contact_company, strict=True):
        contacts_by_company.setdefault(company_index, []).append(contact_id)
    deals = _deal_rows(rng, clock, members, stages, companies, company_ids, meta, contacts_by_company)
    deal_ids = _insert(session, Deal, deals, counts)
    for deal_id, deal in zip(deal_ids, deals, strict=True):
        deal["id"] = deal_id
    _insert(session, DealStageChange, _stage_history_rows(clock, stages, deals), counts, ids=False)
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
        domain = f"{_ascii(short)}.{tld}"
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
            phone = _phone(rng, dial)
            created = clock.cap(company["created_at"] + timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 300)))
            rows.append({
                "company_id": company_id, "first_name": first, "last_name": last,
                "email": f"{_ascii(first)}.{_ascii(last)}@{company['domain']}",
                "phone": phone if rng.random() < 0.85 else None, "job_title": rng.choice(data.JOB_TITLES),
                "created_at": created, "updated_at": created,
            })
            owners.append(index)
    return rows, owners


def _sells(member: Member) -> bool:
    """Reps and team managers own deals; the VP (a manager without a manager) does not."""
    return member.role == SALES_REP or (member.role == SALES_MANAGER and member.manager_id is not None)


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
    sellers = [(m, 1.0 if m.role == SALES_REP else 0.3, rng.uniform(0.25, 0.36)) for m in members if _sells(m)]
    order = sorted(range(len(companies)), key=lambda index: companies[index]["created_at"])
    known_since = [companies[index]["created_at"].date() for index in order]
    months = [_month_start(clock.anchor, -back) for back in range(36, -1, -1)]
    month_weights = [(0.55 + 0.45 * i / 35) * data.MONTH_SEASONALITY[m.month] for i, m in enumerate(months)]
    plans: list[tuple[date, date, str | None]] = []  # created, close date, open stage (None: closed)
    for _ in range(CLOSED_DEALS):
        month = rng.choices(months, month_weights)[0]
        last_day = (_month_start(month, 1) - timedelta(days=1)).day
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


def _stage_history_rows(clock: Clock, stages: dict[int, tuple[str, Decimal, bool, bool]],
                        deals: list[dict]) -> list[dict]:
    """Each deal's path through the pipeline: Prospecting onwards from its creation, to its final stage.

    Won deals pass every open stage; lost deals drop out of one; open deals stop at their stage, most
    having moved recently and STUCK_DEALS of them sitting there for weeks. Its own generator keeps
    the deal rows (and everything derived from them) as they were.
    """
    rng = _random("crm:history")
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


# --- marketing ------------------------------------------------------------------------------------

LEAD_COUNT = 5_000
LEAD_STATUSES = ("new", "contacted", "qualified", "converted", "disqualified")
# lead age in days (up to): status mix; older leads have mostly been worked
LEAD_STATUS_MIX = {14: (55, 30, 10, 0, 5), 60: (15, 30, 20, 15, 20), 10_000: (5, 15, 12, 28, 40)}
LEAD_SCORES = {"new": (5, 70), "contacted": (10, 80), "qualified": (55, 95), "converted": (60, 100),
               "disqualified": (0, 45)}


def _seed_marketing(session: Session, clock: Clock, crm: CrmData, counts: dict[str, int]) -> list[dict]:
    rng = _random("marketing")
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
    campaign_ids = _insert(session, Campaign, campaigns, counts)
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
    session.execute(insert(leads_table).execution_options(render_nulls=True), leads)
    return leads


def _lead_rows(
    rng: random.Random, clock: Clock, windows: list[tuple[int, date, date, int]], crm: CrmData
) -> list[dict]:
    isos, weights = list(data.COUNTRIES), [entry[0] for entry in data.COUNTRIES.values()]
    words = [entry[1] for entry in data.INDUSTRY_WORDS.values()]
    titles = _random("marketing-job-titles")  # its own generator: the other lead values stay as they were
    size_draws = _random("marketing-company-sizes")  # likewise for company sizes (migration marketing_0003)
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
            domain = f"{_ascii(company)}.{data.COUNTRIES[iso][2]}"
        _weight, region, _tld, _legal, dial = data.COUNTRIES[iso]
        given, family = data.NAMES[region]
        first, last = rng.choice(given), rng.choice(family)
        age = (clock.anchor - day).days
        mix = next(shares for limit, shares in LEAD_STATUS_MIX.items() if age <= limit)
        status = rng.choices(LEAD_STATUSES, mix)[0]
        created = clock.stamp(day, rng)
        rows.append({
            "campaign_id": campaign_id, "first_name": first, "last_name": last,
            "email": f"{_ascii(first)}.{_ascii(last)}@{domain}",
            "phone": _phone(rng, dial) if rng.random() < 0.6 else None,
            # the drawn score is replaced by the rules' score in _seed_marketing; drawing it keeps later values
            "company_name": company, "status": status, "score": rng.randint(*LEAD_SCORES[status]),
            "job_title": titles.choice(data.JOB_TITLES) if titles.random() < 0.7 else None,
            "company_size": company_size(company), "created_at": created,
            "updated_at": created + timedelta(days=rng.randint(0, min(age - 1, 30)), hours=rng.randint(0, 4)),
        })
    rows.sort(key=lambda row: row["created_at"])
    return rows


# --- compensation ---------------------------------------------------------------------------------


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _quarters(clock: Clock, first: int, last: int) -> list[tuple[date, date]]:
    """(start, end) of the quarters `first`..`last` relative to the anchor's quarter (0)."""
    current = _quarter_start(clock.anchor)
    starts = [_month_start(current, 3 * shift) for shift in range(first, last + 1)]
    return [(start, _month_start(start, 3) - timedelta(days=1)) for start in starts]


def _label(start: date) -> str:
    return f"Q{(start.month - 1) // 3 + 1} {start.year}"


def _money(value: float | Decimal) -> Decimal:
    return Decimal(f"{value:.2f}")


def _seed_compensation(
    session: Session, clock: Clock, members: list[Member], crm: CrmData, counts: dict[str, int]
) -> list[dict]:
    """Valid rules, and the past eight quarters computed by the real engine with their lines and history.

    The latest closed quarter awaits approval (half of it approved), older ones are paid, and the current
    quarter is not run yet: the manager runs it in the demo.
    """

    from nexus360.compensation import engine
    from nexus360.compensation import service as compensation_service
    from nexus360.compensation.history import CommissionDispute, CommissionEvent
    from nexus360.compensation.lines import CommissionLine
    from nexus360.compensation.rules import validate_rule

    rng = _random("compensation")
    year = clock.anchor.year
    bonus_year = year if clock.anchor.month >= 10 else year - 1
    tiers = {"tiers": [{"up_to": 250_000, "rate": 1}, {"above": 250_000, "rate": 3}], "quota": 250_000}
    rules = [
        ("Legacy flat commission (4%)", "flat", {}, "4.00", date(year - 5, 1, 1), date(year - 4, 12, 31)),
        ("Standard commission (5% of won deals)", "flat", {}, "5.00", date(year - 3, 1, 1), None),
        ("Enterprise accelerator", "tiered", tiers, "0.00", date(year - 1, 1, 1), None),
        ("Q4 large-deal bonus", "bonus", {"min_amount": 100_000, "months": [10, 11, 12]}, "1.00",
         date(bonus_year, 10, 1), date(bonus_year, 12, 31)),
        ("Quota club bonus", "bonus", {"min_attainment": 1, "amount": 2500}, "0.00", date(year - 1, 1, 1), None),
    ]
    rule_rows = []
    for name, kind, criteria, rate, start, end in rules:
        validate_rule(name=name, type=kind, criteria=criteria, rate=rate, start_date=start, end_date=end)
        created = clock.stamp(min(start - timedelta(days=14), clock.day(-1)), rng)
        rule_rows.append({"name": name, "type": kind, "criteria": criteria, "rate": Decimal(rate), "start_date": start,
                          "end_date": end, "created_at": created, "updated_at": created})
    rule_ids = _insert(session, CommissionRule, rule_rows, counts)
    engine_rules = [engine.Rule(id=rule_id, name=row["name"], type=row["type"], criteria=row["criteria"],
                                rate=row["rate"], start_date=row["start_date"], end_date=row["end_date"])
                    for rule_id, row in zip(rule_ids, rule_rows, strict=True)]
    won: dict[tuple[int, date], list[engine.WonDeal]] = {}
    seen_companies: set[int] = set()
    for deal in sorted(crm.deals, key=lambda deal: (deal["close_date"], deal["id"])):
        if deal["stage_id"] in crm.won_stage_ids:
            won.setdefault((deal["owner_id"], _quarter_start(deal["close_date"])), []).append(engine.WonDeal(
                id=deal["id"], amount=deal["amount"], close_date=deal["close_date"],
                stage=crm.stages[deal["stage_id"]][0], is_new_customer=deal["company_id"] not in seen_companies))
            seen_companies.add(deal["company_id"])
    sellers = [member for member in members if _sells(member)]
    rows, statements = [], []
    quarters = _quarters(clock, -8, -1)
    for start, end in quarters:
        latest = (start, end) == quarters[-1]
        in_force = [rule for rule in engine_rules if rule.in_force(start, end)]
        quota = compensation_service._default_quota(in_force)
        for index, seller in enumerate(sellers):
            if seller.hired > end or (seller.left is not None and seller.left <= start):
                continue
            statement = engine.compute_statement(
                user_id=seller.id, period_start=start, period_end=end, deals=won.get((seller.id, start), []),
                rules=in_force, quota=quota, roles=(seller.role,))
            status = ("approved" if index % 2 else "pending_approval") if latest else "paid"
            created = clock.stamp(min(end + timedelta(days=3), clock.day(-1)), rng)
            settled = {"paid": 25, "approved": 12, "pending_approval": 0}[status]
            rows.append({
                "user_id": seller.id, "period_start": start, "period_end": end, "revenue": statement.revenue,
                "commission": statement.commission, "status": status, "created_at": created,
                "updated_at": max(created, clock.stamp(min(end + timedelta(days=settled), clock.day(-1)), rng)),
                "quota": statement.quota,
            })
            statements.append((statement, seller.manager_id or 2))
    performance = SalesPerformance.__table__
    counts["sales_performance"] = counts.get("sales_performance", 0) + len(rows)
    performance_ids = list(session.scalars(
        insert(performance).returning(performance.c.id, sort_by_parameter_order=True), rows)) if rows else []
    line_rows, event_rows = [], []
    for performance_id, row, (statement, manager_id) in zip(performance_ids, rows, statements, strict=True):
        line_rows += [{"performance_id": performance_id, "deal_id": line.deal_id, "rule_id": line.rule_id,
                       "kind": line.kind, "basis": line.basis, "rate": line.rate, "amount": line.amount,
                       "explanation": line.explanation, "reason": None, "created_by": None,
                       "created_at": row["created_at"]} for line in statement.lines]
        steps = [("computed", None, "draft", 3), ("submitted", "draft", "pending_approval", 4)]
        if row["status"] in ("approved", "paid"):
            steps.append(("approved", "pending_approval", "approved", 12))
        if row["status"] == "paid":
            steps.append(("paid", "approved", "paid", 25))
        for action, before, after, days in steps:
            event_rows.append({"performance_id": performance_id, "action": action, "from_status": before,
                               "to_status": after, "comment": None, "actor_id": manager_id,
                               "created_at": clock.stamp(min(row["period_end"] + timedelta(days=days),
                                                             clock.day(-1)), rng)})
    line_ids = _insert(session, CommissionLine, line_rows, counts)
    _insert(session, CommissionEvent, event_rows, counts, ids=False)
    # The rep demo account (Emily, user 10) disputes one line of her latest statement.
    latest_of_emily = {performance_id for performance_id, row in zip(performance_ids, rows, strict=True)
                       if row["user_id"] == 10 and row["status"] != "paid"}
    disputed = [(line_id, line) for line_id, line in zip(line_ids, line_rows, strict=True)
                if line["kind"] == "deal" and line["performance_id"] in latest_of_emily][:1]
    _insert(session, CommissionDispute, [{
        "performance_id": line["performance_id"], "line_id": line_id, "user_id": 10, "status": "open",
        "comment": "This deal was co-sold with a partner; I was told the standard rate applies in full.",
        "resolution": None, "resolved_by": None, "created_at": clock.stamp(clock.day(-1), rng), "resolved_at": None,
    } for line_id, line in disputed], counts, ids=False)
    return rows


# --- notifications --------------------------------------------------------------------------------

Event = tuple[datetime, str, dict[str, str]]  # when, template type, placeholder values


def _usd(amount: float | Decimal) -> str:
    return f"${amount:,.0f}"


def _notification_events(
    clock: Clock,
    members: list[Member],
    crm: CrmData,
    leads: list[dict],
    performance: list[dict],
    forecasts: list[dict],
) -> dict[int, list[Event]]:
    """What happened in the last 120 days that each active user would have been told about."""
    since = clock.end - timedelta(days=120)
    active = [member for member in members if member.left is None]
    events: dict[int, list[Event]] = {member.id: [] for member in active}
    names = {member.id: member.name for member in members}
    managers = {member.id: member.manager_id for member in members}
    for deal in crm.deals:
        values = {"deal_title": deal["title"], "company_name": crm.company_names[deal["company_id"]],
                  "amount": _usd(deal["amount"]), "close_date": deal["close_date"].isoformat(),
                  "owner_name": names[deal["owner_id"]]}
        if deal["stage_id"] in crm.won_stage_ids and deal["updated_at"] >= since:
            owner = deal["owner_id"]
            for member in active:  # reps hear of their own wins, team managers of their team's
                if owner in (member.id, managers[owner]) or not (member.role == SALES_REP or _sells(member)):
                    events[member.id].append((deal["updated_at"], "deal_won", values))
        elif crm.is_open(deal) and deal["created_at"] >= since and deal["owner_id"] in events:
            events[deal["owner_id"]].append((deal["created_at"], "deal_assigned", values))
    first_names = {member.id: member.first_name for member in members}
    for row in performance:
        if row["status"] != "pending_approval" and row["updated_at"] >= since and row["user_id"] in events:
            events[row["user_id"]].append((row["updated_at"], "commission_approved", {
                "first_name": first_names[row["user_id"]], "period": _label(row["period_start"]),
                "commission": _usd(row["commission"]), "revenue": _usd(row["revenue"])}))
    for row in forecasts:
        if row["created_at"] >= since:
            values = {"period": _label(row["period_start"]), "forecast_type": row["forecast_type"].replace("_", " "),
                      "forecast_value": _usd(row["forecast_value"]), "confidence": f"{row['confidence_score']:.0f}"}
            for member in active:
                events[member.id].append((row["created_at"], "forecast_ready", values))
    reps = [member for member in active if member.role == SALES_REP]
    handed_over = [lead for lead in leads if lead["status"] in ("qualified", "converted")]
    handed_over = [lead for lead in handed_over if lead["updated_at"] >= since]
    for index, lead in enumerate(handed_over):
        events[reps[index % len(reps)].id].append((lead["updated_at"], "lead_assigned", {
            "lead_name": f"{lead['first_name']} {lead['last_name']}", "company_name": lead["company_name"],
            "score": str(lead["score"])}))
    return events


def _seed_notifications(
    session: Session, clock: Clock, members: list[Member], events: dict[int, list[Event]], counts: dict[str, int]
) -> None:
    rng = _random("notifications")
    templates = []
    for index, (name, kind, subject, content) in enumerate(data.NOTIFICATION_TEMPLATES):
        created = clock.stamp(clock.day(-400 + index), rng)
        templates.append({"name": name, "type": kind, "subject": subject, "content": content,
                          "created_at": created, "updated_at": created})
    _insert(session, NotificationTemplate, templates, counts, ids=False)
    by_type = {template["type"]: template for template in templates}
    rows = []
    for member in members:
        if member.left is not None:
            continue
        pool = sorted((e for e in events[member.id] if e[1] in data.NOTIFICATION_TYPES[member.role]),
                      key=lambda event: (event[0], event[1]))
        chosen = rng.sample(pool, min(len(pool), rng.randint(9, 29)))
        chosen.append((member.created_at, "welcome", {"first_name": member.first_name,
                                                       "role": member.role.replace("_", " ")}))
        for moment, kind, values in sorted(chosen, key=lambda event: event[0]):
            recent = clock.end - moment < timedelta(days=7)
            read = kind == "welcome" or rng.random() < (0.35 if recent else 0.9)
            rows.append({
                "user_id": member.id, "type": kind, "title": by_type[kind]["subject"].format(**values),
                "message": by_type[kind]["content"].format(**values), "status": "read" if read else "unread",
                "created_at": moment,
                "read_at": clock.cap(moment + timedelta(minutes=rng.randint(5, 2_880))) if read else None,
            })
    rows.sort(key=lambda row: (row["created_at"], row["user_id"]))
    _insert(session, Notification, rows, counts, ids=False)


# --- chat -----------------------------------------------------------------------------------------


def _seed_chat(session: Session, clock: Clock, members: list[Member], counts: dict[str, int]) -> None:
    rng = _random("chat")
    articles = []
    for index, (title, content) in enumerate(data.KNOWLEDGE_BASE):
        created = clock.stamp(clock.day(-420 + 9 * index), rng)
        articles.append({"title": title, "content": content, "created_at": created,
                         "updated_at": max(created, clock.stamp(clock.day(-rng.randint(5, 120)), rng))})
    _insert(session, KnowledgeArticle, articles, counts, ids=False)
    threads: list[tuple[dict, list[dict]]] = []
    for member in members:
        if member.left is not None:
            continue
        scripts = [script for script in data.CHAT_SCRIPTS if member.role in script[1]]
        for title, _roles, exchanges in rng.sample(scripts, rng.randint(2, 3)):
            moment = clock.stamp(clock.day(-rng.randint(1, 75)), rng)
            conversation = {"user_id": member.id, "title": title, "created_at": moment}
            messages = []
            for question, answer in exchanges:
                for role, content, pause in (("user", question, (20, 120)), ("assistant", answer, (3, 15))):
                    moment += timedelta(seconds=rng.randint(*pause))
                    messages.append({"role": role, "content": content, "tokens": len(content) // 4 + 1,
                                     "created_at": moment})
            conversation["updated_at"] = moment
            threads.append((conversation, messages))
    threads.sort(key=lambda thread: (thread[0]["created_at"], thread[0]["user_id"]))
    conversation_ids = _insert(session, Conversation, [thread[0] for thread in threads], counts)
    messages = [
        {"conversation_id": conversation_id, **message}
        for conversation_id, (_conversation, thread_messages) in zip(conversation_ids, threads, strict=True)
        for message in thread_messages
    ]
    _insert(session, Message, messages, counts, ids=False)


# --- integration ----------------------------------------------------------------------------------


def _seed_integration(session: Session, clock: Clock, crm: CrmData, counts: dict[str, int]) -> None:
    rng = _random("integration")
    configs = []
    for index, (name, kind, active, config) in enumerate(data.INTEGRATIONS):
        created = clock.stamp(clock.day(-300 + 20 * index), rng)
        configs.append({"name": name, "type": kind, "config": config, "is_active": active, "created_at": created,
                        "updated_at": max(created, clock.stamp(clock.day(-rng.randint(30, 60)), rng))})
    ids = dict(zip((config["type"] for config in configs), _insert(session, IntegrationConfig, configs, counts),
                   strict=True))
    logs = []
    failing = set(rng.sample(range(28), 2))  # nightly directory sync; throttled twice
    for night in range(28):
        payload = {"users_seen": 0, "http_status": 429} if night in failing else {
            "users_seen": 12, "created": 0, "updated": rng.randint(0, 3), "deactivated": 0,
            "duration_ms": rng.randint(800, 4_000)}
        moment = datetime.combine(clock.day(night - 28), time(2)) + timedelta(seconds=rng.randint(0, 600))
        logs.append(_log(ids["msgraph"], "directory_sync", moment, payload, night in failing))
    failing = set(rng.sample(range(14), 2))  # notification e-mail batches every other day
    for batch in range(14):
        sent = rng.randint(5, 60)
        payload = {"sent": 0, "failed": sent} if batch in failing else {"sent": sent, "failed": 0}
        moment = clock.stamp(clock.day(2 * batch - 28), rng)
        logs.append(_log(ids["smtp"], "mail_batch", moment, payload, batch in failing))
    recent_wins = [d for d in crm.deals if d["stage_id"] in crm.won_stage_ids and d["close_date"] >= clock.day(-28)]
    for position, deal in enumerate(rng.sample(recent_wins, min(8, len(recent_wins)))):
        failed = position == 3  # one delivery timed out after its retries
        payload = {"event": "deal.won", "deal_id": deal["id"], "http_status": None if failed else 200,
                   "attempts": 3 if failed else 1}
        logs.append(_log(ids["webhook"], "deal_won", deal["updated_at"] + timedelta(seconds=2), payload, failed))
    logs.sort(key=lambda log_row: log_row["created_at"])
    _insert(session, IntegrationLog, logs, counts, ids=False)


def _log(integration_id: int, event: str, moment: datetime, payload: dict, failed: bool) -> dict:
    kind = {"directory_sync": "msgraph", "mail_batch": "smtp", "deal_won": "webhook"}[event]
    return {"integration_id": integration_id, "event_type": event, "status": "error" if failed else "success",
            "payload": payload, "error_message": data.INTEGRATION_ERRORS[kind] if failed else None,
            "created_at": moment}
