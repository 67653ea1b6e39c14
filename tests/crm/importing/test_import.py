"""CSV import of companies, contacts and deals: messy files, idempotence, interruptions, owners, dry runs.

A reference value that names nothing (an industry, a country, a stage, an owner) is left blank with a warning
when nobody decided otherwise; only what a record cannot be without (a deal's company, a readable number)
skips the row. tests/crm/importing/test_value_mapping.py covers the decisions themselves."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nexus360.auth import service as auth_service
from nexus360.auth.schemas import Principal
from nexus360.common.errors import AuthorizationError
from nexus360.crm.importing import repository as import_queries
from nexus360.crm.models import Company, Contact, Country, Deal, DealStage, DealStageChange, Industry
from nexus360.db import Database
from nexus360.importing.core import ImportFileError, ImportSummary, preview_import, run_import
from nexus360.importing.registry import get_importer
from tests.conftest import TransactionalSessions, savepoints

ADMIN_EMAIL = "ingrid.solberg@nexus360.example.com"
REP_EMAIL = "emily.chen@nexus360.example.com"
MARKETER_EMAIL = "nadia.rahman@nexus360.example.com"


@pytest.fixture
def crm(db: TransactionalSessions) -> Session:
    return db(Database.CRM)


@pytest.fixture
def tag() -> str:
    return uuid.uuid4().hex[:8]


def principal(db: TransactionalSessions, email: str) -> Principal:
    return auth_service.get_principal_by_email(db(Database.AUTH), email)


def run(db: TransactionalSessions, entity: str, text: str, *, who: str = ADMIN_EMAIL, **options) -> ImportSummary:
    return run_import(get_importer(entity), io.BytesIO(text.encode()), principal=principal(db, who),
                      sessions=savepoints(db), **options)


def errors(summary: ImportSummary) -> dict[int, str]:
    return {error.line: error.reason for error in summary.errors}


def warnings(summary: ImportSummary) -> dict[int, str]:
    return {warning.line: warning.reason for warning in summary.warnings}


def companies_file(tag: str) -> str:
    return (
        " Company Name ;Domain;INDUSTRY;country; Annual Revenue \n"
        f"  Acme {tag}   Ltd ;ACME-{tag}.com;software & internet;de;\"1.234.567,50\"\n"
        f"Globex {tag};;Banking; united kingdom ;$2.500\n"
        f"Initech {tag};initech-{tag}.io;Basket Weaving;FR;10\n"
        "\n"
        f"Umbrella {tag};umbrella-{tag}.com;;Atlantis;\n"
        f"Hooli {tag};hooli-{tag}.com;Retail;USA;lots\n"
        f";nameless-{tag}.com;Retail;US;5\n"
        f"Vandelay {tag};not a domain;Retail;US;5\n"
    )


def company(crm: Session, name: str) -> Company | None:
    return crm.scalars(select(Company).where(Company.name == name)).one_or_none()


def tagged(crm: Session, model: type, column, tag: str) -> int:
    return crm.scalar(select(func.count()).select_from(model).where(column.contains(tag)))


# --- companies ----------------------------------------------------------------------------------


def test_a_messy_file_imports_the_good_rows_and_reports_the_others_by_line(db, crm, tag) -> None:
    summary = run(db, "companies", companies_file(tag))

    assert (summary.inserted, summary.updated, summary.skipped, summary.warned) == (4, 0, 3, 2)
    acme = company(crm, f"Acme {tag} Ltd")
    assert acme is not None
    assert acme.domain == f"acme-{tag}.com"
    assert acme.annual_revenue == Decimal("1234567.50")
    assert crm.get(Industry, acme.industry_id).name == "Software & Internet"
    assert crm.get(Country, acme.country_id).iso_code_2 == "DE"
    globex = company(crm, f"Globex {tag}")
    assert (globex.domain, globex.annual_revenue) == (None, Decimal("2500"))
    assert crm.get(Country, globex.country_id).iso_code_2 == "GB"
    initech = company(crm, f"Initech {tag}")
    assert (initech.industry_id, crm.get(Country, initech.country_id).iso_code_2) == (None, "FR")
    assert tagged(crm, Company, Company.name, tag) == 4  # nothing of a refused row was written


def test_an_unknown_optional_value_is_left_blank_with_a_warning_naming_line_column_and_value(db, tag) -> None:
    summary = run(db, "companies", companies_file(tag))
    assert [(w.line, w.column, w.value, w.reason) for w in summary.warnings] == [
        (4, "INDUSTRY", "Basket Weaving", "unknown industry 'Basket Weaving'; left blank"),
        (6, "country", "Atlantis", "unknown country 'Atlantis'; left blank"),
    ]
    assert [(v.value, v.rows, v.first_line) for v in summary.unknown["industry"]] == [("Basket Weaving", 1, 4)]


def test_the_reasons_name_the_line_of_the_file(db, tag) -> None:
    summary = run(db, "companies", companies_file(tag))
    assert sorted(errors(summary)) == [7, 8, 9]
    assert errors(summary)[7] == "annual revenue: 'lots' is not a number"
    assert errors(summary)[8] == "company name: is required"
    assert "not a valid domain" in errors(summary)[9]


def test_importing_the_same_file_again_changes_nothing(db, crm, tag) -> None:
    run(db, "companies", companies_file(tag))
    before = crm.execute(select(Company.id, Company.updated_at).where(Company.name.contains(tag))).all()

    again = run(db, "companies", companies_file(tag))

    assert (again.inserted, again.updated, again.unchanged, again.skipped) == (0, 0, 4, 3)
    assert crm.execute(select(Company.id, Company.updated_at).where(Company.name.contains(tag))).all() == before


def test_a_changed_value_updates_only_that_row_and_blank_cells_keep_what_is_stored(db, crm, tag) -> None:
    run(db, "companies", companies_file(tag))
    changed = (
        "name,domain,annual revenue,industry\n"
        f"Acme {tag} Ltd,acme-{tag}.com,,\n"  # blanks: nothing to change
        f"Globex {tag},,3000,\n"
    )
    summary = run(db, "companies", changed)

    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 1, 1)
    assert company(crm, f"Globex {tag}").annual_revenue == Decimal("3000")
    acme = company(crm, f"Acme {tag} Ltd")
    assert acme.annual_revenue == Decimal("1234567.50")
    assert crm.get(Industry, acme.industry_id).name == "Software & Internet"


def test_values_the_schema_refuses_are_reported_in_plain_words(db, tag) -> None:
    text = f"name,annual revenue\nNeg {tag},-5\n{'x' * 300},5\nHuge {tag},\"1,000,000,000,000,000\"\nFine {tag},1.234\n"
    assert errors(run(db, "companies", text)) == {
        2: "annual revenue: must be at least 0",
        3: "company name: is longer than 255 characters",
        4: "annual revenue: is too large",
        5: "annual revenue: has more than 2 decimals",
    }


def test_a_company_is_found_by_domain_even_under_another_name(db, crm, tag) -> None:
    run(db, "companies", f"name,domain\nAcme {tag},acme-{tag}.com\n")
    summary = run(db, "companies", f"name,domain\nACME {tag} Holdings,https://www.Acme-{tag}.com/about\n")
    assert (summary.inserted, summary.updated) == (0, 1)
    assert tagged(crm, Company, Company.name, tag) == 1


def test_a_company_without_a_domain_is_given_the_one_a_later_file_brings(db, crm, tag) -> None:
    run(db, "companies", f"name\nAcme {tag}\n")
    summary = run(db, "companies", f"name,domain\nacme {tag},acme-{tag}.com\n")
    assert (summary.inserted, summary.updated) == (0, 1)
    assert company(crm, f"acme {tag}").domain == f"acme-{tag}.com"


def test_a_second_row_for_the_same_company_in_one_file_is_a_duplicate(db, crm, tag) -> None:
    text = f"name,domain\nAcme {tag},acme-{tag}.com\nOther {tag},\nAcme Two {tag},ACME-{tag}.com\nother {tag},\n"
    summary = run(db, "companies", text)
    assert summary.inserted == 2
    assert errors(summary) == {4: "duplicate of line 2", 5: "duplicate of line 3"}


def test_a_name_matching_several_companies_is_reported_not_guessed(db, crm, tag) -> None:
    crm.add_all([Company(name=f"Twin {tag}"), Company(name=f"Twin {tag}")])
    crm.flush()
    summary = run(db, "companies", f"name,annual revenue\nTwin {tag},5\n")
    assert "matches 2 existing companies" in errors(summary)[2]


def test_an_explicit_mapping_picks_the_column(db, crm, tag) -> None:
    text = f"Account,Legal name\nshort {tag},Long Legal Name {tag}\n"
    summary = run(db, "companies", text, mapping={"name": "Legal name"})
    assert summary.inserted == 1
    assert company(crm, f"Long Legal Name {tag}") is not None


def test_a_mapping_naming_a_missing_column_stops_before_anything_is_read(db, tag) -> None:
    with pytest.raises(ImportFileError, match="does not have"):
        run(db, "companies", f"name\nAcme {tag}\n", mapping={"domain": "Web address"})


def test_a_dry_run_counts_but_writes_nothing(db, crm, tag) -> None:
    summary = run(db, "companies", companies_file(tag), dry_run=True)
    assert (summary.inserted, summary.skipped, summary.dry_run) == (4, 3, True)
    assert tagged(crm, Company, Company.name, tag) == 0


def test_the_preview_shows_each_row_as_it_would_be_imported(db, crm, tag) -> None:
    outcomes = preview_import(get_importer("companies"), io.BytesIO(companies_file(tag).encode()),
                              principal=principal(db, ADMIN_EMAIL), sessions=savepoints(db), rows=3)
    assert [(o.line, o.action) for o in outcomes] == [(2, "insert"), (3, "insert"), (4, "insert")]
    assert outcomes[0].values["name"] == f"Acme {tag} Ltd"
    assert [w.reason for w in outcomes[2].warnings] == ["unknown industry 'Basket Weaving'; left blank"]
    assert tagged(crm, Company, Company.name, tag) == 0


def test_importing_needs_the_crm_write_permission(db, tag) -> None:
    with pytest.raises(AuthorizationError, match="crm.write"):
        run(db, "companies", f"name\nAcme {tag}\n", who=MARKETER_EMAIL)


# --- interruptions ------------------------------------------------------------------------------


def many_companies(tag: str, count: int) -> str:
    return "name,domain,annual revenue\n" + "".join(f"Co {i} {tag},co{i}-{tag}.com,{i}\n" for i in range(count))


def test_an_import_stopped_after_a_batch_keeps_that_batch_and_a_rerun_completes_it(db, crm, tag) -> None:
    def stop(progress) -> None:
        if progress.phase == "import":  # the whole file was checked first
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(db, "companies", many_companies(tag, 250), batch_size=100, progress=stop)
    assert tagged(crm, Company, Company.name, tag) == 100

    summary = run(db, "companies", many_companies(tag, 250), batch_size=100)
    assert (summary.inserted, summary.unchanged, summary.skipped) == (150, 100, 0)
    assert tagged(crm, Company, Company.name, tag) == 250


def test_a_batch_that_fails_half_way_leaves_no_half_written_row(db, crm, tag, monkeypatch) -> None:
    run(db, "companies", f"name\nAcme {tag}\n")
    deals = "title,company,stage\n" + "".join(f"Deal {i} {tag},Acme {tag},Proposal\n" for i in range(150))
    calls = {"n": 0}
    real = import_queries.add_stage_changes

    def fail_on_second_batch(*args, **kwargs) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # the deals of batch 2 are inserted, their history is not: the batch must vanish
            raise ConnectionError("connection lost")
        real(*args, **kwargs)

    monkeypatch.setattr(import_queries, "add_stage_changes", fail_on_second_batch)
    with pytest.raises(ConnectionError):
        run(db, "deals", deals, batch_size=100)
    assert tagged(crm, Deal, Deal.title, tag) == 100
    monkeypatch.setattr(import_queries, "add_stage_changes", real)

    summary = run(db, "deals", deals, batch_size=100)
    assert (summary.inserted, summary.unchanged) == (50, 100)
    histories = crm.scalar(
        select(func.count()).select_from(DealStageChange).join(Deal, Deal.id == DealStageChange.deal_id)
        .where(Deal.title.contains(tag))
    )
    assert histories == 150  # every deal has exactly its starting row


# --- contacts -----------------------------------------------------------------------------------


def with_companies(db, tag: str) -> None:
    run(db, "companies", f"name,domain\nAcme {tag} Ltd,acme-{tag}.com\nGlobex {tag},\n")


def test_contacts_find_their_company_by_domain_or_name_and_their_record_by_email(db, crm, tag) -> None:
    with_companies(db, tag)
    text = (
        "E-Mail,First Name,last_name,Phone,Job Title,Company\n"
        f"  JANE.{tag}@Example.com , jane ,Doe,+44 20 1234,CTO,acme-{tag}.com\n"
        f"bob.{tag}@example.com,Bob,,,,\"  ACME {tag}   LTD \"\n"
        "not-an-email,X,Y,,,\n"
        f"carl.{tag}@example.com,Carl,Z,,,Nowhere {tag} Inc\n"
        f"jane.{tag}@example.com,Janet,,,,\n"
        f"dora.{tag}@example.com,Dora,,,,\n"
    )
    summary = run(db, "contacts", text)

    assert (summary.inserted, summary.skipped) == (4, 2)
    assert errors(summary) == {
        4: "email: 'not-an-email' is not a valid email address",
        6: "duplicate of line 2",
    }
    assert warnings(summary) == {5: f"unknown company 'Nowhere {tag} Inc'; left blank"}
    jane = crm.scalars(select(Contact).where(Contact.email == f"jane.{tag}@example.com")).one()
    assert (jane.first_name, jane.job_title) == ("jane", "CTO")
    acme = company(crm, f"Acme {tag} Ltd")
    assert jane.company_id == acme.id
    bob = crm.scalars(select(Contact).where(Contact.email == f"bob.{tag}@example.com")).one()
    assert (bob.company_id, bob.last_name) == (acme.id, None)

    again = run(db, "contacts", text)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)


# --- deals --------------------------------------------------------------------------------------


def deals_file(tag: str) -> str:
    return (
        "Deal Name,Account,Stage,Value,Expected Close,Sales Rep,Contact\n"
        f"Renewal {tag},Acme {tag} Ltd, negotiation ,\"12,500.00\",31/12/2025,Emily Chen,\n"
        f"Upsell {tag},acme-{tag}.com,,1 000,2025-06-30,,\n"
        f"Bad {tag},Acme {tag} Ltd,Won-ish,5,2025-01-01,,\n"
        f"Ghost {tag},Acme {tag} Ltd,Proposal,5,2025-01-01,Nobody Here,\n"
        f"Old {tag},Acme {tag} Ltd,Proposal,5,2025-01-01,tomasz nowak,\n"
        f"Late {tag},Acme {tag} Ltd,Proposal,5,12/31/2025,,\n"
        f"Lost {tag},Nowhere {tag},Proposal,5,,,\n"
        f"Who {tag},Acme {tag} Ltd,Proposal,5,,,nobody.{tag}@example.com\n"
    )


def stage_id(crm: Session, name: str) -> int:
    return crm.scalars(select(DealStage.id).where(DealStage.name == name)).one()


def test_deals_resolve_company_stage_and_owner_by_name_and_report_unknown_ones(db, crm, tag) -> None:
    with_companies(db, tag)
    admin = principal(db, ADMIN_EMAIL)
    summary = run(db, "deals", deals_file(tag))

    assert (summary.inserted, summary.skipped) == (6, 2)
    assert errors(summary) == {
        7: "close date: '12/31/2025' is not a date: dates are read day first (dd/mm/yyyy) and 31 is no month",
        8: f"unknown company 'Nowhere {tag}'",
    }
    assert warnings(summary) == {
        4: "unknown stage 'Won-ish'; left blank",
        5: "unknown owner 'Nobody Here' (give a user's full name or email); left blank",
        6: "owner 'tomasz nowak' is deactivated; left blank",
        9: f"unknown contact 'nobody.{tag}@example.com'; left blank",
    }
    renewal = crm.scalars(select(Deal).where(Deal.title == f"Renewal {tag}")).one()
    emily = principal(db, REP_EMAIL)
    assert (renewal.amount, str(renewal.close_date), renewal.owner_id) == (Decimal("12500.00"), "2025-12-31", emily.id)
    assert renewal.stage_id == stage_id(crm, "Negotiation")
    upsell = crm.scalars(select(Deal).where(Deal.title == f"Upsell {tag}")).one()
    assert (upsell.stage_id, upsell.owner_id, upsell.amount) == (stage_id(crm, "Prospecting"), admin.id, 1000)
    history = crm.execute(select(DealStageChange.from_stage_id, DealStageChange.to_stage_id, DealStageChange.changed_by)
                          .where(DealStageChange.deal_id == renewal.id)).all()
    assert history == [(None, stage_id(crm, "Negotiation"), admin.id)]


def test_a_stage_change_on_reimport_updates_the_deal_and_adds_one_history_row(db, crm, tag) -> None:
    with_companies(db, tag)
    run(db, "deals", deals_file(tag))
    moved = f"title,company,stage\nRenewal {tag},Acme {tag} Ltd,Closed Won\nUpsell {tag},Acme {tag} Ltd,\n"
    summary = run(db, "deals", moved)

    assert (summary.updated, summary.unchanged) == (1, 1)
    renewal = crm.scalars(select(Deal).where(Deal.title == f"Renewal {tag}")).one()
    history = crm.execute(select(DealStageChange.from_stage_id, DealStageChange.to_stage_id)
                          .where(DealStageChange.deal_id == renewal.id).order_by(DealStageChange.id)).all()
    negotiation, won = stage_id(crm, "Negotiation"), stage_id(crm, "Closed Won")
    assert history == [(None, negotiation), (negotiation, won)]


def test_reimporting_deals_changes_nothing(db, tag) -> None:
    with_companies(db, tag)
    run(db, "deals", deals_file(tag))
    again = run(db, "deals", deals_file(tag))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 6)


def test_a_rep_imports_only_their_own_deals(db, crm, tag) -> None:
    with_companies(db, tag)
    text = f"title,company,owner\nMine {tag},Acme {tag} Ltd,\nTheirs {tag},Acme {tag} Ltd,aisha khan\n"
    summary = run(db, "deals", text, who=REP_EMAIL)

    assert summary.inserted == 1
    assert "crm.manage" in errors(summary)[3]
    mine = crm.scalars(select(Deal).where(Deal.title == f"Mine {tag}")).one()
    assert mine.owner_id == principal(db, REP_EMAIL).id


def test_a_rep_cannot_change_a_deal_of_another_owner(db, tag) -> None:
    with_companies(db, tag)
    run(db, "deals", f"title,company,owner,amount\nBig {tag},Acme {tag} Ltd,Aisha Khan,5\n")
    summary = run(db, "deals", f"title,company,amount\nBig {tag},Acme {tag} Ltd,6\n", who=REP_EMAIL)
    assert "belongs to another owner" in errors(summary)[2]


def test_a_batch_is_written_with_one_insert_and_one_update_statement(db, crm, tag) -> None:
    from sqlalchemy import event

    run(db, "companies", many_companies(tag, 300))
    changed = many_companies(tag, 600).replace(f"Co 0 {tag},co0-{tag}.com,0", f"Co 0 {tag},co0-{tag}.com,7")
    statements: list[str] = []

    def remember(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    event.listen(crm.connection(), "before_cursor_execute", remember)
    summary = run(db, "companies", changed, batch_size=1000)
    event.remove(crm.connection(), "before_cursor_execute", remember)

    assert (summary.inserted, summary.updated, summary.unchanged) == (300, 1, 299)
    assert (statements.count("INSERT"), statements.count("UPDATE")) == (1, 1)


# --- the command line (committed for real, so it cleans up after itself) -----------------------


@pytest.fixture
def cli_companies(seeded, tag) -> Iterator[str]:
    """The tag the CLI test's companies carry; they are deleted afterwards."""
    yield tag
    from nexus360.db import session_scope

    with session_scope(Database.CRM, admin=True) as session:
        session.execute(Company.__table__.delete().where(Company.name.contains(tag)))


def invoke(*args: str):
    from click.testing import CliRunner

    from nexus360.cli import main

    return CliRunner().invoke(main, ["import", *args], catch_exceptions=False)


def test_the_command_imports_a_file_prints_one_json_summary_and_is_audited(cli_companies, tmp_path) -> None:
    import json

    from nexus360.auth.models import AuditEvent
    from nexus360.db import session_scope

    tag = cli_companies
    path = tmp_path / "export.csv"
    path.write_text(f"Organisation;Web;Sector\nAcme {tag};acme-{tag}.com;Banking\nBad {tag};;Nowhere\n")
    result = invoke("companies", str(path), "--map", "domain=Web")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("\n") == 1  # exactly one JSON object, nothing else
    summary = json.loads(result.stdout)
    assert (summary["inserted"], summary["updated"], summary["skipped"]) == (2, 0, 0)
    assert summary["warnings"] == [{"line": 3, "column": "Sector", "value": "Nowhere",
                                    "reason": "unknown industry 'Nowhere'; left blank"}]
    again = json.loads(invoke("companies", str(path), "--map", "domain=Web").stdout)
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 2)
    with session_scope(Database.AUTH, admin=True) as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "import.companies")
                                .order_by(AuditEvent.id.desc()).limit(1)).one()
        assert (event.result, event.details["file"], event.details["unchanged"]) == ("allowed", "export.csv", 2)


def test_the_command_dry_run_writes_nothing(cli_companies, tmp_path) -> None:
    import json

    path = tmp_path / "export.csv"
    path.write_text(f"name\nAcme {cli_companies}\n")
    result = invoke("companies", str(path), "--dry-run")
    assert (json.loads(result.stdout)["inserted"], json.loads(result.stdout)["dry_run"]) == (1, True)
    again = json.loads(invoke("companies", str(path), "--dry-run").stdout)
    assert again["inserted"] == 1


def test_a_mapping_naming_a_missing_column_exits_1_with_a_clear_message(seeded, tmp_path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("name\nAcme\n")
    result = invoke("companies", str(path), "--map", "domain=Website address")
    assert result.exit_code == 1
    assert "Website address" in result.stderr and result.stdout == ""


@pytest.mark.parametrize(("content", "message"), [(b"", "empty"), (b"PK\x03\x04xlsx", "Excel"), (None, "Cannot open")])
def test_an_unreadable_file_exits_1_with_a_clear_message(seeded, tmp_path, content, message) -> None:
    path = tmp_path / "export.csv"
    if content is not None:
        path.write_bytes(content)
    result = invoke("companies", str(path))
    assert result.exit_code == 1
    assert message in result.stderr and result.stdout == ""


def test_acting_as_an_unknown_user_exits_1(seeded, tmp_path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("name\nAcme\n")
    result = invoke("companies", str(path), "--as", "nobody@example.com")
    assert result.exit_code == 1
    assert "nobody@example.com" in result.stderr


def test_the_command_acts_as_the_named_user(seeded, tmp_path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("name\nAcme\n")
    result = invoke("companies", str(path), "--as", MARKETER_EMAIL, "--dry-run")
    assert result.exit_code == 1
    assert "crm.write" in result.stderr
