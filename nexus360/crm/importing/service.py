"""CSV and Excel import of companies, contacts and deals: the rules that turn a messy row into a record.

- Related records are named, not numbered: industry, country (name, ISO code or a known alias), stage,
  company (name or domain), contact (email), whatever the case or spacing; owners by full name or email,
  active only. A value that names nothing takes the person's decision (map, create an industry, leave
  blank, skip); without one an optional field is left blank with a warning, and a deal without a known
  company is skipped. Suggestions: synonyms and spellings for the lists, similar names for companies
  ("Acme Corp" -> "Acme Corporation" is suggested, never merged silently).
- A row finds its record by natural key: a company by domain (a company without one may be given
  one), else by name; a contact by email; a deal by title within its company. A key matching several
  records is reported, never guessed.
- Blank cells never erase: a matched record keeps what the file leaves blank, and it is written only
  when a value differs (otherwise the row counts as unchanged), so importing a file twice changes nothing.
- A second row for the same record in one file is reported as "duplicate of line N"; nothing merges
  silently. A new deal without a stage starts in the first stage; without an owner it is the importer's.
- Without crm.manage, deals can only be imported for, and updated on behalf of, the importing user;
  industries are created only by holders of crm.manage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
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
from nexus360.importing.core import (
    FieldSpec,
    ImporterSpec,
    SessionFactory,
    parse_date,
    parse_decimal,
    parse_email,
    require_permission,
)
from nexus360.importing.records import RowImporter, group_by, validate
from nexus360.importing.registry import register
from nexus360.importing.values import Reference, Suggestion, TargetId, Term, Unresolved, Vocabulary, value_key
from nexus360.reference.synonyms import COUNTRY_ALIASES, COUNTRY_SYNONYMS, INDUSTRY_SYNONYMS, STAGE_SYNONYMS

CREATE_INDUSTRIES = "crm.manage"

COMPANY_NAMES = ("company", "company name", "account", "account name", "organisation", "organization",
                 "organisation name", "organization name", "customer", "client", "business name")

COMPANY_FIELDS = (
    FieldSpec("name", "company name", aliases=COMPANY_NAMES + ("name",), required=True),
    FieldSpec("domain", "domain", aliases=("company domain", "email domain", "web domain")),
    FieldSpec("website", "website", aliases=("web site", "url", "web", "homepage", "site", "website url")),
    FieldSpec("industry", "industry", aliases=("sector", "vertical", "industry name")),
    FieldSpec("country", "country", aliases=("country name", "country code", "nation", "hq country",
                                             "office location", "location", "billing country")),
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
              aliases=("title", "deal", "deal name", "opportunity", "opportunity name", "name", "opportunity id",
                       "deal id")),
    FieldSpec("company", "company", required=True, aliases=COMPANY_NAMES + ("company domain",),
              help="Company name or domain; it must exist."),
    FieldSpec("contact", "contact", parse_email, aliases=("contact email", "contact e-mail", "primary contact")),
    FieldSpec("stage", "stage", aliases=("deal stage", "pipeline stage", "sales stage", "status", "opportunity stage"),
              help="A pipeline stage's name; new deals without one start in the first stage."),
    FieldSpec("amount", "amount", parse_decimal, aliases=("value", "deal value", "deal amount", "price", "total",
                                                          "close value", "opportunity amount")),
    FieldSpec("close_date", "close date", parse_date,
              aliases=("expected close", "expected close date", "closing date", "close", "closed on")),
    FieldSpec("owner", "owner", aliases=("deal owner", "owner email", "sales rep", "rep", "salesperson",
                                         "account manager", "assigned to", "sales agent", "agent",
                                         "opportunity owner"),
              help="A user's full name or email; blank means you."),
)


@dataclass
class Lookups:
    """What an import reads once: the reference columns' lists, and the stage new deals start in."""

    references: dict[str, Reference]
    first_stage_id: int | None


def load_references(crm: Session, auth: Session | None, principal: Principal) -> Lookups:
    """Industries, countries (names, ISO codes, aliases), stages and, given `auth`, the users who may own deals."""
    industries = Vocabulary(
        "industry", "industry",
        [Term(industry_id, name, synonyms=INDUSTRY_SYNONYMS.get(name, ()))
         for industry_id, name in crm_repository.list_industries(crm)],
        permission_to_create=CREATE_INDUSTRIES, create=_create_industries,
    )
    countries = Vocabulary("country", "country", [
        Term(country_id, name, aliases=(iso2, iso3, *COUNTRY_ALIASES.get(iso2, ())),
             synonyms=COUNTRY_SYNONYMS.get(iso2, ()))
        for country_id, name, iso2, iso3 in sorted(crm_repository.list_countries(crm))
    ])
    stage_rows = crm_repository.list_stages(crm)
    stages = Vocabulary("stage", "stage", [Term(stage.id, stage.name, synonyms=STAGE_SYNONYMS.get(stage.name, ()))
                                           for stage in stage_rows])
    references: dict[str, Reference] = {"industry": industries, "country": countries, "stage": stages,
                                        "company": CompanyReference(), "contact": ContactReference()}
    if auth is not None:
        references["owner"] = _owners(people.list_people(auth, principal, active_only=False))
    first_stage = next((stage.id for stage in stage_rows if not stage.is_won and not stage.is_lost), None)
    return Lookups(references, first_stage)


class _CrmImport(RowImporter):
    """A CRM importer: its reference columns come from the lookups read once."""

    reference_fields: tuple[str, ...] = ()

    def __init__(self, refs: Lookups, principal: Principal) -> None:
        super().__init__(refs, principal)
        self.references = {name: refs.references[name] for name in self.reference_fields}


def _owners(users: Sequence[tuple[int, str, str, bool]]) -> Vocabulary:
    """Active users by full name or email; a deactivated one, or a name two active users share, is refused."""
    by_name: dict[str, list[tuple[int, str, bool]]] = defaultdict(list)
    for user_id, name, email, is_active in users:
        by_name[value_key(name)].append((user_id, email, bool(is_active)))
    terms, refused = [], {}
    for user_id, name, email, is_active in users:
        if not is_active:
            refused[email] = "is deactivated"
            if not any(active for _id, _email, active in by_name[value_key(name)]):
                refused[name] = "is deactivated"
            continue
        namesakes = [entry for entry in by_name[value_key(name)] if entry[2]]
        if len(namesakes) > 1:
            refused[name] = f"matches {len(namesakes)} users; give the email instead"
            terms.append(Term(user_id, email, aliases=(email,)))
        else:
            terms.append(Term(user_id, name, aliases=(email,)))
    return Vocabulary("owner", "owner", terms, refused=refused, hint="give a user's full name or email")


def _create_industries(session: Session, principal: Principal, names: Sequence[str]) -> dict[str, TargetId]:
    require_permission(principal, CREATE_INDUSTRIES)
    created = repository.insert_industries(session, [" ".join(name.split()) for name in names])
    return {value_key(name): created[" ".join(name.split()).lower()] for name in names}


def _as_domain(text: str) -> str | None:
    if " " in text or "." not in text:
        return None
    try:
        return normalise_domain(text)
    except ValueError:
        return None


def _name_key(text: str) -> str:
    """A company's name as it is matched: case- and space-insensitive."""
    return " ".join(text.lower().split())


class CompanyReference(Reference):
    """Companies named by name or domain, looked up per batch (there may be millions)."""

    field, noun = "company", "company"

    def __init__(self) -> None:
        self.by_name: dict[str, list[int]] = {}
        self.by_domain: dict[str, list[int]] = {}

    def prepare(self, session: Session, texts: Collection[str]) -> None:
        rows = repository.find_companies(session, names=[_name_key(text) for text in texts],
                                         domains=[domain for text in texts if (domain := _as_domain(text))])
        self.by_name, self.by_domain = defaultdict(list), defaultdict(list)
        for row in rows:
            self.by_name[_name_key(row["name"])].append(row["id"])
            if row["domain"]:
                self.by_domain[row["domain"].lower()].append(row["id"])

    def resolve(self, text: str) -> TargetId:
        """The id of the one company with this domain or name."""
        domain = _as_domain(text)
        if domain and self.by_domain.get(domain):
            return self.by_domain[domain][0]
        ids = self.by_name.get(_name_key(text), [])
        if len(ids) > 1:
            raise Unresolved(f"company '{text}' matches {len(ids)} companies; name it by its domain instead")
        if not ids:
            raise Unresolved(f"unknown company '{text}'")
        return ids[0]

    def existing(self, session: Session, ids: Collection[TargetId]) -> set[TargetId]:
        return set(repository.existing_company_ids(session, [int(target) for target in ids]))

    def suggest(self, session: Session, texts: Sequence[str]) -> dict[str, Suggestion]:
        similar = repository.similar_companies(session, list(texts))
        return {text: Suggestion(*similar[text], "similar") for text in texts if text in similar}


class ContactReference(Reference):
    """Contacts named by email, looked up per batch."""

    field, noun = "contact", "contact"

    def __init__(self) -> None:
        self.ids: dict[str, list[int]] = {}

    def prepare(self, session: Session, texts: Collection[str]) -> None:
        self.ids = defaultdict(list)
        for row in repository.find_contacts(session, emails=[text.lower() for text in texts]):
            self.ids[row["email"].lower()].append(row["id"])

    def resolve(self, text: str) -> TargetId:
        ids = self.ids.get(text.lower(), [])
        if not ids:
            raise Unresolved(f"unknown contact '{text}'")
        return ids[0]


class CompanyImport(_CrmImport):
    """Companies, matched by domain, else by name."""

    entity, fields, table, columns = "companies", COMPANY_FIELDS, repository.COMPANIES, repository.COMPANY_COLUMNS
    reference_fields = ("industry", "country")

    def build(self, values: dict[str, Any]) -> dict[str, Any]:
        data = {
            "name": values.get("name"), "domain": values.get("domain"), "website": values.get("website"),
            "industry_id": self.value("industry", values.get("industry")),
            "country_id": self.value("country", values.get("country")),
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


class ContactImport(_CrmImport):
    """Contacts, matched by email; their company is named by name or domain."""

    entity, fields, table, columns = "contacts", CONTACT_FIELDS, repository.CONTACTS, repository.CONTACT_COLUMNS
    reference_fields = ("company",)

    def build(self, values: dict[str, Any]) -> dict[str, Any]:
        data = {key: values.get(key) for key in ("email", "first_name", "last_name", "phone", "job_title")}
        data["company_id"] = self.value("company", values.get("company"))
        return validate(ContactCreate, data, self.labels)

    def keys(self, record: dict[str, Any]) -> tuple[list[str], list[str]]:
        return ["email:" + record["email"]], ["email:" + record["email"]]

    def find(self, session: Session, records: Sequence[dict[str, Any]]) -> Any:
        rows = repository.find_contacts(session, emails=[r["email"] for r in records])
        return group_by(rows, lambda row: row["email"].lower())

    def candidates(self, record: dict[str, Any], existing: Any) -> list[dict[str, Any]]:
        return existing.get(record["email"], [])


class DealImport(_CrmImport):
    """Deals, matched by title within their company; stage moves are written to the stage history."""

    entity, fields, table, columns = "deals", DEAL_FIELDS, repository.DEALS, repository.DEAL_COLUMNS
    reference_fields = ("company", "contact", "stage", "owner")

    def build(self, values: dict[str, Any]) -> dict[str, Any]:
        data = {
            "title": values.get("title"), "amount": values.get("amount"), "close_date": values.get("close_date"),
            "company_id": self.value("company", values.get("company")),
            "contact_id": self.value("contact", values.get("contact")),
            "stage_id": self.value("stage", values.get("stage")),
            "owner_id": self.value("owner", values.get("owner")),
        }
        return validate(DealCreate, data, self.labels, defaults=self.insert_defaults())

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


def _starter(importer: type[_CrmImport], *, owners: bool = False) -> Callable[..., RowImporter]:
    """How an import of `importer`'s entity starts: its lookups, read once (users only for deals)."""

    def start(sessions: SessionFactory, principal: Principal, options: Mapping[str, Any]) -> RowImporter:
        with sessions(Database.CRM) as crm:
            if not owners:
                return importer(load_references(crm, None, principal), principal)
            with sessions(Database.AUTH) as auth:
                return importer(load_references(crm, auth, principal), principal)

    return start


for _importer, _title, _key, _related in (
    (CompanyImport, "Companies", "domain, else company name", {}),
    (ContactImport, "Contacts", "email", {"company": "companies"}),
    (DealImport, "Deals", "deal title within its company", {"company": "companies", "contact": "contacts"}),
):
    register(ImporterSpec(entity=_importer.entity, title=_title, database=Database.CRM, permission="crm.write",
                          fields=_importer.fields, natural_key=_key, related=_related,
                          start=_starter(_importer, owners=_importer is DealImport)))
