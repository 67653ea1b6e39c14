"""Marketing workflows that span databases: handing a lead to sales, and the ROI report.

The hand-off writes to the CRM, marketing and notifications databases, which cannot share a transaction,
so every CRM step is a find-or-create keyed by what the lead already is (contact email, company domain or
name, deals.source_lead_id): running it again after a failure half-way finds what the first attempt wrote
and creates nothing twice. The lead row stays locked (FOR UPDATE) while the CRM is written, so two
hand-offs of one lead run one after the other; the second sees the lead converted and changes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.auth.users import service as people
from nexus360.common.errors import NotFoundError, ValidationError
from nexus360.common.text import clean_text
from nexus360.db import Database, session_scope
from nexus360.marketing import handoff_queries as crm_queries
from nexus360.marketing import repository
from nexus360.marketing.roi import RoiFilters, RoiReport, campaign_roi
from nexus360.notifications import service as notifications

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1e13")  # deals.amount is NUMERIC(15, 2)
DEAL_OWNER_ROLES = ("sales_rep", "sales_manager", "admin")
# Addresses at these domains say nothing about the employer: never match or name a company by them.
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "msn.com", "aol.com",
    "icloud.com", "me.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.com",
    "yandex.ru", "zoho.com",
})


class ConversionRequest(BaseModel):
    """What the marketer asks for; checked by `convert_lead` (plain-word errors), not by the model."""

    model_config = ConfigDict(str_strip_whitespace=True)

    lead_id: int
    create_deal: bool = False
    deal_owner_id: int | None = None
    deal_name: str | None = None
    deal_amount: Decimal | None = None
    deal_stage_id: int | None = None  # None: the first open stage
    expected_close_date: date | None = None


class ConversionResult(BaseModel):
    lead_id: int
    company_id: int
    contact_id: int
    deal_id: int | None = None
    company_created: bool = False
    contact_created: bool = False
    deal_created: bool = False
    already_converted: bool = False


def convert_lead(principal: Principal, request: ConversionRequest) -> ConversionResult:
    """Hand a qualified lead to sales: company, contact and optionally a deal in the CRM (marketing.write).

    Safe to retry: a lead already converted returns what it became; a half-finished attempt is completed.
    The deal owner is notified once, in the attempt that marks the lead converted.
    """
    require(principal, "marketing.write")
    with (
        session_scope(Database.NOTIFICATIONS, actor=principal) as notification_session,
        session_scope(Database.MARKETING, actor=principal) as marketing,
    ):
        lead = repository.lock_lead(marketing, request.lead_id)
        if lead is None:
            raise NotFoundError(f"Lead {request.lead_id} does not exist (it may have been deleted).")
        if lead["status"] == "converted":
            return _recorded(lead)
        if lead["status"] != "qualified":
            raise ValidationError(f"Only a qualified lead can be handed to sales; this lead is {lead['status']}.")
        if request.create_deal:
            request = _checked_deal(request)
            _check_owner(principal, request.deal_owner_id)
        with session_scope(Database.CRM, actor=principal) as crm:
            result, deal = _write_crm(crm, principal, lead, request)
        record_conversion(marketing, result)
        if deal is not None:
            _notify_owner(notification_session, lead, deal, result)
        return result


def record_conversion(session: Session, result: ConversionResult) -> None:
    """Write back on the lead what it became (the last step: a failure before it leaves the lead qualified)."""
    repository.update_lead(session, result.lead_id, {
        "status": "converted",
        "converted_company_id": result.company_id,
        "converted_contact_id": result.contact_id,
        "converted_deal_id": result.deal_id,
    })


def roi_report(principal: Principal, *, filters: RoiFilters) -> RoiReport:
    """The campaign ROI report, reading the marketing and CRM databases (marketing.read)."""
    require(principal, "marketing.read")
    with (
        session_scope(Database.MARKETING, actor=principal) as marketing,
        session_scope(Database.CRM, actor=principal) as crm,
    ):
        return campaign_roi(marketing, crm, principal, filters=filters)


def _recorded(lead: Any) -> ConversionResult:
    if lead["converted_company_id"] is None or lead["converted_contact_id"] is None:
        raise ValidationError("This lead is marked converted but records no CRM company or contact to show.")
    return ConversionResult(
        lead_id=lead["id"], company_id=lead["converted_company_id"], contact_id=lead["converted_contact_id"],
        deal_id=lead["converted_deal_id"], already_converted=True,
    )


def _checked_deal(request: ConversionRequest) -> ConversionRequest:
    """The deal's amount in cents and a name that fits, or ValidationError in plain words."""
    amount = request.deal_amount
    if amount is not None:
        if amount < 0:
            raise ValidationError("The deal amount cannot be negative.")
        amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
        if amount >= MAX_AMOUNT:
            raise ValidationError("The deal amount is too large.")
    name = clean_text(request.deal_name)
    if name is not None and len(name) > 255:
        raise ValidationError("The deal name is longer than 255 characters.")
    return request.model_copy(update={"deal_amount": amount, "deal_name": name})


def _check_owner(principal: Principal, owner_id: int | None) -> None:
    if owner_id is None:
        raise ValidationError("Choose the sales rep who will own the deal.")
    with session_scope(Database.AUTH, actor=principal) as auth:
        owners = {row[0] for row in people.list_people(auth, principal, roles=DEAL_OWNER_ROLES, active_only=True)}
    if owner_id not in owners:
        raise ValidationError("The deal owner must be an active sales rep, sales manager or admin.")


def _domain(email: str) -> str | None:
    domain = email.rsplit("@", 1)[-1].lower() if "@" in email else ""
    return domain if domain and domain not in FREE_MAIL_DOMAINS else None


def _lead_name(lead: Any) -> str:
    return " ".join(part for part in (lead["first_name"], lead["last_name"]) if part) or lead["email"]


def _write_crm(crm: Session, principal: Principal, lead: Any, request: ConversionRequest):
    """Find or create company, contact and (if asked) deal; (result, deal row or None). Validates first."""
    stage_id = _stage(crm, request) if request.create_deal else None
    company_created = contact_created = deal_created = False
    deal = crm_queries.find_deal_for_lead(crm, lead["id"])
    if deal is not None:  # an earlier attempt got this far: take exactly what it created
        company_id, contact_id = deal.company_id, deal.contact_id
    else:
        contact = crm_queries.find_contact(crm, email=lead["email"])
        company_id = contact[1] if contact and contact[1] is not None else None
        if company_id is None:
            company_id, company_created = _company(crm, lead)
        if contact is None:
            contact_id, contact_created = _create_contact(crm, lead, company_id), True
        else:
            contact_id = contact[0]
        if request.create_deal:
            title = clean_text(request.deal_name) or f"{lead['company_name'] or _lead_name(lead)}: {_lead_name(lead)}"
            crm_queries.create_deal(
                crm, lead_id=lead["id"], title=title, company_id=company_id, contact_id=contact_id,
                stage_id=stage_id, amount=request.deal_amount, close_date=request.expected_close_date,
                owner_id=request.deal_owner_id, user_id=principal.id,
            )
            deal, deal_created = crm_queries.find_deal_for_lead(crm, lead["id"]), True
    result = ConversionResult(
        lead_id=lead["id"], company_id=company_id, contact_id=contact_id, deal_id=deal.id if deal else None,
        company_created=company_created, contact_created=contact_created, deal_created=deal_created,
    )
    return result, deal


def _stage(crm: Session, request: ConversionRequest) -> int:
    if request.deal_stage_id is None:
        stage_id = crm_queries.first_open_stage(crm)
        if stage_id is None:
            raise ValidationError("The CRM has no open pipeline stage to put the deal in.")
        return stage_id
    if not crm_queries.open_stage_exists(crm, request.deal_stage_id):
        raise ValidationError("Choose an open pipeline stage for the deal (not won or lost).")
    return request.deal_stage_id


def _company(crm: Session, lead: Any) -> tuple[int, bool]:
    domain = _domain(lead["email"])
    name = clean_text(lead["company_name"])
    found = crm_queries.find_company(crm, domain=domain, name=name)
    if found is not None:
        return found, False
    if not name and not domain:
        raise ValidationError(
            "Add the lead's company name before handing it to sales: its email address does not tell the company."
        )
    return crm_queries.create_company(crm, name=name or domain, domain=domain), True


def _create_contact(crm: Session, lead: Any, company_id: int) -> int:
    return crm_queries.create_contact(crm, values={
        "company_id": company_id, "first_name": lead["first_name"], "last_name": lead["last_name"],
        "email": lead["email"].lower(), "phone": lead["phone"], "job_title": lead["job_title"],
    })


def _notify_owner(session: Session, lead: Any, deal: Any, result: ConversionResult) -> None:
    notifications.notify(
        session, user_id=deal.owner_id, type="lead_converted", title=f"New deal from marketing: {deal.title}",
        message=f"{_lead_name(lead)} ({lead['email']}) was handed to you as deal #{result.deal_id}.",
    )
