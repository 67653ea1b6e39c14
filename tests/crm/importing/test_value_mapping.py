"""A real CRM export lands whole once its questions are answered: unknown industries, countries, stages, owners
and companies are mapped, created, left blank or skipped as decided; the answers are remembered; the second
import of the same files asks nothing and changes nothing."""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from nexus360.common.errors import AuthorizationError, ValidationError
from nexus360.crm.importing import repository as import_queries
from nexus360.crm.models import Company, Country, Deal, DealStage, Industry
from nexus360.db import Database
from nexus360.db.engine import set_actor
from nexus360.importing import memory
from nexus360.importing.answers import accept_suggestions
from nexus360.importing.core import ImportInterrupted, ImportPlan, ImportSummary, check_file, run_import
from nexus360.importing.parsers import Formats
from nexus360.importing.registry import get_importer
from nexus360.importing.values import Decision, ValueChoices
from tests.conftest import savepoints
from tests.crm.importing.exports import ACCOUNTS, LOCATIONS, SECTORS, write_accounts, write_opportunities
from tests.crm.importing.test_import import ADMIN_EMAIL, REP_EMAIL, principal


@pytest.fixture
def tag() -> str:
    return uuid.uuid4().hex[:8]


def check(db, entity: str, path: Path, *, who: str = ADMIN_EMAIL, plan: ImportPlan | None = None):
    return check_file(get_importer(entity), path, principal=principal(db, who), sessions=savepoints(db), plan=plan)


def run(db, entity: str, path: Path, *, who: str = ADMIN_EMAIL, **kwargs) -> ImportSummary:
    return run_import(get_importer(entity), path, principal=principal(db, who), sessions=savepoints(db), **kwargs)


def answered(report, choices: ValueChoices | None = None, **values: dict[str, Decision]) -> ValueChoices:
    """The suggestions accepted, with `values` (field -> value -> decision) on top."""
    extra = ValueChoices()
    for name, decisions in values.items():
        for value, decision in decisions.items():
            extra.choose(name, value, decision)
    return accept_suggestions(report, (choices or ValueChoices()).merged(extra))


# --- the real export ------------------------------------------------------------------------------


def test_a_real_export_lands_whole_once_its_questions_are_answered_and_a_second_import_changes_nothing(
    db, tmp_path, tag
) -> None:
    crm = db(Database.CRM)
    accounts = write_accounts(tmp_path / "accounts.csv", tag)
    pipeline = write_opportunities(tmp_path / "sales_pipeline.csv", tag, rows=880)

    # The accounts: what the file's sectors and locations are, with row counts and suggestions.
    report = check(db, "companies", accounts.path)
    assert {v.value.lower(): (v.rows, v.suggestion) for v in report.unknown["industry"]} == {
        "technolgy": (12, "Software & Internet"), "medical": (12, "Healthcare"), "finance": (9, "Financial Services"),
        "marketing": (8, "Professional Services"), "software": (7, "Software & Internet"),
        "entertainment": (6, "Media & Entertainment"), "employment": (5, "Professional Services"),
        "services": (4, "Professional Services"),
    }
    assert {v.value: (v.rows, v.suggestion) for v in report.unknown["country"]} == {
        "Philipines": (5, "Philippines"), "Korea": (4, "South Korea")}  # USA, U.S., united states: no question
    accounts_plan = ImportPlan(choices=answered(report, industry={"marketing": Decision(action="create")}))

    summary = run(db, "companies", accounts.path, plan=accounts_plan)

    assert (summary.inserted, summary.skipped, summary.warned) == (ACCOUNTS, 0, 0)
    assert summary.created == {"industry": ["marketing"]}
    by_industry = dict(crm.execute(
        select(Industry.name, func.count()).join(Company, Company.industry_id == Industry.id)
        .where(Company.name.contains(tag)).group_by(Industry.name)).all())
    assert by_industry == {"Software & Internet": 19, "Healthcare": 12, "Retail": 17, "Financial Services": 9,
                           "marketing": 8, "Media & Entertainment": 6, "Telecommunications": 5,
                           "Professional Services": 9}
    us = crm.scalar(select(func.count()).select_from(Company).join(Country).where(
        Company.name.contains(tag), Country.iso_code_2 == "US"))
    assert us == sum(count for name, count in LOCATIONS.items() if name.lower().replace(".", "") in (
        "united states", "usa", "us"))

    # The opportunities: the accounts file is in, "Acme Corp" is suggested as "Acme Corporation", never merged.
    report = check(db, "deals", pipeline.path)
    assert [(v.value, v.suggestion) for v in report.unknown["company"]] == [
        (f"Acme Corp {tag}", f"Acme Corporation {tag}")]
    stages = {v.value: (v.rows, v.suggestion) for v in report.unknown["stage"]}
    assert stages == {"Lost": (stages["Lost"][0], "Closed Lost"), "Won": (stages["Won"][0], "Closed Won"),
                      "Engaging": (stages["Engaging"][0], "Qualification")}
    owners = {v.value: v.suggestion for v in report.unknown["owner"]}
    assert len(owners) == 33 and owners["Emily Chn"] == "Emily Chen"  # "aisha khan" is Aisha Khan: no question
    assert report.detected == Formats(decimal_mark=None, date_order="mdy")  # 5/18/2017 says month first
    acme = report.unknown["company"][0]
    assert answered(report).decision("company", acme.value) is None  # a similar name is never taken unasked
    deals_plan = ImportPlan(choices=answered(report, ValueChoices(unknown={"owner": "blank"}), company={
        acme.value: Decision(action="map", target=acme.suggestion_id, label=acme.suggestion)}))

    summary = run(db, "deals", pipeline.path, plan=deals_plan)

    assert (summary.inserted, summary.skipped, summary.warned) == (pipeline.with_account, pipeline.without_account, 0)
    assert {error.reason for error in summary.errors} == {"company: is required"}
    acme = crm.scalars(select(Company.id).where(Company.name == f"Acme Corporation {tag}")).one()
    assert crm.scalar(select(func.count()).select_from(Deal).where(Deal.company_id == acme)) == (
        pipeline.account_spellings[f"Acme Corporation {tag}"] + pipeline.account_spellings[f"Acme Corp {tag}"]
        + sum(n for name, n in pipeline.account_spellings.items()
              if name != f"Acme Corporation {tag}" and " ".join(name.split()).lower() == f"acme corporation {tag}"))
    won = crm.scalar(select(func.count()).select_from(Deal).join(DealStage).where(
        Deal.title.contains(tag), DealStage.name == "Closed Won"))
    assert won == stages["Won"][0] - _without_account(pipeline, "Won")

    # The same files again, with the answers remembered: nothing to ask, nothing changes.
    for entity, path, plan in (("companies", accounts.path, accounts_plan), ("deals", pipeline.path, deals_plan)):
        remembered = _remember_and_recall(db, entity, path, plan)
        again = check(db, entity, path, plan=ImportPlan(choices=remembered.choices))
        assert all(value.decision is not None for values in again.unknown.values() for value in values)
        second = run(db, entity, path, plan=ImportPlan(choices=remembered.choices))
        assert (second.inserted, second.updated, second.warned, second.created) == (0, 0, 0, {})


def _without_account(pipeline, stage: str) -> int:
    lines = pipeline.path.read_text().splitlines()[1:]
    return sum(1 for line in lines if line.split(",")[3] == "" and line.split(",")[4] == stage)


def _remember_and_recall(db, entity: str, path: Path, plan: ImportPlan) -> memory.Remembered:
    session = db(Database.CRM)
    admin = principal(db, ADMIN_EMAIL)
    set_actor(session, admin)
    header = path.read_text().splitlines()[0].split(",")
    memory.remember(session, user_id=admin.id, entity=entity, header=header,
                    chosen=memory.Remembered(choices=plan.choices))
    return memory.recall(session, user_id=admin.id, entity=entity, header=list(reversed(header)))


# --- mixed encodings and separators ---------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8-sig", ","), ("cp1252", ";"), ("utf-8", "\t")])
def test_the_accounts_land_alike_in_any_encoding_and_separator(db, tmp_path, tag, encoding, delimiter) -> None:
    accounts = write_accounts(tmp_path / "accounts.csv", tag, encoding=encoding, delimiter=delimiter)
    summary = run(db, "companies", accounts.path)
    assert (summary.inserted, summary.skipped) == (ACCOUNTS, 0)
    assert summary.warned == sum(SECTORS[s] for s in ("technolgy", "medical", "software", "entertainment",
                                                      "marketing", "finance", "services", "employment")) + 9
    assert {w.column for w in summary.warnings} == {"sector", "office_location"}


# --- decisions ------------------------------------------------------------------------------------


def companies_file(tmp_path: Path, tag: str) -> Path:
    path = tmp_path / "companies.csv"
    path.write_text(f"name,industry,country\nA {tag},Biotech {tag},DE\nB {tag},Biotech {tag},Atlantis\n"
                    f"C {tag},Crafts {tag},Atlantis\nD {tag},crafts {tag},fr\n")
    return path


def test_each_decision_does_what_it_says(db, tmp_path, tag) -> None:
    choices = ValueChoices()
    choices.choose("industry", f"Biotech {tag}", Decision(action="create"))
    choices.choose("industry", f"CRAFTS {tag}", Decision(action="skip"))
    choices.choose("country", "Atlantis", Decision(action="map", target=_country(db, "GR"), label="Greece"))

    summary = run(db, "companies", companies_file(tmp_path, tag), plan=ImportPlan(choices=choices))

    assert (summary.inserted, summary.skipped, summary.warned) == (2, 2, 0)
    assert {error.reason for error in summary.errors} == {
        f"unknown industry 'Crafts {tag}' (rows with it are skipped, as chosen)",
        f"unknown industry 'crafts {tag}' (rows with it are skipped, as chosen)"}
    crm = db(Database.CRM)
    rows = crm.execute(select(Company.name, Industry.name, Country.iso_code_2).join(Industry).join(Country)
                       .where(Company.name.contains(tag)).order_by(Company.name)).all()
    assert rows == [(f"A {tag}", f"Biotech {tag}", "DE"), (f"B {tag}", f"Biotech {tag}", "GR")]


def test_a_dry_run_creates_nothing_but_says_what_it_would_create(db, tmp_path, tag) -> None:
    choices = ValueChoices(unknown={"industry": "create"})
    summary = run(db, "companies", companies_file(tmp_path, tag), plan=ImportPlan(choices=choices), dry_run=True)
    assert summary.created == {"industry": [f"Biotech {tag}", f"Crafts {tag}"]}
    assert summary.inserted == 4
    assert db(Database.CRM).scalar(select(func.count()).select_from(Industry).where(Industry.name.contains(tag))) == 0


def test_creating_an_industry_needs_crm_manage_and_refuses_before_anything_is_written(db, tmp_path, tag) -> None:
    plan = ImportPlan(choices=ValueChoices(unknown={"industry": "create"}))
    with pytest.raises(AuthorizationError, match="crm.manage"):
        run(db, "companies", companies_file(tmp_path, tag), who=REP_EMAIL, plan=plan)
    assert db(Database.CRM).scalar(select(func.count()).select_from(Company).where(Company.name.contains(tag))) == 0


def test_countries_cannot_be_created(db, tmp_path, tag) -> None:
    plan = ImportPlan(choices=ValueChoices(unknown={"country": "create"}))
    with pytest.raises(ValidationError, match="Country values cannot be created by an import"):
        run(db, "companies", companies_file(tmp_path, tag), plan=plan)


def test_a_remembered_answer_whose_target_is_gone_is_dropped_with_a_note(db, tmp_path, tag) -> None:
    choices = ValueChoices()
    choices.choose("industry", f"Biotech {tag}", Decision(action="map", target=987654, label="Deleted sector"))
    summary = run(db, "companies", companies_file(tmp_path, tag), plan=ImportPlan(choices=choices))
    assert summary.inserted == 4
    assert f"The choice to map industry 'biotech {tag}' to 'Deleted sector' was dropped" in summary.notes[0]


def test_a_required_company_that_names_nothing_skips_the_row_an_optional_one_is_left_blank(db, tmp_path, tag) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(f"email,company\na.{tag}@example.com,Nowhere {tag}\n")
    contacts = run(db, "contacts", path)
    assert (contacts.inserted, contacts.warned) == (1, 1)
    path.write_text(f"title,company\nDeal {tag},Nowhere {tag}\n")
    deals = run(db, "deals", path)
    assert (deals.inserted, deals.skipped) == (0, 1)
    assert deals.errors[0].reason == f"unknown company 'Nowhere {tag}'"
    assert deals.unknown["company"][0].value == f"Nowhere {tag}"


def test_a_company_matches_whatever_its_case_and_spacing(db, tmp_path, tag) -> None:
    path = tmp_path / "companies.csv"
    path.write_text(f"name\nAcme Corporation {tag}\n")
    run(db, "companies", path)
    path.write_text(f"title,company\nOne {tag},  ACME   corporation {tag} \nTwo {tag},acme corporation {tag}\n")
    assert run(db, "deals", path).inserted == 2


# --- numbers with a locale -------------------------------------------------------------------------


def test_a_file_with_decimal_commas_reads_its_thousands_right(db, tmp_path, tag) -> None:
    path = tmp_path / "umsatz.csv"
    path.write_text(f"Firma;Umsatz\nA {tag};1.100,04\nB {tag};1.100\nC {tag};2,5\n", encoding="cp1252")
    summary = run(db, "companies", path, mapping={"name": "Firma", "annual_revenue": "Umsatz"})
    assert summary.formats["decimal_mark"] == ","
    revenue = dict(db(Database.CRM).execute(select(Company.name, Company.annual_revenue)
                                            .where(Company.name.contains(tag))).all())
    assert revenue == {f"A {tag}": Decimal("1100.04"), f"B {tag}": Decimal("1100"), f"C {tag}": Decimal("2.5")}
    assert "1.100 is 1100" in summary.notes[0]


# --- failures half-way ------------------------------------------------------------------------------


def test_a_database_error_half_way_says_what_was_saved_and_logs_no_row_values(db, tmp_path, tag, monkeypatch,
                                                                                caplog) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(f"name\nAcme {tag}\n")
    run(db, "companies", path)
    path.write_text("title,company,amount\n" + "".join(f"Secret {i} {tag},Acme {tag},{i}\n" for i in range(150)))
    calls = {"n": 0}
    real = import_queries.add_stage_changes

    def fail_on_second_batch(session, *args, **kwargs) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            session.execute(text("SELECT 1 / 0 WHERE CAST(:secret AS text) IS NOT NULL"), {"secret": f"Secret {tag}"})
        real(session, *args, **kwargs)

    monkeypatch.setattr(import_queries, "add_stage_changes", fail_on_second_batch)
    with caplog.at_level(logging.INFO), pytest.raises(ImportInterrupted) as raised:
        run(db, "deals", path, batch_size=100)
    message = str(raised.value)
    assert message.startswith("The import stopped at the batch starting on line 102: the database refused it")
    assert "the 100 rows before it were saved; import the same file again to finish" in message
    assert raised.value.__suppress_context__  # the SQL and its parameters are not chained into tracebacks
    assert "DivisionByZero" in caplog.text and "Secret" not in caplog.text


def _country(db, code: str) -> int:
    return db(Database.CRM).scalars(select(Country.id).where(Country.iso_code_2 == code)).one()
