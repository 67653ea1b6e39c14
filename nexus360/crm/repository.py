"""Queries of the crm database: the reference lists (stages, industries, countries), companies and contacts.

Deals, the dashboard, imports and the lead hand-off have their own repositories in their sub-packages.
Lists are keyset-paginated.
"""

from __future__ import annotations

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from nexus360.common.pagination import Page, after_clause, fetch_page
from nexus360.common.sql import contains
from nexus360.crm.models import Company, Contact, Country, Deal, DealStage, Industry

# --- reference data ------------------------------------------------------------------------------


def list_stages(session: Session) -> list[DealStage]:
    """Every pipeline stage in pipeline order (the one read of stages: pages, dashboard, imports, hand-off)."""
    return list(session.scalars(select(DealStage).order_by(DealStage.position, DealStage.id)))


def get_stage(session: Session, stage_id: int) -> DealStage | None:
    return session.get(DealStage, stage_id)


def list_industries(session: Session) -> list[tuple[int, str]]:
    """(id, name) of the active industries, by name."""
    statement = (
        select(Industry.id, Industry.name).where(func.coalesce(Industry.is_active, True))
        .order_by(Industry.name, Industry.id)
    )
    return [tuple(row) for row in session.execute(statement)]


def list_countries(session: Session) -> list[tuple[int, str, str, str]]:
    """(id, name, ISO 3166 alpha-2, alpha-3) of the active countries, by name."""
    statement = (
        select(Country.id, Country.name, Country.iso_code_2, Country.iso_code_3)
        .where(func.coalesce(Country.is_active, True))
        .order_by(Country.name, Country.id)
    )
    return [tuple(row) for row in session.execute(statement)]


# --- companies -----------------------------------------------------------------------------------


def company_list_statement(*, search: str = "", industry_id: int | None = None, country_id: int | None = None):
    statement = (
        select(
            Company.id,
            Company.name,
            Company.domain,
            Industry.name.label("industry"),
            Country.name.label("country"),
            Company.annual_revenue,
            Company.created_at,
        )
        .outerjoin(Industry, Industry.id == Company.industry_id)
        .outerjoin(Country, Country.id == Company.country_id)
    )
    if search.strip():
        statement = statement.where(
            or_(contains(Company.name, search.strip()), contains(Company.domain, search.strip()))
        )
    if industry_id:
        statement = statement.where(Company.industry_id == industry_id)
    if country_id:
        statement = statement.where(Company.country_id == country_id)
    return statement


def list_companies(session: Session, *, after: tuple | None = None, limit: int, **filters) -> Page:
    statement = company_list_statement(**filters)
    if after:
        statement = statement.where(after_clause([Company.name, Company.id], after))
    return fetch_page(session, statement.order_by(Company.name, Company.id), key=("name", "id"), limit=limit)


def get_company(session: Session, company_id: int) -> Company | None:
    return session.get(Company, company_id)


def find_similar_companies(session: Session, *, name: str, domain: str | None, exclude_id: int | None = None):
    """Companies with the same name (case-insensitive) or the same domain: likely duplicates."""
    conditions = [func.lower(Company.name) == name.lower()]
    if domain:
        conditions.append(func.lower(Company.domain) == domain.lower())
    statement = select(Company.id, Company.name, Company.domain).where(or_(*conditions)).limit(5)
    if exclude_id:
        statement = statement.where(Company.id != exclude_id)
    return [tuple(row) for row in session.execute(statement)]


def count_company_dependants(session: Session, company_id: int) -> tuple[int, int]:
    """(contacts, deals) that still belong to the company."""
    contacts = session.execute(select(func.count()).where(Contact.company_id == company_id)).scalar_one()
    deals = session.execute(select(func.count()).where(Deal.company_id == company_id)).scalar_one()
    return int(contacts), int(deals)


def delete_company(session: Session, company_id: int) -> None:
    session.execute(delete(Company).where(Company.id == company_id))


# --- contacts ------------------------------------------------------------------------------------


def contact_name():
    """First and last name; the same expression as the trigram index ix_contacts_name_trgm."""
    return func.coalesce(Contact.first_name, "") + " " + func.coalesce(Contact.last_name, "")


def contact_list_statement(*, search: str = "", company_id: int | None = None):
    full_name = contact_name()
    statement = select(
        Contact.id,
        func.trim(full_name).label("name"),
        Contact.email,
        Contact.phone,
        Contact.job_title,
        Company.name.label("company"),
        Contact.company_id,
    ).outerjoin(Company, Company.id == Contact.company_id)
    if search.strip():
        text = search.strip()
        statement = statement.where(or_(contains(Contact.email, text), contains(full_name, text)))
    if company_id:
        statement = statement.where(Contact.company_id == company_id)
    return statement


def list_contacts(session: Session, *, after: tuple | None = None, limit: int, **filters) -> Page:
    statement = contact_list_statement(**filters)
    if after:
        statement = statement.where(after_clause([Contact.email, Contact.id], after))
    return fetch_page(session, statement.order_by(Contact.email, Contact.id), key=("email", "id"), limit=limit)


def get_contact(session: Session, contact_id: int) -> Contact | None:
    return session.get(Contact, contact_id)


def find_contacts_by_email(session: Session, email: str, *, exclude_id: int | None = None):
    statement = select(Contact.id, Contact.email, Contact.company_id).where(func.lower(Contact.email) == email.lower())
    if exclude_id:
        statement = statement.where(Contact.id != exclude_id)
    return [tuple(row) for row in session.execute(statement.limit(5))]


def count_contact_deals(session: Session, contact_id: int) -> int:
    return int(session.execute(select(func.count()).where(Deal.contact_id == contact_id)).scalar_one())


def export_rows(session: Session, statement, *, order_by, limit: int):
    """Up to `limit` + 1 rows of a list statement (the caller refuses a list that is too long)."""
    result = session.execute(statement.order_by(*order_by).limit(limit + 1))
    return list(result.keys()), result.all()
