"""Queries of the marketing database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nexus360.marketing.models import Lead


def count_leads_created_since(session: Session, since: datetime) -> int:
    return int(session.execute(select(func.count(Lead.id)).where(Lead.created_at >= since)).scalar_one())


# --- issue 5: campaigns, campaign history, leads and scoring rules -------------------------------

from sqlalchemy import bindparam, insert, update  # noqa: E402

from nexus360.common.pagination import Page, after_clause, fetch_page  # noqa: E402
from nexus360.common.sql import contains  # noqa: E402
from nexus360.marketing.extra_models import CampaignChange, LeadScoringRule, leads_table  # noqa: E402
from nexus360.marketing.models import Campaign  # noqa: E402


def get_campaign(session: Session, campaign_id: int) -> Campaign | None:
    return session.get(Campaign, campaign_id)


def list_campaigns(
    session: Session, *, status: str | None, type_: str | None, search: str, after: tuple | None, limit: int
) -> Page:
    """Newest campaigns first (by id), filtered in SQL."""
    statement = select(
        Campaign.id, Campaign.name, Campaign.type, Campaign.status, Campaign.start_date, Campaign.end_date,
        Campaign.budget,
    ).order_by(Campaign.id.desc())
    if status:
        statement = statement.where(Campaign.status == status)
    if type_:
        statement = statement.where(Campaign.type == type_)
    if search:
        statement = statement.where(contains(Campaign.name, search))
    if after:
        statement = statement.where(after_clause([Campaign.id], after, descending=True))
    return fetch_page(session, statement, key=["id"], limit=limit)


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


def get_lead(session: Session, lead_id: int):
    return session.execute(select(leads_table).where(leads_table.c.id == lead_id)).mappings().one_or_none()


def insert_lead(session: Session, values: dict):
    return session.execute(insert(leads_table).values(**values).returning(*leads_table.c)).mappings().one()


def update_lead(session: Session, lead_id: int, values: dict):
    statement = update(leads_table).where(leads_table.c.id == lead_id).values(**values).returning(*leads_table.c)
    return session.execute(statement).mappings().one()


def find_leads_by_email(session: Session, email: str, *, exclude_id: int | None = None) -> list:
    """Leads with this email, case-insensitively (backed by the lower(email) index)."""
    statement = select(leads_table).where(func.lower(leads_table.c.email) == email.lower()).order_by(leads_table.c.id)
    if exclude_id is not None:
        statement = statement.where(leads_table.c.id != exclude_id)
    return list(session.execute(statement).mappings())


def _filter_leads(statement, *, status: str | None, campaign_id: int | None, search: str, min_score: int | None = None):
    t = leads_table.c
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
    t = leads_table.c
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
    """Newest leads first (by id), filtered in SQL."""
    t = leads_table.c
    statement = select(
        t.id, t.email, t.first_name, t.last_name, t.company_name, t.job_title, t.status, t.score, t.campaign_id,
        t.created_at,
    ).order_by(t.id.desc())
    statement = _filter_leads(statement, status=status, campaign_id=campaign_id, search=search, min_score=min_score)
    if after:
        statement = statement.where(after_clause([t.id], after, descending=True))
    return fetch_page(session, statement, key=["id"], limit=limit)


def list_scoring_rules(session: Session, *, active_only: bool = False) -> list[LeadScoringRule]:
    statement = select(LeadScoringRule).order_by(LeadScoringRule.kind, LeadScoringRule.value, LeadScoringRule.id)
    if active_only:
        statement = statement.where(LeadScoringRule.is_active.is_(True))
    return list(session.scalars(statement))


def get_scoring_rule(session: Session, rule_id: int) -> LeadScoringRule | None:
    return session.get(LeadScoringRule, rule_id)


def count_leads(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(leads_table)).scalar_one())


def lead_scoring_batch(session: Session, *, after_id: int, limit: int) -> list:
    """The next `limit` leads past `after_id` with what scoring reads, including the campaign's type."""
    t = leads_table.c
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
        update(leads_table)
        .where(leads_table.c.id == bindparam("lead_id"))
        .values(score=bindparam("new_score"), score_reasons=bindparam("new_reasons"))
    )
    session.connection().execute(statement, rows)


def export_leads(
    session: Session, *, status: str | None, campaign_id: int | None, search: str, limit: int,
    min_score: int | None = None,
) -> list:
    """Up to `limit` filtered leads, newest first, with their campaign's name (one query)."""
    t = leads_table.c
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
    statement = select(leads_table).where(leads_table.c.id == lead_id).with_for_update()
    return session.execute(statement).mappings().one_or_none()


def find_leads_by_emails(session: Session, emails: list[str]) -> list[dict]:
    """Leads whose lower-cased email is among `emails` (ids ascending; the lower(email) index serves it)."""
    wanted = sorted({email.lower() for email in emails})
    if not wanted:
        return []
    statement = select(leads_table).where(func.lower(leads_table.c.email).in_(wanted)).order_by(leads_table.c.id)
    return [dict(row) for row in session.execute(statement).mappings()]


def campaign_types(session: Session, campaign_ids: set[int]) -> dict[int, str]:
    if not campaign_ids:
        return {}
    statement = select(Campaign.id, Campaign.type).where(Campaign.id.in_(sorted(campaign_ids)))
    return dict(session.execute(statement).all())
