"""CSV and Excel import of leads: the rules that turn a messy row into a scored lead.

- A row finds its lead by email, case-insensitively (emails are stored lower-cased). Two rows of one file
  with the same email are reported ("duplicate of line N"), never merged; an email shared by several
  existing leads is reported too, never guessed.
- Blank cells never erase: a matched lead keeps what the file leaves blank and is written only when a value
  differs, so importing a file twice changes nothing.
- The campaign is named (case-insensitive); the option {"campaign_id": id} puts every row on that campaign.
  A campaign that does not exist takes the person's decision: map it to one that does, create it (a
  planned campaign of type "other"), leave it blank or skip those rows; without one it is left blank.
- Status is new, contacted, qualified or disqualified (default new), or a word that often means one
  ("working", "MQL", "junk"), suggested and applied once chosen; converted comes only from the hand-off
  to sales, so a converted lead's status is not changed by an import.
- Company size is a whole number of employees; "1,200" and " 350 " are read as numbers, "lots" is refused.
- Written leads are scored with the active scoring rules, as leads created on the page are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.common.errors import ValidationError
from nexus360.common.periods import today_utc
from nexus360.db import Database
from nexus360.importing.core import FieldSpec, ImporterSpec, SessionFactory, parse_email, parse_int
from nexus360.importing.parsers import AUTO, Cell, Formats, reads_numbers
from nexus360.importing.records import RowImporter, group_by, validate
from nexus360.importing.registry import register
from nexus360.importing.values import TargetId, Term, Vocabulary, value_key
from nexus360.marketing import repository
from nexus360.marketing.campaigns import service as campaigns
from nexus360.marketing.importing import repository as import_queries
from nexus360.marketing.schemas import (
    MAX_COMPANY_SIZE,
    CampaignCreate,
    LeadCreate,
    ScoringRuleRead,
    clean_company_size,
)
from nexus360.marketing.scoring import service as scoring
from nexus360.marketing.scoring.engine import score_lead

IMPORT_STATUSES = ("new", "contacted", "qualified", "disqualified")
STATUS_SYNONYMS = {
    "new": ("open", "fresh", "not contacted", "untouched"),
    "contacted": ("working", "in progress", "attempted", "attempting contact", "nurturing", "engaged", "reached"),
    "qualified": ("MQL", "SQL", "marketing qualified", "sales qualified", "sales ready", "hot"),
    "disqualified": ("unqualified", "not qualified", "junk", "bad data", "not interested", "rejected", "lost"),
}
IMPORTED_CAMPAIGN_TYPE = "other"
IMPORTED_DISQUALIFIED = "Marked disqualified in an import"
LEAD_COLUMNS = (
    "email", "first_name", "last_name", "phone", "company_name", "job_title", "company_size", "campaign_id",
    "status", "disqualified_reason",
)


@reads_numbers
def parse_company_size(raw: Cell, formats: Formats = AUTO) -> int | None:
    """A cell of employees: thousands separators as the file writes them ("1,200", "1.200", "1 200"), blank means
    unknown."""
    cell = " ".join(str(raw).split())[:40]
    try:
        return clean_company_size(parse_int(raw, formats))
    except ValueError as error:
        problem = f"is more than {MAX_COMPANY_SIZE:,} employees" if "at most" in str(error) else (
            "is not a whole number of employees (0 or more)")
        raise ValueError(f"'{cell}' {problem}") from None


LEAD_FIELDS = (
    FieldSpec("email", "email", parse_email, required=True,
              aliases=("e-mail", "email address", "e-mail address", "mail", "work email", "business email")),
    FieldSpec("first_name", "first name", aliases=("firstname", "given name", "forename")),
    FieldSpec("last_name", "last name", aliases=("lastname", "surname", "family name")),
    FieldSpec("phone", "phone", aliases=("phone number", "telephone", "tel", "mobile", "mobile phone", "phone no")),
    FieldSpec("company_name", "company", aliases=("company name", "organisation", "organization", "account",
                                                 "employer", "business name")),
    FieldSpec("job_title", "job title", aliases=("title", "position", "role", "job")),
    FieldSpec("company_size", "company size", parse_company_size,
              aliases=("employees", "number of employees", "employee count", "headcount", "company employees"),
              help="Number of employees, e.g. 350 or 1,200; blank means unknown."),
    FieldSpec("status", "status", aliases=("lead status", "stage"),
              help="new, contacted, qualified or disqualified; blank means new."),
    FieldSpec("campaign", "campaign", aliases=("campaign name", "source campaign", "source"),
              help="A campaign's name; the campaign chosen for the whole import wins."),
)


class LeadImport(RowImporter):
    """Leads, matched by email; scored after each batch is written."""

    entity, fields, table, columns = "leads", LEAD_FIELDS, repository.LEADS, LEAD_COLUMNS

    def __init__(self, refs: dict[str, Any], principal: Principal) -> None:
        super().__init__(refs, principal)
        self.campaign_id: int | None = refs["campaign_id"]
        self.rules: list[ScoringRuleRead] = refs["rules"]
        self.today: date = refs["today"]
        self.references = {"status": statuses()}
        if self.campaign_id is None:  # else every row goes to the chosen campaign, whatever the file says
            self.references["campaign"] = refs["campaigns"]

    def build(self, values: dict[str, Any]) -> dict[str, Any]:
        data = {key: values.get(key) for key in ("email", "first_name", "last_name", "phone", "company_name",
                                                  "job_title", "company_size")}
        data["campaign_id"] = self.campaign_id or self.value("campaign", values.get("campaign"))
        record = validate(LeadCreate, data, self.labels | {"campaign_id": "campaign"})
        status = self.value("status", values.get("status"))
        if status is not None:
            record["status"] = status
            if status == "disqualified":
                record["disqualified_reason"] = IMPORTED_DISQUALIFIED
        return record

    def keys(self, record: dict[str, Any]) -> tuple[list[str], list[str]]:
        return ["email:" + record["email"]], ["email:" + record["email"]]

    def find(self, session: Session, records: Sequence[dict[str, Any]]) -> Any:
        return group_by(repository.find_leads_by_emails(session, [r["email"] for r in records]),
                        lambda row: row["email"].lower())

    def candidates(self, record: dict[str, Any], existing: Any) -> list[dict[str, Any]]:
        return existing.get(record["email"], [])

    def authorise(self, record: dict[str, Any], match: dict[str, Any] | None) -> None:
        if match is not None and match["status"] == "converted" and record.get("status", "converted") != "converted":
            raise ValueError("this lead was handed to sales (converted); its status can no longer change")

    def insert_defaults(self) -> dict[str, Any]:
        return {"status": "new"}

    def after_write(self, session: Session, inserted: list[dict], updated: list[tuple[dict, dict]]) -> None:
        """Score the leads this batch wrote, in one statement (only those whose score or reasons change)."""
        leads = [(row, None) for row in inserted] + [(new, old) for old, new in updated]
        types = repository.campaign_types(session, {row["campaign_id"] for row, _ in leads if row["campaign_id"]})
        changes = []
        for lead, old in leads:
            score, reasons = score_lead(lead, types.get(lead["campaign_id"]), self.rules, self.today)
            stored = [[label, points] for label, points in reasons]
            if old is None or (score, stored) != (old.get("score"), old.get("score_reasons")):
                changes.append({"lead_id": lead["id"], "new_score": score, "new_reasons": stored})
        repository.update_scores(session, changes)


def campaign_id_by_name(session: Session, name: str) -> int:
    """The id of the one campaign called `name` (any case), for `import leads --campaign NAME`."""
    wanted = " ".join(name.split()).lower()
    ids = [campaign_id for campaign_id, _name in repository.campaign_ids_by_names(session, [wanted])]
    if not ids:
        raise ValidationError(f"--campaign {name}: there is no campaign with this name.")
    if len(ids) > 1:
        raise ValidationError(f"--campaign {name}: {len(ids)} campaigns have this name; rename one of them first.")
    return ids[0]


def statuses() -> Vocabulary:
    """The statuses an import may give (converted comes only from the hand-off to sales)."""
    terms = [Term(status, status.capitalize(), synonyms=STATUS_SYNONYMS[status]) for status in IMPORT_STATUSES]
    return Vocabulary("status", "status", terms, refused={"converted": "comes only from the hand-off to sales"},
                      hint=f"one of {', '.join(IMPORT_STATUSES)}")


def campaign_names(session: Session) -> Vocabulary:
    """Every campaign by name; a name two campaigns share is refused. Creating one needs marketing.write."""
    rows = import_queries.list_campaign_names(session)
    counts: dict[str, int] = defaultdict(int)
    for _id, name in rows:
        counts[value_key(name)] += 1
    terms = [Term(campaign_id, name) for campaign_id, name in rows if counts[value_key(name)] == 1]
    refused = {name: f"matches {counts[value_key(name)]} campaigns; rename one of them first"
               for _id, name in rows if counts[value_key(name)] > 1}
    return Vocabulary("campaign", "campaign", terms, refused=refused, permission_to_create="marketing.write",
                      create=_create_campaigns)


def _create_campaigns(session: Session, principal: Principal, names: Sequence[str]) -> dict[str, TargetId]:
    """Planned campaigns of type "other" named `names`, through the campaigns service (which checks rights)."""
    created = {}
    for name in names:
        campaign = campaigns.create_campaign(session, principal, data=CampaignCreate(
            name=name, type=IMPORTED_CAMPAIGN_TYPE, status="planned"))
        created[value_key(name)] = campaign.id
    return created


def start(sessions: SessionFactory, principal: Principal, options: Mapping[str, Any]) -> LeadImport:
    """Read the scoring rules and campaigns once and check the chosen campaign (options["campaign_id"]) exists."""
    campaign_id = options.get("campaign_id")
    with sessions(Database.MARKETING) as session:
        if campaign_id is not None and repository.campaign_type(session, int(campaign_id)) is None:
            raise ValidationError(f"Campaign {campaign_id} does not exist (it may have been deleted).")
        rules = scoring.active_rules(session)
        names = campaign_names(session) if campaign_id is None else None
    refs = {"campaign_id": campaign_id, "rules": rules, "today": today_utc(), "campaigns": names}
    return LeadImport(refs, principal)


register(ImporterSpec(entity="leads", title="Leads", database=Database.MARKETING, permission="marketing.write",
                      fields=LEAD_FIELDS, natural_key="email", start=start))
