"""Leads: capture (with duplicate flagging and scoring), edit, and qualify or disqualify them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.common.errors import NotFoundError, ValidationError
from nexus360.common.exporting import MAX_EXPORT_ROWS, ExportTooLarge
from nexus360.common.pagination import PAGE_SIZE, Page
from nexus360.common.text import clean_text, normalise_email
from nexus360.marketing import repository, scoring

LEAD_STATUSES = ("new", "contacted", "qualified", "converted", "disqualified")
# converted is set only by the conversion flow (hand-off to sales), never by a plain status change
NEXT_STATUS = {"new": "contacted", "contacted": "qualified"}
OPEN_STATUSES = ("new", "contacted", "qualified")
EXPORT_COLUMNS = [
    "id", "email", "first_name", "last_name", "phone", "company_name", "job_title", "company_size", "status",
    "campaign", "score",
    "score_reasons", "disqualified_reason", "converted_company_id", "converted_contact_id", "converted_deal_id",
    "created_at",
]
COMPANY_SIZE_MESSAGE = "Company size must be a whole number of employees, 0 or more."
MAX_COMPANY_SIZE = 10_000_000  # more than any employer has; keeps typos like 12000000000 out of an INTEGER column


def clean_company_size(value: Any) -> int | None:
    """Employees as a whole number ≥ 0; blank is None. "1,200" and " 350 " are accepted, "lots" and -3 are not."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(COMPANY_SIZE_MESSAGE)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\d{1,3}(,\d{3})+|\d+", compact := re.sub(r"\s", "", value)):
        number = int(compact.replace(",", ""))
    else:
        raise ValueError(COMPANY_SIZE_MESSAGE)
    if number < 0:
        raise ValueError(COMPANY_SIZE_MESSAGE)
    if number > MAX_COMPANY_SIZE:
        raise ValueError(f"Company size must be at most {MAX_COMPANY_SIZE:,} employees.")
    return number


class LeadCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    email: str = Field(max_length=255)
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=50)
    company_name: str | None = Field(default=None, max_length=255)
    job_title: str | None = Field(default=None, max_length=100)
    company_size: int | None = None  # employees
    campaign_id: int | None = None

    _company_size = field_validator("company_size", mode="before")(clean_company_size)
    _email = field_validator("email", mode="before")(normalise_email)
    _texts = field_validator("first_name", "last_name", "phone", "company_name", "job_title", mode="before")(clean_text)


class LeadUpdate(LeadCreate):
    pass


class LeadRead(BaseModel):
    id: int
    email: str
    first_name: str | None
    last_name: str | None
    phone: str | None
    company_name: str | None
    job_title: str | None
    company_size: int | None = None
    campaign_id: int | None
    status: str
    score: int | None
    score_reasons: list[tuple[str, int]] | None
    disqualified_reason: str | None
    converted_company_id: int | None
    converted_contact_id: int | None
    converted_deal_id: int | None
    created_at: datetime | None

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or self.email


class LeadCreated(BaseModel):
    """The new lead and the leads that already used its email (for a warning on the page)."""

    lead: LeadRead
    duplicates: list[LeadRead]


def _read(row: Any) -> LeadRead:
    return LeadRead.model_validate(dict(row))


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
    today = today or datetime.now(UTC).date()
    score, reasons = scoring.score_lead(values, campaign_type, scoring.active_rules(session), today)
    return {"score": score, "score_reasons": [[label, points] for label, points in reasons]}
