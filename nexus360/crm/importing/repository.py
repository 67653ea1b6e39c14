"""Queries of the CRM imports: one lookup per batch by natural key, the stage history of imported deals,
industries an import creates, and companies with a similar name (suggestions for unknown ones).

The names of related records (stages, industries, countries) come from crm/repository.py."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import BigInteger, String, Table, bindparam, func, literal_column, select, true, union
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from nexus360.crm.models import Company, Contact, Deal, DealStageChange, Industry
from nexus360.importing.records import insert_rows

COMPANY_COLUMNS = ("name", "domain", "website", "industry_id", "country_id", "annual_revenue")
CONTACT_COLUMNS = ("email", "company_id", "first_name", "last_name", "phone", "job_title")
DEAL_COLUMNS = ("title", "company_id", "contact_id", "stage_id", "amount", "close_date", "owner_id")

COMPANIES: Table = Company.__table__  # type: ignore[assignment]
CONTACTS: Table = Contact.__table__  # type: ignore[assignment]
DEALS: Table = Deal.__table__  # type: ignore[assignment]


def _keys(name: str, items: list, item_type: Any = String) -> Any:
    """The batch's keys as a table: one array parameter, not one parameter per key."""
    return func.unnest(bindparam(name, items, type_=ARRAY(item_type))).table_valued("key").render_derived()


def _probe(keys: Any, id_column: Any, condition: Any) -> Any:
    """The ids matching each key, found key by key: one probe of the lower(...) index per key.

    OFFSET 0 keeps PostgreSQL from flattening this into a plain join, which it would plan as a scan
    and sort of the whole table while its statistics lag behind a table an import is filling.
    """
    inner = select(id_column.label("id")).where(condition).offset(literal_column("0")).lateral()
    return select(inner.c.id).select_from(keys).join(inner, true())


def _lookup(session: Session, table: Any, columns: Sequence[str], ids: Any) -> list[dict[str, Any]]:
    """The rows whose id is among `ids` (a subquery), oldest first."""
    statement = select(table.c.id, *(table.c[name] for name in columns)).where(table.c.id.in_(ids))
    statement = statement.order_by(table.c.id)
    rows = session.execute(statement)
    return [dict(row._mapping) for row in rows]


def find_companies(
    session: Session, *, names: Iterable[str], domains: Iterable[str]
) -> list[dict[str, Any]]:
    """Companies whose lower-cased name or domain is among the given ones (ids ascending)."""
    names, domains = sorted(set(names)), sorted(set(domains))
    if not names and not domains:
        return []
    by_name, by_domain = _keys("names", names), _keys("domains", domains)
    ids = union(
        _probe(by_name, Company.id, func.lower(Company.name) == by_name.c.key),
        _probe(by_domain, Company.id, func.lower(Company.domain) == by_domain.c.key),
    )
    return _lookup(session, COMPANIES, COMPANY_COLUMNS, ids)


def find_contacts(session: Session, *, emails: Iterable[str]) -> list[dict[str, Any]]:
    """Contacts whose lower-cased email is among `emails` (ids ascending)."""
    emails = sorted(set(emails))
    if not emails:
        return []
    keys = _keys("emails", emails)
    ids = _probe(keys, Contact.id, func.lower(Contact.email) == keys.c.key)
    return _lookup(session, CONTACTS, CONTACT_COLUMNS, ids)


def find_deals(session: Session, *, keys: Iterable[tuple[int, str]]) -> list[dict[str, Any]]:
    """Deals by (company id, lower-cased title) pairs (ids ascending)."""
    pairs = sorted(set(keys))
    if not pairs:
        return []
    wanted = func.unnest(
        bindparam("company_ids", [company_id for company_id, _ in pairs], type_=ARRAY(BigInteger)),
        bindparam("titles", [title for _, title in pairs], type_=ARRAY(String)),
    ).table_valued("company_id", "title").render_derived()
    ids = _probe(wanted, Deal.id, (Deal.company_id == wanted.c.company_id) & (func.lower(Deal.title) == wanted.c.title))
    return _lookup(session, DEALS, DEAL_COLUMNS, ids)


def add_stage_changes(session: Session, changes: Sequence[tuple[int, int | None, int]], *, changed_by: int) -> None:
    """deal_stage_history rows (deal, from stage, to stage) in one INSERT."""
    if not changes:
        return
    rows = [
        {"deal_id": deal_id, "from_stage_id": from_stage, "to_stage_id": to_stage, "changed_by": changed_by}
        for deal_id, from_stage, to_stage in changes
    ]
    insert_rows(session, DealStageChange.__table__, rows, ("deal_id", "from_stage_id", "to_stage_id", "changed_by"))


def insert_industries(session: Session, names: Sequence[str]) -> dict[str, int]:
    """New active industries named `names` (one INSERT); lower-cased name -> id."""
    if not names:
        return {}
    rows = insert_rows(session, Industry.__table__, [{"name": name, "is_active": True} for name in names],
                       ("name", "is_active"), returning=("id", "name"))
    return {row["name"].lower(): row["id"] for row in rows}


def similar_companies(session: Session, names: Sequence[str]) -> dict[str, tuple[int, str]]:
    """For each name, the existing company whose name is most alike by trigrams (pg_trgm's `%`, backed by the
    companies' name trigram index), if any: name -> (id, its name)."""
    if not names:
        return {}
    wanted = _keys("names", sorted(set(names)))
    nearest = (
        select(Company.id, Company.name)
        .where(Company.name.op("%")(wanted.c.key))
        .order_by(func.similarity(Company.name, wanted.c.key).desc(), Company.id)
        .limit(1)
        .lateral()
    )
    statement = select(wanted.c.key, nearest.c.id, nearest.c.name).select_from(wanted).join(nearest, true())
    return {key: (company_id, name) for key, company_id, name in session.execute(statement)}


def existing_company_ids(session: Session, ids: Iterable[int]) -> set[int]:
    """Which of `ids` belong to a company."""
    wanted = sorted({int(company_id) for company_id in ids})
    if not wanted:
        return set()
    return set(session.scalars(select(Company.id).where(Company.id.in_(wanted))))
