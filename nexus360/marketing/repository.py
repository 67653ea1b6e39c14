"""Every query of the marketing database: campaigns and their history, leads (list, search, export, imports,
scoring batches), scoring rules, and the lead counts of the ROI report.

Leads are read and written through their table (LEADS, the ORM Lead's table) as mappings: the list, export and
import read many rows and need no ORM objects. Aggregates are computed by PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import Table, and_, bindparam, func, insert, literal, or_, select, true, update
from sqlalchemy.dialects.postgresql import ARRAY, BIGINT
from sqlalchemy.orm import Session

from nexus360.common.pagination import Page, after_clause, fetch_page
from nexus360.common.sql import contains
from nexus360.marketing.models import Campaign, CampaignChange, Lead, LeadScoringRule

LEADS: Table = Lead.__table__  # type: ignore[assignment]


# --- campaigns ---------------------------------------------------------------------------------------


def get_campaign(session: Session, campaign_id: int) -> Campaign | None:
    return session.get(Campaign, campaign_id)


# Campaigns without a start date sort after every dated one (keyset pagination needs a non-null key).
NO_START = date(1, 1, 1)


def _campaign_start():
    return func.coalesce(Campaign.start_date, literal(NO_START)).label("sort_start")


def list_campaigns(
    session: Session, *, status: str | None, type_: str | None, search: str, after: tuple | None, limit: int
) -> Page:
    """Latest start date first (undated last; ties newest first), filtered in SQL."""
    start = _campaign_start()
    statement = select(
        Campaign.id, Campaign.name, Campaign.type, Campaign.status, Campaign.start_date, Campaign.end_date,
        Campaign.budget, start,
    ).order_by(start.desc(), Campaign.id.desc())
    if status:
        statement = statement.where(Campaign.status == status)
    if type_:
        statement = statement.where(Campaign.type == type_)
    if search:
        statement = statement.where(contains(Campaign.name, search))
    if after:
        statement = statement.where(after_clause([start.element, Campaign.id], after, descending=True))
    return fetch_page(session, statement, key=["sort_start", "id"], limit=limit)


def find_campaigns_by_name(session: Session, name: str, *, exclude_id: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of the campaigns called `name`, ignoring case and surrounding spaces."""
    statement = select(Campaign.id, Campaign.name).where(func.lower(func.trim(Campaign.name)) == name.strip().lower())
    if exclude_id is not None:
        statement = statement.where(Campaign.id != exclude_id)
    return [tuple(row) for row in session.execute(statement.order_by(Campaign.id))]


def add_campaign_change(session: Session, *, campaign_id: int, user_id: int | None, changes: dict) -> None:
    session.add(CampaignChange(campaign_id=campaign_id, changed_by=user_id, changes=changes))
    session.flush()


def list_campaign_changes(session: Session, campaign_id: int) -> list[CampaignChange]:
    statement = (
        select(CampaignChange)
        .where(CampaignChange.campaign_id == campaign_id)
        .order_by(CampaignChange.changed_at.desc(), CampaignChange.id.desc())
    )
    return list(session.scalars(statement))


def campaign_type(session: Session, campaign_id: int | None) -> str | None:
    if campaign_id is None:
        return None
    return session.execute(select(Campaign.type).where(Campaign.id == campaign_id)).scalar_one_or_none()


def campaign_types(session: Session, campaign_ids: set[int]) -> dict[int, str]:
    if not campaign_ids:
        return {}
    statement = select(Campaign.id, Campaign.type).where(Campaign.id.in_(sorted(campaign_ids)))
    return dict(session.execute(statement).all())


def campaign_ids_by_names(session: Session, names: Iterable[str]) -> list[tuple[int, str]]:
    """(id, lower-cased name) of the campaigns whose lower-cased name is among `names`, by id."""
    wanted = sorted(set(names))
    if not wanted:
        return []
    statement = select(Campaign.id, func.lower(Campaign.name)).where(func.lower(Campaign.name).in_(wanted))
    return [tuple(row) for row in session.execute(statement.order_by(Campaign.id))]


# --- leads -------------------------------------------------------------------------------------------


def count_leads_created_since(session: Session, since: datetime) -> int:
    return int(session.execute(select(func.count(Lead.id)).where(Lead.created_at >= since)).scalar_one())


def get_lead(session: Session, lead_id: int):
    return session.execute(select(LEADS).where(LEADS.c.id == lead_id)).mappings().one_or_none()


def insert_lead(session: Session, values: dict):
    return session.execute(insert(LEADS).values(**values).returning(*LEADS.c)).mappings().one()


def update_lead(session: Session, lead_id: int, values: dict):
    statement = update(LEADS).where(LEADS.c.id == lead_id).values(**values).returning(*LEADS.c)
    return session.execute(statement).mappings().one()


def find_leads_by_email(session: Session, email: str, *, exclude_id: int | None = None) -> list:
    """Leads with this email, case-insensitively (backed by the lower(email) index)."""
    statement = select(LEADS).where(func.lower(LEADS.c.email) == email.lower()).order_by(LEADS.c.id)
    if exclude_id is not None:
        statement = statement.where(LEADS.c.id != exclude_id)
    return list(session.execute(statement).mappings())


def _filter_leads(statement, *, status: str | None, campaign_id: int | None, search: str, min_score: int | None = None):
    t = LEADS.c
    if status:
        statement = statement.where(t.status == status)
    if min_score is not None:
        statement = statement.where(t.score >= min_score)
    if campaign_id is not None:
        statement = statement.where(t.campaign_id == campaign_id)
    if search:
        statement = statement.where(
            contains(t.email, search) | contains(_lead_name(), search) | contains(t.company_name, search)
        )
    return statement


def _lead_name():
    """"first last", spelled exactly as the trigram index ix_leads_name_trgm (marketing_0004) is built.

    Not concat_ws: that is only stable, so it cannot be indexed. For a stripped, non-empty search the two
    match the same leads (they differ only by a leading or trailing space when a part is missing)."""
    t = LEADS.c
    return func.coalesce(t.first_name, "") + " " + func.coalesce(t.last_name, "")


def list_leads(
    session: Session,
    *,
    status: str | None,
    campaign_id: int | None,
    search: str,
    after: tuple | None,
    limit: int,
    min_score: int | None = None,
) -> Page:
    """Newest leads first (by id), filtered in SQL, with their campaign's name."""
    t = LEADS.c
    statement = (
        select(
            t.id, t.email, t.first_name, t.last_name, t.company_name, t.job_title, t.status, t.score, t.campaign_id,
            Campaign.name.label("campaign"), t.created_at,
        )
        .outerjoin(Campaign, Campaign.id == t.campaign_id)
        .order_by(t.id.desc())
    )
    statement = _filter_leads(statement, status=status, campaign_id=campaign_id, search=search, min_score=min_score)
    if after:
        statement = statement.where(after_clause([t.id], after, descending=True))
    return fetch_page(session, statement, key=["id"], limit=limit)


def count_leads(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(LEADS)).scalar_one())


def lead_scoring_batch(session: Session, *, after_id: int, limit: int) -> list:
    """The next `limit` leads past `after_id` with what scoring reads, including the campaign's type."""
    t = LEADS.c
    statement = (
        select(
            t.id, t.email, t.first_name, t.last_name, t.phone, t.company_name, t.job_title, t.company_size,
            t.created_at, t.score, t.score_reasons, Campaign.type.label("campaign_type"),
        )
        .outerjoin(Campaign, Campaign.id == t.campaign_id)
        .where(t.id > after_id)
        .order_by(t.id)
        .limit(limit)
    )
    return list(session.execute(statement).mappings())


def update_scores(session: Session, rows: list[dict]) -> None:
    """rows: {"lead_id", "new_score", "new_reasons"}; one executemany."""
    if not rows:
        return
    statement = (
        update(LEADS)
        .where(LEADS.c.id == bindparam("lead_id"))
        .values(score=bindparam("new_score"), score_reasons=bindparam("new_reasons"))
    )
    session.connection().execute(statement, rows)


def export_leads(
    session: Session, *, status: str | None, campaign_id: int | None, search: str, limit: int,
    min_score: int | None = None,
) -> list:
    """Up to `limit` filtered leads, newest first, with their campaign's name (one query)."""
    t = LEADS.c
    statement = (
        select(
            t.id, t.email, t.first_name, t.last_name, t.phone, t.company_name, t.job_title, t.company_size, t.status,
            Campaign.name.label("campaign"), t.score, t.score_reasons, t.disqualified_reason,
            t.converted_company_id, t.converted_contact_id, t.converted_deal_id, t.created_at,
        )
        .outerjoin(Campaign, Campaign.id == t.campaign_id)
        .order_by(t.id.desc())
        .limit(limit)
    )
    statement = _filter_leads(statement, status=status, campaign_id=campaign_id, search=search, min_score=min_score)
    return list(session.execute(statement).mappings())


def lock_lead(session: Session, lead_id: int):
    """The lead, locked until the transaction ends: two hand-offs of one lead run one after the other."""
    statement = select(LEADS).where(LEADS.c.id == lead_id).with_for_update()
    return session.execute(statement).mappings().one_or_none()


def find_leads_by_emails(session: Session, emails: list[str]) -> list[dict]:
    """Leads whose lower-cased email is among `emails` (ids ascending; the lower(email) index serves it)."""
    wanted = sorted({email.lower() for email in emails})
    if not wanted:
        return []
    statement = select(LEADS).where(func.lower(LEADS.c.email).in_(wanted)).order_by(LEADS.c.id)
    return [dict(row) for row in session.execute(statement).mappings()]


# --- scoring rules -----------------------------------------------------------------------------------


def list_scoring_rules(session: Session, *, active_only: bool = False) -> list[LeadScoringRule]:
    statement = select(LeadScoringRule).order_by(LeadScoringRule.kind, LeadScoringRule.value, LeadScoringRule.id)
    if active_only:
        statement = statement.where(LeadScoringRule.is_active.is_(True))
    return list(session.scalars(statement))


def get_scoring_rule(session: Session, rule_id: int) -> LeadScoringRule | None:
    return session.get(LeadScoringRule, rule_id)


# --- the ROI report's lead counts (the deals' values come from crm.deals.service) ---------------------

REACHED_CONTACTED = ("contacted", "qualified", "converted")
REACHED_QUALIFIED = ("qualified", "converted")


def _lead_filter(date_from: date | None, date_to: date | None):
    t = LEADS.c
    conditions = []
    if date_from:
        conditions.append(t.created_at >= datetime.combine(date_from, time.min))
    if date_to:
        conditions.append(t.created_at < datetime.combine(date_to + timedelta(days=1), time.min))
    return and_(true(), *conditions)


def _counts():
    t = LEADS.c
    return (
        func.count(t.id).label("leads"),
        func.count(t.id).filter(t.status.in_(REACHED_CONTACTED)).label("contacted"),
        func.count(t.id).filter(t.status.in_(REACHED_QUALIFIED)).label("qualified"),
        func.count(t.id).filter(t.status == "converted").label("converted"),
        # FILTER, not array_remove(array_agg(...)): a year holds ~300,000 leads, only the converted have a deal
        func.coalesce(
            func.array_agg(t.converted_deal_id).filter(t.converted_deal_id.is_not(None)), literal([], ARRAY(BIGINT))
        ).label("deal_ids"),
    )


def campaign_lead_counts(
    session: Session, *, date_from: date | None, date_to: date | None, campaign_types: list[str]
) -> list:
    """Per campaign (overlapping the dates, of the types): its fields, lead counts by stage reached, deal ids."""
    t = LEADS.c
    statement = (
        select(
            Campaign.id.label("campaign_id"), Campaign.name, Campaign.type, Campaign.status, Campaign.start_date,
            Campaign.end_date, Campaign.budget, *_counts(),
        )
        .outerjoin(LEADS, and_(t.campaign_id == Campaign.id, _lead_filter(date_from, date_to)))
        .group_by(Campaign.id)
        .order_by(Campaign.start_date.desc().nulls_last(), Campaign.id.desc())
    )
    if date_to:
        statement = statement.where(or_(Campaign.start_date.is_(None), Campaign.start_date <= date_to))
    if date_from:
        statement = statement.where(or_(Campaign.end_date.is_(None), Campaign.end_date >= date_from))
    if campaign_types:
        statement = statement.where(Campaign.type.in_(campaign_types))
    return list(session.execute(statement).mappings())


def unattributed_lead_counts(session: Session, *, date_from: date | None, date_to: date | None):
    """The same counts for leads that came in without a campaign."""
    statement = select(*_counts()).where(LEADS.c.campaign_id.is_(None), _lead_filter(date_from, date_to))
    return session.execute(statement).mappings().one()


def lead_counts_by_campaign_and_status(session: Session, *, date_from: date, date_to: date) -> list:
    """(campaign id, campaign name, status, leads) of the leads created date_from..date_to (inclusive);
    campaign id and name None for leads without a campaign. ix_leads_created_at finds the days."""
    t = LEADS.c
    statement = (
        select(t.campaign_id, Campaign.name, t.status, func.count())
        .select_from(LEADS)
        .outerjoin(Campaign, Campaign.id == t.campaign_id)
        .where(_lead_filter(date_from, date_to))
        .group_by(t.campaign_id, Campaign.name, t.status)
    )
    return [tuple(row) for row in session.execute(statement)]

