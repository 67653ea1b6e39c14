"""Leads: capture (with duplicate flagging and scoring), edit, and qualify or disqualify them."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.common.errors import NotFoundError, ValidationError
from nexus360.common.exporting import MAX_EXPORT_ROWS, ExportTooLarge
from nexus360.common.pagination import PAGE_SIZE, Page
from nexus360.common.periods import month_of, today_utc
from nexus360.common.text import clean_text
from nexus360.crm import service as crm_service
from nexus360.crm.deals import service as deal_service
from nexus360.marketing import repository
from nexus360.marketing.schemas import (
    LEAD_STATUSES,
    ConvertedRecords,
    CrmRecord,
    LeadCreate,
    LeadCreated,
    LeadRead,
    LeadUpdate,
)
from nexus360.marketing.scoring import service as scoring
from nexus360.marketing.scoring.engine import score_lead

DISQUALIFY_REASON_MAX = 500  # a short sentence: "student", "competitor", "no budget this year"
# converted is set only by the conversion flow (hand-off to sales), never by a plain status change
NEXT_STATUS = {"new": "contacted", "contacted": "qualified"}
OPEN_STATUSES = ("new", "contacted", "qualified")
EXPORT_COLUMNS = [
    "id", "email", "first_name", "last_name", "phone", "company_name", "job_title", "company_size", "status",
    "campaign", "score",
    "score_reasons", "disqualified_reason", "converted_company_id", "converted_contact_id", "converted_deal_id",
    "created_at",
]


def _read(row: Any) -> LeadRead:
    return LeadRead.model_validate(dict(row))


def count_new_leads_this_month(session: Session, principal: Principal, *, today: date) -> int:
    """Leads created since the first day of the current month (UTC)."""
    require(principal, "marketing.read")
    return repository.count_leads_created_since(session, datetime.combine(month_of(today).start, time.min))


def list_leads(
    session: Session,
    principal: Principal,
    *,
    status: str | None = None,
    campaign_id: int | None = None,
    search: str = "",
    min_score: int | None = None,
    after: tuple | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """One page of leads, newest first, filtered and searched (email, name, company) in SQL."""
    require(principal, "marketing.read")
    return repository.list_leads(
        session, status=status, campaign_id=campaign_id, search=search.strip(), after=after, limit=limit,
        min_score=min_score,
    )


def get_lead(session: Session, principal: Principal, *, lead_id: int) -> LeadRead:
    """One lead with its score reasons."""
    require(principal, "marketing.read")
    return _read(_lead(session, lead_id))


def find_duplicate_leads(
    session: Session, principal: Principal, *, email: str, exclude_id: int | None = None
) -> list[LeadRead]:
    """Leads with this email, ignoring case."""
    require(principal, "marketing.read")
    return [_read(row) for row in repository.find_leads_by_email(session, email, exclude_id=exclude_id)]


def create_lead(session: Session, principal: Principal, *, data: LeadCreate, today: date | None = None) -> LeadCreated:
    """Capture a lead, scored by the active rules; earlier leads with its email come back as duplicates."""
    require(principal, "marketing.write")
    duplicates = [_read(row) for row in repository.find_leads_by_email(session, data.email)]
    values = data.model_dump()
    values.update(_score(session, values, today), status="new")
    lead = _read(repository.insert_lead(session, values))
    return LeadCreated(lead=lead, duplicates=duplicates)


def update_lead(
    session: Session, principal: Principal, *, lead_id: int, data: LeadUpdate, today: date | None = None
) -> LeadRead:
    """Change a lead's details and score it again (permission marketing.write)."""
    require(principal, "marketing.write")
    current = _lead(session, lead_id)
    values = data.model_dump()
    values.update(_score(session, {**values, "created_at": current["created_at"]}, today))
    return _read(repository.update_lead(session, lead_id, values))


def change_lead_status(
    session: Session, principal: Principal, *, lead_id: int, status: str, reason: str | None = None
) -> LeadRead:
    """new → contacted → qualified, or disqualified (with a reason) from any open status."""
    require(principal, "marketing.write")
    current = _lead(session, lead_id)["status"]
    if status == "converted":
        raise ValidationError("A lead becomes converted only by handing it to sales (Convert), not by a status change.")
    if status not in LEAD_STATUSES:
        raise ValidationError(f"Status must be one of: {', '.join(LEAD_STATUSES)}.")
    if current not in OPEN_STATUSES:
        raise ValidationError(f"This lead is {current}; its status can no longer change.")
    if status == "disqualified":
        reason = clean_text(reason)
        if not reason:
            raise ValidationError("Give a reason to disqualify this lead.")
        if len(reason) > DISQUALIFY_REASON_MAX:
            raise ValidationError(f"Reason must be at most {DISQUALIFY_REASON_MAX} characters; it has {len(reason):,}.")
        return _read(repository.update_lead(session, lead_id, {"status": status, "disqualified_reason": reason}))
    if NEXT_STATUS.get(current) != status:
        following = NEXT_STATUS.get(current)
        hint = f"it can become {following} or disqualified" if following else "it can be converted or disqualified"
        raise ValidationError(f"A {current} lead cannot become {status}; {hint}.")
    return _read(repository.update_lead(session, lead_id, {"status": status}))


def export_leads(
    session: Session,
    principal: Principal,
    *,
    status: str | None = None,
    campaign_id: int | None = None,
    search: str = "",
    min_score: int | None = None,
) -> pd.DataFrame:
    """Every lead the filters select (up to the export limit), with campaign name and score reasons as text."""
    require(principal, "marketing.read")
    rows = repository.export_leads(
        session, status=status, campaign_id=campaign_id, search=search.strip(), limit=MAX_EXPORT_ROWS + 1,
        min_score=min_score,
    )
    if len(rows) > MAX_EXPORT_ROWS:
        raise ExportTooLarge(
            f"More than {MAX_EXPORT_ROWS:,} leads match these filters; narrow them to export (nothing was exported)."
        )
    frame = pd.DataFrame([dict(row) for row in rows], columns=EXPORT_COLUMNS)
    frame["score_reasons"] = [reasons_text(reasons) for reasons in frame["score_reasons"]]
    return frame


def converted_records(
    crm_session: Session, principal: Principal, *, company_id: int, contact_id: int, deal_id: int | None = None
) -> ConvertedRecords:
    """The names of the CRM company, contact and deal a lead became (crm.read), on a CRM session.

    A record deleted in the CRM since comes back without a name.
    """
    def name_of(read: Any, record_id: int) -> str | None:
        try:
            return read(record_id)
        except NotFoundError:
            return None

    company = name_of(lambda i: crm_service.get_company(crm_session, principal, company_id=i).name, company_id)
    contact = name_of(lambda i: crm_service.get_contact(crm_session, principal, contact_id=i).name, contact_id)
    deal = None
    if deal_id is not None:
        titles = deal_service.get_deal_titles(crm_session, principal, deal_ids=(deal_id,))
        deal = CrmRecord(id=deal_id, name=titles.get(deal_id))
    return ConvertedRecords(
        company=CrmRecord(id=company_id, name=company), contact=CrmRecord(id=contact_id, name=contact), deal=deal
    )


def reasons_text(reasons: list | None) -> str:
    """'Base score +50; Job title mentions 'vp' +20' — why a lead has its score, in one cell."""
    return "; ".join(f"{label} {points:+d}" for label, points in reasons or [])


def _lead(session: Session, lead_id: int):
    row = repository.get_lead(session, lead_id)
    if row is None:
        raise NotFoundError(f"Lead {lead_id} does not exist (it may have been deleted).")
    return row


def _score(session: Session, values: dict[str, Any], today: date | None) -> dict[str, Any]:
    """Check the campaign exists, then score; gives the score columns to store."""
    campaign_type = repository.campaign_type(session, values.get("campaign_id"))
    if values.get("campaign_id") is not None and campaign_type is None:
        raise ValidationError(f"Campaign {values['campaign_id']} does not exist.")
    score, reasons = score_lead(values, campaign_type, scoring.active_rules(session), today or today_utc())
    return {"score": score, "score_reasons": [[label, points] for label, points in reasons]}


NO_CAMPAIGN = "No campaign"


def count_leads_by_campaign_and_status(
    session: Session, principal: Principal, *, date_from: date, date_to: date
) -> pd.DataFrame:
    """Leads created date_from..date_to (inclusive, UTC days) per campaign and status: campaign_id, campaign,
    status, leads; leads without a campaign under "No campaign" (campaign_id None). Largest campaigns first."""
    require(principal, "marketing.read")
    if date_to < date_from:
        raise ValidationError("The end of the period must be on or after its start.")
    rows = repository.lead_counts_by_campaign_and_status(session, date_from=date_from, date_to=date_to)
    frame = pd.DataFrame(rows, columns=["campaign_id", "campaign", "status", "leads"])
    frame = frame.astype({"leads": int, "campaign_id": "Int64"}).assign(campaign=frame["campaign"].fillna(NO_CAMPAIGN))
    order = frame.assign(total=frame.groupby("campaign")["leads"].transform("sum"))
    ordered = order.sort_values(["total", "campaign", "status"], ascending=[False, True, True])
    return ordered.drop(columns="total").reset_index(drop=True)

