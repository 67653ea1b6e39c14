"""Queries of the CRM imports: reference names, one lookup per batch, one INSERT and one UPDATE per batch."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, cast, column, func, insert, or_, select, update, values
from sqlalchemy.orm import Session

from nexus360.crm.models import Company, Contact, Deal, DealStage, DealStageChange
from nexus360.reference.models import Country, Industry

COMPANY_COLUMNS = ("name", "domain", "website", "industry_id", "country_id", "annual_revenue")
CONTACT_COLUMNS = ("email", "company_id", "first_name", "last_name", "phone", "job_title")
DEAL_COLUMNS = ("title", "company_id", "contact_id", "stage_id", "amount", "close_date", "owner_id")


def lock_imports(session: Session, entity: str) -> None:
    """Serialise batches of one entity for this transaction, so two imports cannot both insert the same record."""
    session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"nexus360.import.{entity}"))))


def list_industries(session: Session) -> list[tuple[int, str]]:
    """(id, name) of the industries an import may name (active ones)."""
    statement = select(Industry.id, Industry.name).where(func.coalesce(Industry.is_active, True)).order_by(Industry.id)
    return [tuple(row) for row in session.execute(statement)]


def list_countries(session: Session) -> list[tuple[int, str, str, str]]:
    """(id, name, ISO 3166 alpha-2, alpha-3) of the active countries."""
    statement = (
        select(Country.id, Country.name, Country.iso_code_2, Country.iso_code_3)
        .where(func.coalesce(Country.is_active, True))
        .order_by(Country.id)
    )
    return [tuple(row) for row in session.execute(statement)]


def list_stages(session: Session) -> list[tuple[int, str, bool]]:
    """(id, name, open) of the pipeline's stages in pipeline order."""
    statement = select(DealStage.id, DealStage.name, ~(DealStage.is_won | DealStage.is_lost)).order_by(
        DealStage.position, DealStage.id
    )
    return [tuple(row) for row in session.execute(statement)]


def _rows(session: Session, statement: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in session.execute(statement)]


def find_companies(
    session: Session, *, names: Iterable[str], domains: Iterable[str], lock: bool = False
) -> list[dict[str, Any]]:
    """Companies whose lower-cased name or domain is among the given ones (ids ascending)."""
    names, domains = sorted(set(names)), sorted(set(domains))
    if not names and not domains:
        return []
    columns = [getattr(Company, name) for name in COMPANY_COLUMNS]
    statement = (
        select(Company.id, *columns)
        .where(or_(func.lower(Company.name).in_(names), func.lower(Company.domain).in_(domains)))
        .order_by(Company.id)
    )
    return _rows(session, statement.with_for_update() if lock else statement)


def find_contacts(session: Session, *, emails: Iterable[str], lock: bool = False) -> list[dict[str, Any]]:
    """Contacts whose lower-cased email is among `emails` (ids ascending)."""
    emails = sorted(set(emails))
    if not emails:
        return []
    columns = [getattr(Contact, name) for name in CONTACT_COLUMNS]
    statement = select(Contact.id, *columns).where(func.lower(Contact.email).in_(emails)).order_by(Contact.id)
    return _rows(session, statement.with_for_update() if lock else statement)


def find_deals(
    session: Session, *, company_ids: Iterable[int], titles: Iterable[str], lock: bool = False
) -> list[dict[str, Any]]:
    """Deals of these companies whose lower-cased title is among `titles` (ids ascending)."""
    company_ids, titles = sorted(set(company_ids)), sorted(set(titles))
    if not company_ids or not titles:
        return []
    columns = [getattr(Deal, name) for name in DEAL_COLUMNS]
    statement = (
        select(Deal.id, *columns)
        .where(Deal.company_id.in_(company_ids), func.lower(Deal.title).in_(titles))
        .order_by(Deal.id)
    )
    return _rows(session, statement.with_for_update() if lock else statement)


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> list[int]:
    """One multi-row INSERT; the new ids, in the order of `rows`."""
    if not rows:
        return []
    statement = insert(table).values([{name: row.get(name) for name in columns} for row in rows])
    # RETURNING of a multi-row VALUES insert comes back in VALUES order, but say so explicitly.
    result = session.execute(statement.returning(table.c.id, sort_by_parameter_order=True))
    return list(result.scalars())


def update_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    """One UPDATE ... FROM (VALUES ...) setting `columns` of each row found by its "id"."""
    if not rows:
        return
    names = ["id", *columns]
    data = values(*(column(name, table.c[name].type) for name in names), name="v").data(
        [tuple(row.get(name) for name in names) for row in rows]
    )
    # A column that is NULL in every row would come out of VALUES as text: cast it back.
    assignments = {name: cast(data.c[name], table.c[name].type) for name in columns}
    session.execute(update(table).where(table.c.id == data.c.id).values(assignments))


def add_stage_changes(session: Session, changes: Sequence[tuple[int, int | None, int]], *, changed_by: int) -> None:
    """deal_stage_history rows (deal, from stage, to stage) in one INSERT."""
    if not changes:
        return
    rows = [
        {"deal_id": deal_id, "from_stage_id": from_stage, "to_stage_id": to_stage, "changed_by": changed_by}
        for deal_id, from_stage, to_stage in changes
    ]
    session.execute(insert(DealStageChange.__table__).values(rows))


COMPANIES: Table = Company.__table__  # type: ignore[assignment]
CONTACTS: Table = Contact.__table__  # type: ignore[assignment]
DEALS: Table = Deal.__table__  # type: ignore[assignment]
