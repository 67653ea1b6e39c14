"""Marketing workflows that span databases: handing a lead to sales, and the ROI report.

The hand-off writes to the CRM, marketing and notifications databases, which cannot share a transaction,
so every CRM step is a find-or-create keyed by what the lead already is (contact email, company domain or
name, deals.source_lead_id): running it again after a failure half-way finds what the first attempt wrote
and creates nothing twice (the CRM's half is crm.handoff.service.receive_lead, on the CRM session opened
here). The lead row stays locked (FOR UPDATE) while the CRM is written, so two hand-offs of one lead run
one after the other; the second sees the lead converted and changes nothing.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.auth.users import service as people
from nexus360.common.errors import NotFoundError, ValidationError
from nexus360.common.money import money_exact
from nexus360.common.text import clean_text
from nexus360.crm.handoff import service as crm_handoff
from nexus360.crm.handoff.schemas import HandedLead, HandoffDeal
from nexus360.db import Database, session_scope
from nexus360.jobs import service as events
from nexus360.marketing import repository
from nexus360.marketing.roi.service import campaign_roi
from nexus360.marketing.schemas import ConversionRequest, ConversionResult, RoiFilters, RoiReport
from nexus360.notifications import service as notifications

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1e13")  # deals.amount is NUMERIC(15, 2)
DEAL_OWNER_ROLES = ("sales_rep", "sales_manager", "admin")


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
            records = crm_handoff.receive_lead(crm, principal, lead=_handed(lead), deal=_deal(lead, request))
        result = ConversionResult(
            lead_id=lead["id"], company_id=records.company_id, contact_id=records.contact_id,
            deal_id=records.deal_id, company_created=records.company_created,
            contact_created=records.contact_created, deal_created=records.deal_created,
        )
        record_conversion(marketing, result)
        events.record_event(marketing, "lead.handed_off", result.model_dump(  # commits with the conversion
            mode="json", include={"lead_id", "company_id", "contact_id", "deal_id"}))
        if records.deal_id is not None:
            _notify_owner(notification_session, principal, lead, records.deal_owner_id, records.deal_title, request,
                          result)
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


def _lead_name(lead: Any) -> str:
    return " ".join(part for part in (lead["first_name"], lead["last_name"]) if part) or lead["email"]


def _handed(lead: Any) -> HandedLead:
    return HandedLead(**{field: lead[field] for field in HandedLead.model_fields})


def _deal(lead: Any, request: ConversionRequest) -> HandoffDeal | None:
    """The deal to open, if asked: named as the marketer wrote, else "<company or person>: <person>"."""
    if not request.create_deal:
        return None
    title = clean_text(request.deal_name) or f"{lead['company_name'] or _lead_name(lead)}: {_lead_name(lead)}"
    return HandoffDeal(title=title, owner_id=request.deal_owner_id, amount=request.deal_amount,
                       stage_id=request.deal_stage_id, close_date=request.expected_close_date)


def _notify_owner(session: Session, principal: Principal, lead: Any, owner_id: int, title: str,
                  request: ConversionRequest, result: ConversionResult) -> None:
    notifications.notify_event(session, principal, type="lead_handed", recipients=[owner_id], data={
        "lead": {"name": _lead_name(lead), "email": lead["email"], "company": lead["company_name"],
                 "score": lead["score"]},
        "deal": {"id": result.deal_id, "title": title, "amount": money_exact(request.deal_amount)},
    }, key=f"lead:{result.lead_id}:handed")
