"""`python -m nexus360 import`: the questions about unknown values answered with options, a dry run that lists
them for a script to decide, remembered answers, workbooks, formats, progress, and files that stop early.

These runs commit, so every name carries a tag and is deleted afterwards (with the answers remembered)."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, select

from nexus360.cli import main
from nexus360.crm.models import Company, Industry
from nexus360.db import Database, session_scope
from nexus360.importing.memory import IMPORT_CHOICES


@pytest.fixture
def tag(seeded) -> Iterator[str]:
    tag = uuid.uuid4().hex[:8]
    yield tag
    with session_scope(Database.CRM, admin=True) as session:
        session.execute(delete(Company).where(Company.name.contains(tag)))
        session.execute(delete(Industry).where(Industry.name.contains(tag)))
        session.execute(IMPORT_CHOICES.delete().where(IMPORT_CHOICES.c.entity == "companies"))


def invoke(*args: str):
    return CliRunner().invoke(main, ["import", *args], catch_exceptions=False)


def summary_of(result) -> dict:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def accounts(tmp_path: Path, tag: str) -> Path:
    path = tmp_path / "accounts.csv"
    path.write_text(f"account,sector,office_location\nA {tag},technolgy,Philipines\nB {tag},technolgy,USA\n"
                    f"C {tag},Crafts {tag},U.S.\nD {tag},medical,Atlantis\nE {tag},Crafts {tag},Japan\n")
    return path


def companies(tag: str) -> dict[str, str | None]:
    with session_scope(Database.CRM) as session:
        rows = session.execute(select(Company.name, Industry.name).join(Industry, isouter=True)
                               .where(Company.name.contains(tag)))
        return dict(rows.all())


def test_a_dry_run_lists_the_unknown_values_with_counts_and_suggestions_and_writes_nothing(tag, tmp_path) -> None:
    summary = summary_of(invoke("companies", str(accounts(tmp_path, tag)), "--dry-run"))

    assert {name: [(v["value"], v["rows"], v["first_line"], v["suggestion"], v["suggestion_kind"]) for v in values]
            for name, values in summary["unknown"].items()} == {
        "industry": [("technolgy", 2, 2, "Software & Internet", "spelling"), (f"Crafts {tag}", 2, 4, None, None),
                     ("medical", 1, 5, "Healthcare", "synonym")],
        "country": [("Philipines", 1, 2, "Philippines", "spelling"), ("Atlantis", 1, 5, None, None)],
    }
    assert (summary["inserted"], summary["warned"], summary["dry_run"]) == (5, 7, True)
    assert companies(tag) == {}


def test_answers_on_the_command_line_map_create_blank_and_skip(tag, tmp_path) -> None:
    summary = summary_of(invoke(
        "companies", str(accounts(tmp_path, tag)), "--map-value", "sector:technolgy=software & internet",
        "--map-value", "industry:medical=Healthcare", "--create-missing", "industry",
        "--map-value", "office_location:Philipines=PH", "--skip-unknown", "country"))

    assert (summary["inserted"], summary["skipped"], summary["warned"]) == (4, 1, 0)
    assert summary["created"] == {"industry": [f"Crafts {tag}"]}
    assert summary["errors"] == [{"line": 5, "reason": "unknown country 'Atlantis' (rows with it are skipped, "
                                                        "as chosen)"}]
    assert companies(tag) == {f"A {tag}": "Software & Internet", f"B {tag}": "Software & Internet",
                              f"C {tag}": f"Crafts {tag}", f"E {tag}": f"Crafts {tag}"}


def test_accepting_the_suggestions_and_leaving_the_rest_blank(tag, tmp_path) -> None:
    summary = summary_of(invoke("companies", str(accounts(tmp_path, tag)), "--accept-suggestions",
                                "--blank-unknown", "industry", "--blank-unknown", "office_location"))
    assert (summary["inserted"], summary["warned"]) == (5, 0)
    assert companies(tag)[f"D {tag}"] == "Healthcare"


def test_the_second_import_applies_the_answers_given_before_and_changes_nothing(tag, tmp_path) -> None:
    path = accounts(tmp_path, tag)
    summary_of(invoke("companies", str(path), "--accept-suggestions", "--map-value", f"sector:Crafts {tag}=+",
                      "--blank-unknown", "country"))

    again = summary_of(invoke("companies", str(path)))

    assert (again["inserted"], again["updated"], again["unchanged"], again["warned"], again["created"]) == (
        0, 0, 5, 0, {})
    assert all(value["decision"] for values in again["unknown"].values() for value in values)
    assert any("--ignore-remembered" in note for note in again["notes"])
    fresh = summary_of(invoke("companies", str(path), "--ignore-remembered", "--dry-run"))
    assert fresh["warned"] == 5  # technolgy x2, medical, Philipines, Atlantis: blank again without the answers


@pytest.mark.parametrize(("option", "message"), [
    ("sector", "write COLUMN:VALUE=TARGET"),
    ("colour:red=blue", "--map-value colour: no column of values to decide is called that"),
    ("sector:technolgy=Tech Stuff", "--map-value sector:technolgy=Tech Stuff: unknown industry 'Tech Stuff'."),
])
def test_a_wrong_answer_exits_1_naming_it_and_writes_nothing(tag, tmp_path, option, message) -> None:
    result = invoke("companies", str(accounts(tmp_path, tag)), "--map-value", option)
    assert result.exit_code == 1
    assert message in result.stderr and result.stdout == ""
    assert companies(tag) == {}


def test_creating_industries_needs_crm_manage(tag, tmp_path) -> None:
    result = invoke("companies", str(accounts(tmp_path, tag)), "--create-missing", "industry",
                    "--as", "emily.chen@nexus360.example.com")
    assert result.exit_code == 1
    assert "crm.manage" in result.stderr
    assert companies(tag) == {}


def test_a_workbook_sheet_with_month_first_dates_and_decimal_commas(tag, tmp_path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Accounts")
    sheet.append(["Account", "Revenue"])
    sheet.append([f"Book {tag}", "1.100,04"])
    path = tmp_path / "accounts.xlsx"
    book.save(path)

    summary = summary_of(invoke("companies", str(path), "--sheet", "Accounts", "--decimal", "comma"))

    assert summary["inserted"] == 1
    with session_scope(Database.CRM) as session:
        revenue = session.scalar(select(Company.annual_revenue).where(Company.name == f"Book {tag}"))
    assert str(revenue) == "1100.04"


def test_progress_goes_to_stderr_and_stdout_stays_one_json_document(tag, tmp_path) -> None:
    result = invoke("companies", str(accounts(tmp_path, tag)), "--dry-run")
    assert result.stdout.count("\n") == 1
    assert "Checking the file: 5 rows (100%)" in result.stderr and "Importing: 5 rows (100%)" in result.stderr


def test_a_nul_byte_deep_in_the_file_exits_1_before_anything_is_written(tag, tmp_path) -> None:
    path = tmp_path / "big.csv"
    body = "".join(f"Co {i} {tag},x\n" for i in range(5000))
    path.write_bytes(f"name,notes\n{body}".encode() + b"Last,bad\x00\n")
    result = invoke("companies", str(path))
    assert result.exit_code == 1
    assert "Line 5,002, column 'notes' holds binary data" in result.stderr
    with session_scope(Database.CRM) as session:
        assert session.scalar(select(func.count()).select_from(Company).where(Company.name.contains(tag))) == 0


def test_a_workbook_in_memory_is_read_like_a_file(tmp_path) -> None:
    """The page hands uploads in as file objects; the CLI as paths: both open the same way."""
    from nexus360.importing.core import open_table

    book = openpyxl.Workbook()
    book.active.append(["name"])
    book.active.append(["Acme"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    with open_table(buffer) as table:
        assert list(table.rows()) == [(2, ["Acme"])]


def test_deals_naming_companies_not_in_the_crm_name_them_and_say_which_file_to_import_first(tag, tmp_path) -> None:
    path = tmp_path / "pipeline.csv"
    path.write_text(f"deal title,company\nD1 {tag},Nowhere {tag}\nD2 {tag},Nowhere {tag}\nD3 {tag},Elsewhere {tag}\n")
    try:
        result = invoke("deals", str(path), "--dry-run")
    finally:
        with session_scope(Database.CRM, admin=True) as session:
            session.execute(IMPORT_CHOICES.delete().where(IMPORT_CHOICES.c.entity == "deals"))
    summary = summary_of(result)

    note = (f"2 companies named in column company are not in the CRM (3 rows): 'Nowhere {tag}', 'Elsewhere {tag}'. "
            "Import the companies file first (python -m nexus360 import companies FILE), or map a name to a similar "
            'one with --map-value company:NAME=TARGET; "unknown" lists each with its rows and similar name.')
    assert note in summary["notes"] and note in result.stderr
    assert summary["skipped"] == 3
