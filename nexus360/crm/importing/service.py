"""CSV import of companies, contacts and deals: the rules that turn a messy row into a record.

- Related records are named, not numbered: industry, country (name or ISO code), stage, company
  (name or domain), contact (email), all case-insensitive; owners by full name or email, active only.
- A row finds its record by natural key: a company by domain (a company without one may be given
  one), else by name; a contact by email; a deal by title within its company. A key matching several
  records is reported, never guessed.
- Blank cells never erase: a matched record keeps what the file leaves blank, and it is written only
  when a value differs (otherwise the row counts as unchanged), so importing a file twice changes nothing.
- A second row for the same record in one file is reported as "duplicate of line N"; nothing merges
  silently. A new deal without a stage starts in the first stage; without an owner it is the importer's.
- Without crm.manage, deals can only be imported for, and updated on behalf of, the importing user.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.users import service as people
from nexus360.common.text import normalise_domain
from nexus360.crm import repository as crm_repository
from nexus360.crm.deals.schemas import DealCreate
from nexus360.crm.importing import repository
from nexus360.crm.schemas import CompanyCreate, ContactCreate
from nexus360.db import Database
from nexus360.importing.core import FieldSpec, ImporterSpec, SessionFactory, parse_date, parse_decimal, parse_email
from nexus360.importing.records import RowImporter, group_by, validate
from nexus360.importing.registry import register

COMPANY_NAMES = ("company", "company name", "account", "account name", "organisation", "organization",
                 "organisation name", "organization name", "customer", "client", "business name")

COMPANY_FIELDS = (
    FieldSpec("name", "company name", aliases=COMPANY_NAMES + ("name",), required=True),
    FieldSpec("domain", "domain", aliases=("company domain", "email domain", "web domain")),
    FieldSpec("website", "website", aliases=("web site", "url", "web", "homepage", "site", "website url")),
    FieldSpec("industry", "industry", aliases=("sector", "vertical", "industry name")),
    FieldSpec("country", "country", aliases=("country name", "country code", "nation", "hq country")),
    FieldSpec("annual_revenue", "annual revenue", parse_decimal,
              aliases=("revenue", "turnover", "annual turnover", "yearly revenue", "sales")),
)
CONTACT_FIELDS = (
    FieldSpec("email", "email", parse_email, required=True,
              aliases=("e-mail", "email address", "e-mail address", "mail", "work email", "business email")),
    FieldSpec("first_name", "first name", aliases=("firstname", "given name", "forename")),
    FieldSpec("last_name", "last name", aliases=("lastname", "surname", "family name")),
    FieldSpec("phone", "phone", aliases=("phone number", "telephone", "tel", "mobile", "mobile phone", "phone no")),
    FieldSpec("job_title", "job title", aliases=("title", "position", "role", "job")),
    FieldSpec("company", "company", aliases=COMPANY_NAMES + ("employer", "company domain"),
              help="Company name or domain; it must exist."),
)
DEAL_FIELDS = (
    FieldSpec("title", "deal title", required=True,
              aliases=("title", "deal", "deal name", "opportunity", "opportunity name", "name")),
    FieldSpec("company", "company", required=True, aliases=COMPANY_NAMES + ("company domain",),
              help="Company name or domain; it must exist."),
    FieldSpec("contact", "contact", parse_email, aliases=("contact email", "contact e-mail", "primary contact")),
    FieldSpec("stage", "stage", aliases=("deal stage", "pipeline stage", "sales stage", "status"),
              help="A pipeline stage's name; new deals without one start in the first stage."),
    FieldSpec("amount", "amount", parse_decimal, aliases=("value", "deal value", "deal amount", "price", "total")),
    FieldSpec("close_date", "close date", parse_date,
              aliases=("expected close", "expected close date", "closing date", "close", "closed on")),
    FieldSpec("owner", "owner", aliases=("deal owner", "owner email", "sales rep", "rep", "salesperson",
                                         "account manager", "assigned to"),
              help="A user's full name or email; blank means you."),
)


@dataclass
class References:
    """Names of related records, read once per import (lower-cased name -> id)."""

    industries: dict[str, int]
    countries: dict[str, int]
    stages: dict[str, int]
    first_stage_id: int | None
    owners_by_email: dict[str, tuple[int, bool]]
    owners_by_name: dict[str, list[tuple[int, bool]]]

    def owner(self, text: str | None) -> int | None:
        """The active user named by full name or email."""
        if text is None:
            return None
        key = " ".join(text.lower().split())
        hits = [self.owners_by_email[key]] if key in self.owners_by_email else self.owners_by_name.get(key, [])
        if not hits:
            raise ValueError(f"unknown owner '{text}' (give a user's full name or email)")
        active = [user_id for user_id, is_active in hits if is_active]
        if not active:
            raise ValueError(f"owner '{text}' is deactivated")
        if len(active) > 1:
            raise ValueError(f"owner '{text}' matches {len(active)} users; give the email instead")
        return active[0]


def load_references(crm: Session, auth: Session | None, principal: Principal) -> References:
    """Industries, countries (by name and ISO codes), stages and, given `auth`, the users who may own deals."""
    countries: dict[str, int] = {}
    for country_id, name, iso2, iso3 in sorted(crm_repository.list_countries(crm)):  # by id
        for key in (iso3, iso2, name):  # names win over codes where they collide
            countries[key.strip().lower()] = country_id
    stages = crm_repository.list_stages(crm)
    by_email: dict[str, tuple[int, bool]] = {}
    by_name: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    if auth is not None:
        for user_id, name, email, is_active in people.list_people(auth, principal, active_only=False):
            by_email[email.lower()] = (user_id, bool(is_active))
            by_name[" ".join(name.lower().split())].append((user_id, bool(is_active)))
    return References(
        industries={name.strip().lower(): industry_id
                    for industry_id, name in sorted(crm_repository.list_industries(crm), reverse=True)},
        countries=countries,
        stages={stage.name.strip().lower(): stage.id for stage in stages},
        first_stage_id=next((stage.id for stage in stages if not stage.is_won and not stage.is_lost), None),
        owners_by_email=by_email,
        owners_by_name=dict(by_name),
    )


def _named(table: Mapping[str, int], text: str | None, what: str) -> int | None:
    if text is None:
        return None
    found = table.get(text.lower())
    if found is None:
        raise ValueError(f"unknown {what} '{text}'")
    return found


def _as_domain(text: str) -> str | None:
    if " " in text or "." not in text:
        return None
    try:
        return normalise_domain(text)
    except ValueError:
        return None


class CompanyRefs:
    """Companies named in one batch (by name or domain), read in one query."""

    def __init__(self, session: Session, texts: Sequence[str | None]) -> None:
        named = [text for text in texts if text]
        rows = repository.find_companies(session, names=[text.lower() for text in named],
                                      domains=[domain for text in named if (domain := _as_domain(text))])
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.by_domain: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            self.by_name[row["name"].lower()].append(row["id"])
            if row["domain"]:
                self.by_domain[row["domain"].lower()].append(row["id"])

    def resolve(self, text: str | None) -> int | None:
        """The id of the one company with this domain or name."""
        if text is None:
            return None
        domain = _as_domain(text)
        if domain and self.by_domain.get(domain):
            return self.by_domain[domain][0]
        ids = self.by_name.get(text.lower(), [])
        if len(ids) > 1:
            raise ValueError(f"company '{text}' matches {len(ids)} companies; name it by its domain instead")
        if not ids:
            raise ValueError(f"unknown company '{text}'")
        return ids[0]


class CompanyImport(RowImporter):
    """Companies, matched by domain, else by name."""

    entity, fields, table, columns = "companies", COMPANY_FIELDS, repository.COMPANIES, repository.COMPANY_COLUMNS

    def build(self, values: dict[str, Any]) -> dict[str, Any]:
        data = {
            "name": values.get("name"), "domain": values.get("domain"), "website": values.get("website"),
            "industry_id": _named(self.refs.industries, values.get("industry"), "industry"),
            "country_id": _named(self.refs.countries, values.get("country"), "country"),
            "annual_revenue": values.get("annual_revenue"),
        }
        return validate(CompanyCreate, data, self.labels)

    def keys(self, record: dict[str, Any]) -> tuple[list[str], list[str]]:
        # A row with a domain repeats an earlier row with that domain, or one of its name without a domain;
        # a row without a domain repeats any earlier row of its name.
        name = record["name"].lower()
        if record.get("domain"):
            return ["domain:" + record["domain"], "nameless:" + name], ["domain:" + record["domain"], "name:" + name]
        return ["name:" + name], ["name:" + name, "nameless:" + name]

    def find(self, session: Session, records: Sequence[dict[str, Any]]) -> Any:
        rows = repository.find_companies(session, names=[r["name"].lower() for r in records],
                                      domains=[r["domain"] for r in records if r.get("domain")])
        by_domain = group_by(rows, lambda row: row["domain"].lower() if row["domain"] else None)
        return by_domain, group_by(rows, lambda row: row["name"].lower())

    def candidates(self, record: dict[str, Any], existing: Any) -> list[dict[str, Any]]:
        by_domain, by_name = existing
        same_name = by_name.get(record["name"].lower(), [])
        if record.get("domain"):
            if by_domain.get(record["domain"]):
                return by_domain[record["domain"]][:1]  # the domain is the stronger key: the oldest company with it
            return [row for row in same_name if not row["domain"]]
        return same_name


class ContactImport(RowImporter):
    """Contacts, matched by email; their company is named by name or domain."""

    entity, fields, table, columns = "contacts", CONTACT_FIELDS, repository.CONTACTS, repository.CONTACT_COLUMNS

    def prefetch(self, session: Session, rows: Sequence[dict[str, Any]]) -> None:
        self.companies = CompanyRefs(session, [values.get("company") for values in rows])

    def build(self, values: dict[str, Any]) -> dict[str, Any]:
        data = {key: values.get(key) for key in ("email", "first_name", "last_name", "phone", "job_title")}
        data["company_id"] = self.companies.resolve(values.get("company"))
        return validate(ContactCreate, data, self.labels)

    def keys(self, record: dict[str, Any]) -> tuple[list[str], list[str]]:
        return ["email:" + record["email"]], ["email:" + record["email"]]

    def find(self, session: Session, records: Sequence[dict[str, Any]]) -> Any:
        rows = repository.find_contacts(session, emails=[r["email"] for r in records])
        return group_by(rows, lambda row: row["email"].lower())

    def candidates(self, record: dict[str, Any], existing: Any) -> list[dict[str, Any]]:
        return existing.get(record["email"], [])


class DealImport(RowImporter):
    """Deals, matched by title within their company; stage moves are written to the stage history."""

    entity, fields, table, columns = "deals", DEAL_FIELDS, repository.DEALS, repository.DEAL_COLUMNS

    def prefetch(self, session: Session, rows: Sequence[dict[str, Any]]) -> None:
        self.companies = CompanyRefs(session, [values.get("company") for values in rows])
        emails = [values["contact"] for values in rows if values.get("contact")]
        self.contacts: dict[str, list[int]] = defaultdict(list)
        for row in repository.find_contacts(session, emails=emails):
            self.contacts[row["email"].lower()].append(row["id"])

    def build(self, values: dict[str, Any]) -> dict[str, Any]:
        data = {
            "title": values.get("title"), "amount": values.get("amount"), "close_date": values.get("close_date"),
            "company_id": self.companies.resolve(values.get("company")),
            "contact_id": self._contact(values.get("contact")),
            "stage_id": _named(self.refs.stages, values.get("stage"), "stage"),
            "owner_id": self.refs.owner(values.get("owner")),
        }
        defaults = {"stage_id": self.refs.first_stage_id, "owner_id": self.principal.id}
        return validate(DealCreate, data, self.labels, defaults=defaults)

    def _contact(self, email: str | None) -> int | None:
        if email is None:
            return None
        ids = self.contacts.get(email, [])
        if not ids:
            raise ValueError(f"unknown contact '{email}'")
        return ids[0]

    def insert_defaults(self) -> dict[str, Any]:
        return {"stage_id": self.refs.first_stage_id, "owner_id": self.principal.id}

    def keys(self, record: dict[str, Any]) -> tuple[list[str], list[str]]:
        key = f"deal:{record['company_id']}:{record['title'].lower()}"
        return [key], [key]

    def find(self, session: Session, records: Sequence[dict[str, Any]]) -> Any:
        rows = repository.find_deals(session, keys=[(r["company_id"], r["title"].lower()) for r in records])
        return group_by(rows, lambda row: (row["company_id"], row["title"].lower()))

    def candidates(self, record: dict[str, Any], existing: Any) -> list[dict[str, Any]]:
        return existing.get((record["company_id"], record["title"].lower()), [])

    def authorise(self, record: dict[str, Any], match: dict[str, Any] | None) -> None:
        if self.principal.has("crm.manage"):
            return
        if record.get("owner_id", self.principal.id) != self.principal.id:
            raise ValueError("you can import only your own deals (giving them to another owner needs crm.manage)")
        if match is not None and match["owner_id"] != self.principal.id:
            raise ValueError("this deal belongs to another owner; changing it needs crm.manage")

    def after_write(self, session: Session, inserted: list[dict], updated: list[tuple[dict, dict]]) -> None:
        changes = [(row["id"], None, row["stage_id"]) for row in inserted]
        changes += [(old["id"], old["stage_id"], new["stage_id"]) for old, new in updated
                    if new["stage_id"] != old["stage_id"]]
        repository.add_stage_changes(session, changes, changed_by=self.principal.id)


def _starter(importer: type[RowImporter], *, owners: bool = False) -> Callable[..., RowImporter]:
    """How an import of `importer`'s entity starts: its lookups, read once (users only for deals)."""

    def start(sessions: SessionFactory, principal: Principal, options: Mapping[str, Any]) -> RowImporter:
        with sessions(Database.CRM) as crm:
            if not owners:
                return importer(load_references(crm, None, principal), principal)
            with sessions(Database.AUTH) as auth:
                return importer(load_references(crm, auth, principal), principal)

    return start


for _importer, _title, _key in (
    (CompanyImport, "Companies", "domain, else company name"),
    (ContactImport, "Contacts", "email"),
    (DealImport, "Deals", "deal title within its company"),
):
    register(ImporterSpec(entity=_importer.entity, title=_title, database=Database.CRM, permission="crm.write",
                          fields=_importer.fields, natural_key=_key,
                          start=_starter(_importer, owners=_importer is DealImport)))
