"""CSV import of leads: messy files, scoring, campaigns, idempotence, dry runs and the command line."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, func, select

from nexus360.common.errors import AuthorizationError, ValidationError
from nexus360.db import Database
from nexus360.importing.answers import accept_suggestions
from nexus360.importing.core import ImportPlan, ImportSummary, check_file, run_import
from nexus360.importing.registry import get_importer
from nexus360.importing.values import ValueChoices
from nexus360.marketing import repository
from nexus360.marketing.models import Campaign
from nexus360.marketing.repository import LEADS as leads_table
from tests.conftest import savepoints
from tests.crm.conftest import MARKETER_ID, REP_ID, principal

MARKETER = principal(MARKETER_ID, "marketer")


@pytest.fixture
def tag() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture
def webinar(marketing, tag) -> Campaign:
    campaign = Campaign(name=f"Spring Webinar {tag}", type="webinar", status="planned")
    marketing.add(campaign)
    marketing.flush()
    return campaign


def run(db, text: str, *, who=MARKETER, **options) -> ImportSummary:
    return run_import(get_importer("leads"), io.BytesIO(text.encode()), principal=who, sessions=savepoints(db),
                      **options)


def errors(summary: ImportSummary) -> dict[int, str]:
    return {error.line: error.reason for error in summary.errors}


def warnings(summary: ImportSummary) -> dict[int, str]:
    return {warning.line: warning.reason for warning in summary.warnings}


def lead(marketing, email: str):
    rows = repository.find_leads_by_email(marketing, email)
    assert len(rows) <= 1
    return rows[0] if rows else None


def messy_file(tag: str) -> str:
    return (
        "E-Mail Address;First Name;Surname;Company;Job Title;Campaign;Status\n"
        f" Ada.Lovelace@Engines-{tag}.example ;Ada;Lovelace;Analytical {tag};Head of Research;SPRING WEBINAR {tag};\n"
        f";Blank;Email;Nowhere {tag};;;\n"
        f"not-an-email;Bad;Email;Nowhere {tag};;;\n"
        f"ada.lovelace@engines-{tag}.example;Ada;Again;;;;\n"
        f"bob.{tag}@example.org;<b>Bob</b>;=HYPERLINK(\"http://x\");+Tables {tag};;;contacted\n"
        f"carol.{tag}@example.org;Carol;;;;No Such Campaign {tag};\n"
        f"dave.{tag}@example.org;Dave;;;;;converted\n"
    )


def test_messy_file_imports_good_rows_and_reports_bad_ones_by_line(db, marketing, tag, webinar):
    summary = run(db, messy_file(tag))
    assert (summary.inserted, summary.skipped) == (4, 3)
    reasons = errors(summary)
    assert "email" in reasons[3] and "required" in reasons[3]
    assert "'not-an-email' is not a valid email address" in reasons[4]
    assert reasons[5] == "duplicate of line 2"
    assert warnings(summary) == {  # optional fields: left blank, the lead is imported
        7: f"unknown campaign 'No Such Campaign {tag}'; left blank",
        8: "status 'converted' comes only from the hand-off to sales; left blank",
    }


def test_imported_lead_is_lower_cased_on_its_campaign_and_scored(db, marketing, tag, webinar):
    run(db, messy_file(tag))
    ada = lead(marketing, f"ada.lovelace@engines-{tag}.example")
    assert (ada["email"], ada["campaign_id"], ada["status"]) == (
        f"ada.lovelace@engines-{tag}.example", webinar.id, "new"
    )
    # seeded rules: base 50, 'head' +20, webinar +10, company name +5
    assert ada["score"] == 85
    assert ["Campaign type webinar", 10] in ada["score_reasons"]


def test_html_and_formulas_are_stored_as_plain_text(db, marketing, tag, webinar):
    run(db, messy_file(tag))
    bob = lead(marketing, f"bob.{tag}@example.org")
    assert (bob["first_name"], bob["last_name"], bob["company_name"], bob["status"]) == (
        "<b>Bob</b>", '=HYPERLINK("http://x")', f"+Tables {tag}", "contacted"
    )


def test_importing_the_same_file_again_changes_nothing(db, marketing, tag, webinar):
    run(db, messy_file(tag))
    again = run(db, messy_file(tag))
    assert (again.inserted, again.updated, again.unchanged, again.skipped) == (0, 0, 4, 3)


def test_a_known_email_updates_only_the_fields_the_file_fills(db, marketing, tag, webinar):
    run(db, messy_file(tag))
    email = f"ada.lovelace@engines-{tag}.example"
    summary = run(db, f"email,phone,job title\n{email.upper()},+44 20 7946 0000,\n")
    assert (summary.inserted, summary.updated) == (0, 1)
    ada = lead(marketing, email)
    assert (ada["phone"], ada["job_title"], ada["first_name"]) == ("+44 20 7946 0000", "Head of Research", "Ada")
    assert ada["score"] == 90  # rescored: phone +5


def test_the_campaign_option_puts_every_row_on_that_campaign(db, marketing, tag, webinar):
    other = Campaign(name=f"Other {tag}", type="email", status="planned")
    marketing.add(other)
    marketing.flush()
    summary = run(db, f"email,campaign\nx.{tag}@example.org,Other {tag}\ny.{tag}@example.org,\n",
                  options={"campaign_id": webinar.id})
    assert summary.inserted == 2
    assert {lead(marketing, f"{who}.{tag}@example.org")["campaign_id"] for who in "xy"} == {webinar.id}


def test_an_unknown_campaign_option_is_refused(db):
    with pytest.raises(ValidationError, match="Campaign 987654321 does not exist"):
        run(db, "email\nx@example.org\n", options={"campaign_id": 987654321})


def test_dry_run_writes_nothing(db, marketing, tag, webinar):
    summary = run(db, messy_file(tag), dry_run=True)
    assert (summary.inserted, summary.skipped, summary.dry_run) == (4, 3, True)
    assert lead(marketing, f"bob.{tag}@example.org") is None


def test_a_converted_lead_keeps_its_status(db, marketing, tag):
    email = f"won.{tag}@example.org"
    repository.insert_lead(marketing, {"email": email, "status": "converted"})
    summary = run(db, f"email,status,first name\n{email},new,Wendy\n")
    assert "converted" in errors(summary)[2]
    assert lead(marketing, email)["status"] == "converted"


def test_statuses_and_campaigns_that_name_nothing_are_suggested_mapped_and_created(db, marketing, tag, webinar):
    text = (f"email,status,campaign\na.{tag}@example.org,Working,Spring Webnar {tag}\n"
            f"b.{tag}@example.org,MQL,Brand New {tag}\nc.{tag}@example.org,junk,Brand New {tag}\n"
            f"d.{tag}@example.org,Qualified,\n")
    report = check_file(get_importer("leads"), io.BytesIO(text.encode()), principal=MARKETER, sessions=savepoints(db))
    assert {name: [(v.value, v.rows, v.suggestion) for v in values] for name, values in report.unknown.items()} == {
        "status": [("Working", 1, "Contacted"), ("MQL", 1, "Qualified"), ("junk", 1, "Disqualified")],
        "campaign": [(f"Brand New {tag}", 2, None), (f"Spring Webnar {tag}", 1, f"Spring Webinar {tag}")],
    }
    plan = ImportPlan(choices=accept_suggestions(report, ValueChoices(unknown={"campaign": "create"})))

    summary = run(db, text, plan=plan)

    assert (summary.inserted, summary.warned, summary.created) == (4, 0, {"campaign": [f"Brand New {tag}"]})
    created = marketing.scalars(select(Campaign).where(Campaign.name == f"Brand New {tag}")).one()
    assert (created.type, created.status) == ("other", "planned")
    assert [(lead(marketing, f"{who}.{tag}@example.org")["status"], lead(marketing, f"{who}.{tag}@example.org")[
        "campaign_id"]) for who in "abcd"] == [("contacted", webinar.id), ("qualified", created.id),
                                               ("disqualified", created.id), ("qualified", None)]
    assert lead(marketing, f"c.{tag}@example.org")["disqualified_reason"] == "Marked disqualified in an import"


def test_company_sizes_are_read_with_the_files_thousands(db, marketing, tag):
    text = f"email;employees\na.{tag}@example.org;1.200\nb.{tag}@example.org;12.500\nc.{tag}@example.org;lots\n"
    summary = run(db, text)
    assert [lead(marketing, f"{who}.{tag}@example.org")["company_size"] for who in "ab"] == [1200, 12500]
    assert errors(summary) == {4: "company size: 'lots' is not a whole number of employees (0 or more)"}


def test_importing_leads_needs_marketing_write(db):
    with pytest.raises(AuthorizationError):
        run(db, "email\nx@example.org\n", who=principal(REP_ID, "sales_rep"))


def test_batches_are_bounded(db, marketing, tag):
    rows = "".join(f"lead{number}.{tag}@example.org,Lead {number}\n" for number in range(25))
    summary = run(db, "email,first name\n" + rows, batch_size=10)
    assert summary.inserted == 25
    count = select(func.count()).select_from(leads_table).where(leads_table.c.email.like(f"%.{tag}@example.org"))
    assert marketing.execute(count).scalar_one() == 25


# --- the command line (committed for real, so it cleans up after itself) -----------------------


@pytest.fixture
def cli_tag(seeded, tag) -> Iterator[str]:
    """Leads and campaigns the CLI tests create carry this tag; they are deleted afterwards."""
    from nexus360.db import session_scope

    with session_scope(Database.MARKETING, admin=True) as session:
        for name in (f"CLI Expo {tag}", f"Twin {tag}", f"twin {tag}"):
            session.add(Campaign(name=name, type="event", status="planned"))
    yield tag
    with session_scope(Database.MARKETING, admin=True) as session:
        session.execute(delete(leads_table).where(leads_table.c.email.contains(tag)))
        session.execute(delete(Campaign).where(Campaign.name.contains(tag)))


def invoke(*args: str):
    from click.testing import CliRunner

    from nexus360.cli import main

    return CliRunner().invoke(main, ["import", "leads", *args], catch_exceptions=False)


def test_the_command_imports_leads_onto_a_campaign_by_name(cli_tag, tmp_path):
    from nexus360.db import session_scope

    path = tmp_path / "leads.csv"
    path.write_text(f"email,first name\nzoe.{cli_tag}@example.org,Zoe\nbroken,Bad\n")
    result = invoke(str(path), "--campaign", f"cli expo {cli_tag}")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["inserted"], summary["skipped"]) == (1, 1)
    assert summary["errors"][0]["line"] == 3
    again = json.loads(invoke(str(path), "--campaign", f"CLI Expo {cli_tag}").stdout)
    assert (again["inserted"], again["unchanged"]) == (0, 1)
    with session_scope(Database.MARKETING, admin=True) as session:
        campaign = session.execute(
            select(Campaign.name).join(leads_table, leads_table.c.campaign_id == Campaign.id)
            .where(leads_table.c.email == f"zoe.{cli_tag}@example.org")
        ).scalar_one()
    assert campaign == f"CLI Expo {cli_tag}"


def test_the_command_dry_run_writes_nothing(cli_tag, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text(f"email\nyves.{cli_tag}@example.org\n")
    first = json.loads(invoke(str(path), "--dry-run").stdout)
    second = json.loads(invoke(str(path), "--dry-run").stdout)
    assert (first["inserted"], second["inserted"], second["dry_run"]) == (1, 1, True)


@pytest.mark.parametrize(("name", "message"), [("Nope {tag}", "no campaign"), ("TWIN {tag}", "2 campaigns")])
def test_an_unknown_or_ambiguous_campaign_exits_1(cli_tag, tmp_path, name, message):
    path = tmp_path / "leads.csv"
    path.write_text(f"email\nx.{cli_tag}@example.org\n")
    result = invoke(str(path), "--campaign", name.format(tag=cli_tag))
    assert result.exit_code == 1
    assert message in result.stderr and result.stdout == ""
