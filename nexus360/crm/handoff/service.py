"""The CRM side of the lead hand-off: find or create the lead's company, contact and (if asked) deal.

Called by marketing's `flows.convert_lead` on the CRM session it opens, and by nothing else: that flow
locks the lead, writes back what it became and notifies the deal owner, so it is the hand-off's one
entry point. Every step is a find-or-create keyed by what the lead already is (contact email, company
domain or name, deals.source_lead_id): running it again after a failure half-way finds what the first
attempt wrote and creates nothing twice.

Permission: marketing.write. Handing a lead to sales is the marketers' action; it creates CRM records
for them whether or not they may edit the CRM otherwise.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.common.errors import ValidationError
from nexus360.common.text import clean_text
from nexus360.crm import repository as crm_repository
from nexus360.crm.handoff import repository
from nexus360.crm.handoff.schemas import HandedLead, HandoffDeal, HandoffRecords

# Addresses at these domains say nothing about the employer: never match or name a company by them.
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "msn.com", "aol.com",
    "icloud.com", "me.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.com",
    "yandex.ru", "zoho.com",
})


def receive_lead(
    session: Session, principal: Principal, *, lead: HandedLead, deal: HandoffDeal | None = None
) -> HandoffRecords:
    """The lead's company, contact and (given `deal`) deal in the CRM, found or created. Validates first.

    A deal an earlier attempt created for this lead is taken as it is, with its company and contact.
    """
    require(principal, "marketing.write")
    stage_id = _stage(session, deal.stage_id) if deal is not None else None
    company_created = contact_created = deal_created = False
    existing = repository.find_deal_for_lead(session, lead.id)
    if existing is not None:  # an earlier attempt got this far: take exactly what it created
        company_id, contact_id = existing.company_id, existing.contact_id
    else:
        contact = repository.find_contact(session, email=lead.email)
        company_id = contact[1] if contact and contact[1] is not None else None
        if company_id is None:
            company_id, company_created = _company(session, lead)
        if contact is None:
            contact_id, contact_created = _create_contact(session, lead, company_id), True
        else:
            contact_id = contact[0]
        if deal is not None:
            repository.create_deal(
                session, lead_id=lead.id, title=deal.title, company_id=company_id, contact_id=contact_id,
                stage_id=stage_id, amount=deal.amount, close_date=deal.close_date, owner_id=deal.owner_id,
                user_id=principal.id,
            )
            existing, deal_created = repository.find_deal_for_lead(session, lead.id), True
    return HandoffRecords(
        company_id=company_id, contact_id=contact_id,
        deal_id=existing.id if existing else None,
        deal_title=existing.title if existing else None,
        deal_owner_id=existing.owner_id if existing else None,
        company_created=company_created, contact_created=contact_created, deal_created=deal_created,
    )


def _stage(session: Session, stage_id: int | None) -> int:
    if stage_id is None:
        first_open = next((stage.id for stage in crm_repository.list_stages(session)
                           if not stage.is_won and not stage.is_lost), None)
        if first_open is None:
            raise ValidationError("The CRM has no open pipeline stage to put the deal in.")
        return first_open
    stage = crm_repository.get_stage(session, stage_id)
    if stage is None or stage.is_won or stage.is_lost:
        raise ValidationError("Choose an open pipeline stage for the deal (not won or lost).")
    return stage_id


def _domain(email: str) -> str | None:
    domain = email.rsplit("@", 1)[-1].lower() if "@" in email else ""
    return domain if domain and domain not in FREE_MAIL_DOMAINS else None


def _company(session: Session, lead: HandedLead) -> tuple[int, bool]:
    domain = _domain(lead.email)
    name = clean_text(lead.company_name)
    found = repository.find_company(session, domain=domain, name=name)
    if found is not None:
        return found, False
    if not name and not domain:
        raise ValidationError(
            "Add the lead's company name before handing it to sales: its email address does not tell the company."
        )
    return repository.create_company(session, name=name or domain, domain=domain), True


def _create_contact(session: Session, lead: HandedLead, company_id: int) -> int:
    return repository.create_contact(session, values={
        "company_id": company_id, "first_name": lead.first_name, "last_name": lead.last_name,
        "email": lead.email.lower(), "phone": lead.phone, "job_title": lead.job_title,
    })
