"""CRM rules and permission checks for companies, contacts and the reference lists.

Services take the session and the acting user; they return plain data (pydantic, DataFrames). Deals, the
dashboard (whose figures Home shows too), imports and the lead hand-off have their services in crm/deals/,
crm/dashboard/, crm/importing/ and crm/handoff/.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.common.errors import NotFoundError, ValidationError
from nexus360.common.exporting import MAX_EXPORT_ROWS, ExportTooLarge
from nexus360.common.pagination import PAGE_SIZE, Page
from nexus360.crm import repository
from nexus360.crm.models import Company, Contact
from nexus360.crm.schemas import CompanyCreate, CompanyRead, CompanyUpdate, ContactCreate, ContactRead

# --- reference data ------------------------------------------------------------------------------


def list_reference(session: Session, principal: Principal) -> dict[str, list[tuple[int, str]]]:
    """Choices for forms and filters: stages (pipeline order), industries and countries (by name)."""
    require(principal, "crm.read")
    return {
        "stages": [(stage.id, stage.name) for stage in repository.list_stages(session)],
        "industries": repository.list_industries(session),
        "countries": [(country_id, name) for country_id, name, _iso2, _iso3 in repository.list_countries(session)],
    }



# --- companies -----------------------------------------------------------------------------------


def list_companies(
    session: Session,
    principal: Principal,
    *,
    search: str = "",
    industry_id: int | None = None,
    country_id: int | None = None,
    after: tuple | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """One page of companies by name, filtered in SQL."""
    require(principal, "crm.read")
    return repository.list_companies(
        session, search=search, industry_id=industry_id, country_id=country_id, after=after, limit=limit
    )


def get_company(session: Session, principal: Principal, *, company_id: int) -> CompanyRead:
    """One company with its industry and country."""
    require(principal, "crm.read")
    return CompanyRead.model_validate(_company(session, company_id))


def find_duplicate_companies(
    session: Session, principal: Principal, *, data: CompanyCreate, exclude_id: int | None = None
) -> list[tuple[int, str, str | None]]:
    """Companies with the same name or domain as `data`: shown as a warning before saving."""
    require(principal, "crm.read")
    return repository.find_similar_companies(session, name=data.name, domain=data.domain, exclude_id=exclude_id)


def create_company(session: Session, principal: Principal, *, data: CompanyCreate) -> CompanyRead:
    """Create a company (permission crm.write)."""
    require(principal, "crm.write")
    company = Company(**data.model_dump())
    session.add(company)
    session.flush()
    return CompanyRead.model_validate(company)


def update_company(session: Session, principal: Principal, *, company_id: int, data: CompanyUpdate) -> CompanyRead:
    """Change a company (permission crm.write)."""
    require(principal, "crm.write")
    company = _company(session, company_id)
    for name, value in data.model_dump().items():
        setattr(company, name, value)
    session.flush()
    return CompanyRead.model_validate(company)


def delete_company(session: Session, principal: Principal, *, company_id: int) -> None:
    """Delete a company that has no contacts and no deals left (permission crm.manage)."""
    require(principal, "crm.manage")
    _company(session, company_id)
    contacts, deals = repository.count_company_dependants(session, company_id)
    if contacts or deals:
        raise ValidationError(
            f"This company still has {contacts} contact(s) and {deals} deal(s). "
            "Move or delete them first; nothing was deleted."
        )
    repository.delete_company(session, company_id)


def _company(session: Session, company_id: int) -> Company:
    company = repository.get_company(session, company_id)
    if company is None:
        raise NotFoundError(f"Company {company_id} does not exist (it may have been deleted).")
    return company


# --- contacts ------------------------------------------------------------------------------------


def list_contacts(
    session: Session,
    principal: Principal,
    *,
    search: str = "",
    company_id: int | None = None,
    after: tuple | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """One page of contacts by email, filtered in SQL."""
    require(principal, "crm.read")
    return repository.list_contacts(session, search=search, company_id=company_id, after=after, limit=limit)


def get_contact(session: Session, principal: Principal, *, contact_id: int) -> ContactRead:
    require(principal, "crm.read")
    return ContactRead.model_validate(_contact(session, contact_id))


def find_duplicate_contacts(session: Session, principal: Principal, *, email: str, exclude_id: int | None = None):
    """Contacts that already use this email address."""
    require(principal, "crm.read")
    return repository.find_contacts_by_email(session, email, exclude_id=exclude_id)


def create_contact(session: Session, principal: Principal, *, data: ContactCreate) -> ContactRead:
    """Create a contact (permission crm.write); its company must exist."""
    require(principal, "crm.write")
    _check_company(session, data.company_id)
    contact = Contact(**data.model_dump())
    session.add(contact)
    session.flush()
    return ContactRead.model_validate(contact)


def update_contact(session: Session, principal: Principal, *, contact_id: int, data: ContactCreate) -> ContactRead:
    """Change a contact (permission crm.write)."""
    require(principal, "crm.write")
    contact = _contact(session, contact_id)
    _check_company(session, data.company_id)
    for name, value in data.model_dump().items():
        setattr(contact, name, value)
    session.flush()
    return ContactRead.model_validate(contact)


def delete_contact(session: Session, principal: Principal, *, contact_id: int) -> None:
    """Delete a contact no deal refers to (permission crm.manage)."""
    require(principal, "crm.manage")
    contact = _contact(session, contact_id)
    deals = repository.count_contact_deals(session, contact_id)
    if deals:
        raise ValidationError(f"{deals} deal(s) name this contact; change them first. Nothing was deleted.")
    session.delete(contact)
    session.flush()


def _contact(session: Session, contact_id: int) -> Contact:
    contact = repository.get_contact(session, contact_id)
    if contact is None:
        raise NotFoundError(f"Contact {contact_id} does not exist (it may have been deleted).")
    return contact


def _check_company(session: Session, company_id: int | None) -> None:
    if company_id is not None and repository.get_company(session, company_id) is None:
        raise ValidationError(f"Company {company_id} does not exist.")


# --- exports -------------------------------------------------------------------------------------


def _export(session: Session, statement, order_by, what: str) -> pd.DataFrame:
    columns, rows = repository.export_rows(session, statement, order_by=order_by, limit=MAX_EXPORT_ROWS)
    if len(rows) > MAX_EXPORT_ROWS:
        raise ExportTooLarge(
            f"More than {MAX_EXPORT_ROWS:,} {what} match these filters; narrow them to export (nothing was exported)."
        )
    return pd.DataFrame(rows, columns=columns)


def export_companies(
    session: Session,
    principal: Principal,
    *,
    search: str = "",
    industry_id: int | None = None,
    country_id: int | None = None,
) -> pd.DataFrame:
    """Every company the filters select (up to the export limit), for CSV or Excel."""
    require(principal, "crm.read")
    statement = repository.company_list_statement(search=search, industry_id=industry_id, country_id=country_id)
    return _export(session, statement, (Company.name, Company.id), "companies")


def export_contacts(
    session: Session, principal: Principal, *, search: str = "", company_id: int | None = None
) -> pd.DataFrame:
    """Every contact the filters select (up to the export limit)."""
    require(principal, "crm.read")
    statement = repository.contact_list_statement(search=search, company_id=company_id)
    return _export(session, statement, (Contact.email, Contact.id), "contacts")
