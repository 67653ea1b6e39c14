"""The importer widget under AppTest: upload, automatic mapping, the questions about unknown values, remembered
answers, preview, dry run and import; and the options it offers, as plain functions."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator

import openpyxl
import pytest
from sqlalchemy import delete, func, select
from streamlit.testing.v1 import AppTest

from nexus360.auth import service as auth_service
from nexus360.crm.models import Company, Industry
from nexus360.db import Database, session_scope
from nexus360.importing.flows import ReferenceInfo
from nexus360.importing.memory import IMPORT_CHOICES
from nexus360.importing.summary import UnknownValue
from nexus360.importing.values import Decision, Term
from nexus360.ui.importer.choices import _digest, asked, default_key, options_for, other_actions

ADMIN_EMAIL = "ingrid.solberg@nexus360.example.com"
REP_EMAIL = "emily.chen@nexus360.example.com"
MARKETER_EMAIL = "nadia.rahman@nexus360.example.com"


def importer_script() -> None:
    from nexus360.ui import importer

    importer.render(entity="companies")


def open_importer(email: str = ADMIN_EMAIL) -> AppTest:
    with session_scope(Database.AUTH) as session:
        principal = auth_service.get_principal_by_email(session, email)
    app = AppTest.from_function(importer_script, default_timeout=90)
    app.session_state["principal"] = principal
    return app.run()


def count(tag: str) -> int:
    with session_scope(Database.CRM) as session:
        return session.scalar(select(func.count()).select_from(Company).where(Company.name.contains(tag)))


@pytest.fixture
def tag(seeded) -> Iterator[str]:
    """A tag the test's companies (and industries) carry; they, and the answers remembered, go afterwards."""
    tag = uuid.uuid4().hex[:8]
    yield tag
    with session_scope(Database.CRM, admin=True) as session:
        session.execute(Company.__table__.delete().where(Company.name.contains(tag)))
        session.execute(delete(Industry).where(Industry.name.contains(tag)))
        session.execute(IMPORT_CHOICES.delete().where(IMPORT_CHOICES.c.entity == "companies"))


def upload(app: AppTest, data: str | bytes, name: str = "export.csv") -> AppTest:
    content = data.encode() if isinstance(data, str) else data
    app.file_uploader[0].set_value((name, content, "text/csv"))
    return app.run()


def file_key(app: AppTest) -> str:
    return f"import_companies_{app.file_uploader[0].value.file_id}"


def value_box(app: AppTest, field: str, value: str):
    return app.selectbox(key=f"{file_key(app)}_value_{field}_{_digest(value)}")


def metrics(app: AppTest) -> list[str]:
    return [metric.value for metric in app.metric]


# --- the page ------------------------------------------------------------------------------------


def test_an_upload_is_mapped_automatically_and_previewed_row_by_row(tag) -> None:
    app = upload(open_importer(), f"Organisation;Sector\n<b>Acme {tag}</b>;Banking\nBad {tag};Nowhere\n")

    assert not app.exception
    assert app.selectbox(key=f"{file_key(app)}_map_name").value == "Organisation"
    preview = app.dataframe[0].value
    assert list(preview["Line"]) == [2, 3]
    assert list(preview["Action"]) == ["New", "New"]
    assert preview["Left blank"][1] == "Sector: Nowhere"  # the default answer: left blank
    assert preview["company name"][0] == f"<b>Acme {tag}</b>"  # shown as text, not HTML
    assert count(tag) == 0


def test_checking_the_whole_file_writes_nothing_and_importing_shows_the_summary(tag) -> None:
    app = upload(open_importer(), f"name,industry,annual revenue\nAcme {tag},Banking,5\nBad {tag},Nowhere,lots\n")
    app.button(key="import_companies_check").click().run()
    assert not app.exception
    assert metrics(app) == ["1", "0", "0", "1", "0"]
    assert count(tag) == 0

    app.button(key="import_companies_run").click().run()
    assert not app.exception
    assert metrics(app) == ["1", "0", "0", "1", "0"]
    assert count(tag) == 1
    problems = app.dataframe[-1].value
    assert list(problems["Line"]) == [3] and "not a number" in problems["Reason"][0]


def test_after_the_import_the_preview_shows_the_rows_as_stored_not_as_new(tag) -> None:
    app = upload(open_importer(), f"name,industry\nAcme {tag},Banking\nGlobex {tag},Retail\n")
    assert list(app.dataframe[0].value["Action"]) == ["New", "New"]

    app.button(key="import_companies_run").click().run()

    assert not app.exception
    assert list(app.dataframe[0].value["Action"]) == ["Unchanged", "Unchanged"]
    assert metrics(app) == ["2", "0", "0", "0", "0"]


def test_the_preview_reads_numbers_as_the_whole_file_shows_so_an_import_leaves_nothing_to_update(tag) -> None:
    app = upload(open_importer(), f"name;annual revenue\nA {tag};1.100\nB {tag};1.100,04\n")
    assert list(app.dataframe[0].value["annual revenue"]) == ["1100", "1100.04"]  # line 3 shows a decimal comma

    app.button(key="import_companies_run").click().run()

    assert list(app.dataframe[0].value["Action"]) == ["Unchanged", "Unchanged"]


def test_unknown_values_are_asked_with_their_suggestion_and_the_answers_apply(tag) -> None:
    text = (f"account,sector,office_location\nA {tag},technolgy,Philipines\nB {tag},technolgy,USA\n"
            f"C {tag},Basket Weaving {tag},U.S.\nD {tag},medical,Atlantis\n")
    app = upload(open_importer(), text)

    assert value_box(app, "industry", "technolgy").value == "map:1"  # Software & Internet, by spelling
    assert value_box(app, "industry", "technolgy").label == "technolgy · 2 rows"
    assert value_box(app, "industry", "medical").value == "map:5"  # Healthcare, a synonym
    assert value_box(app, "industry", f"Basket Weaving {tag}").value == "blank"
    assert value_box(app, "country", "Philipines").value.startswith("map:")
    assert [box.label for box in app.selectbox if box.key and "_value_country_" in box.key] == [
        "Philipines · 1 row", "Atlantis · 1 row"]  # USA and U.S. are the United States: nothing to ask
    value_box(app, "industry", f"Basket Weaving {tag}").set_value("create").run()
    value_box(app, "country", "Atlantis").set_value("skip").run()
    app.button(key="import_companies_run").click().run()

    assert not app.exception
    assert metrics(app) == ["3", "0", "0", "1", "0"]
    with session_scope(Database.CRM) as session:
        rows = dict(session.execute(select(Company.name, Industry.name).join(Industry, isouter=True)
                                    .where(Company.name.contains(tag))).all())
    assert rows == {f"A {tag}": "Software & Internet", f"B {tag}": "Software & Internet",
                    f"C {tag}": f"Basket Weaving {tag}"}


def test_a_second_file_with_the_same_columns_is_answered_as_before(tag) -> None:
    text = f"account,sector\nA {tag},technolgy\nB {tag},Basket Weaving {tag}\n"
    app = upload(open_importer(), text)
    value_box(app, "industry", "technolgy").set_value("map:2").run()  # Financial Services, not the suggestion
    value_box(app, "industry", f"Basket Weaving {tag}").set_value("skip").run()
    app.button(key="import_companies_run").click().run()

    again = upload(open_importer(), f"Sector,Account\ntechnolgy,C {tag}\nBasket Weaving {tag},D {tag}\n")

    assert value_box(again, "industry", "technolgy").value == "map:2"
    assert value_box(again, "industry", f"Basket Weaving {tag}").value == "skip"


def test_a_workbook_is_read_with_its_dates_and_numbers_as_typed(tag) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Company", "Annual Revenue", "Industry"])
    sheet.append([f"Book {tag}", 1100.04, "Banking"])
    buffer = io.BytesIO()
    book.save(buffer)
    app = upload(open_importer(), buffer.getvalue(), "accounts.xlsx")

    assert not app.exception
    preview = app.dataframe[0].value
    assert (preview["company name"][0], preview["annual revenue"][0]) == (f"Book {tag}", "1100.04")


def test_a_nul_byte_deep_in_the_file_stops_before_anything_is_written(tag, caplog) -> None:
    rows = "".join(f"Co {i} {tag},secret-{i}\n" for i in range(3000))
    data = f"name,notes\n{rows}".encode() + f"Late {tag},bad\x00cell\n".encode()
    assert len(data) > 64 * 1024

    app = upload(open_importer(), data)

    assert not app.exception
    assert app.error[0].value.startswith("Line 3,002, column 'notes' holds binary data")
    assert not app.button  # nothing to import
    assert count(tag) == 0
    assert "secret-" not in caplog.text


def test_someone_without_crm_write_is_told_so(seeded) -> None:
    app = open_importer(MARKETER_EMAIL)
    assert not app.exception
    assert "crm.write" in app.info[0].value
    assert not app.file_uploader


def test_a_file_that_is_not_csv_gets_a_clear_message(seeded) -> None:
    app = open_importer()
    app.file_uploader[0].set_value(("book.csv", b"PK\x03\x04binary", "text/csv"))
    app.run()
    assert not app.exception
    assert "Excel workbook" in app.error[0].value


# --- the options, as functions ---------------------------------------------------------------------

INDUSTRIES = ReferenceInfo(noun="industry", required=False, can_create=True, related=None,
                           targets=[Term(1, "Software & Internet"), Term(5, "Healthcare")])
COMPANIES = ReferenceInfo(noun="company", required=True, can_create=False, related="companies", targets=None)


def unknown(value: str, *, suggestion: tuple[int, str] | None = None, decision: Decision | None = None,
            rows: int = 1) -> UnknownValue:
    return UnknownValue(value=value, rows=rows, first_line=2, reason=f"unknown '{value}'",
                        suggestion=suggestion[1] if suggestion else None,
                        suggestion_id=suggestion[0] if suggestion else None,
                        suggestion_kind="spelling" if suggestion else None, decision=decision)


def test_the_suggestion_comes_first_then_blank_skip_create_and_every_target() -> None:
    options = options_for(INDUSTRIES, unknown("technolgy", suggestion=(1, "Software & Internet")))
    assert [(option.key, option.label) for option in options] == [
        ("map:1", "Software & Internet (close spelling)"), ("blank", "Leave the industry blank"),
        ("skip", "Skip these rows"), ("create", "Create it as a new industry"), ("map:5", "Healthcare"),
    ]


def test_a_required_column_offers_no_blank_and_without_a_suggestion_defaults_to_skipping() -> None:
    value = unknown("Nowhere Ltd")
    options = options_for(COMPANIES, value)
    assert [option.key for option in options] == ["skip"]
    assert default_key(COMPANIES, value, options) == "skip"
    assert list(other_actions(COMPANIES)) == ["skip"]


def test_the_default_is_the_answer_given_before_else_the_suggestion_else_blank() -> None:
    remembered = unknown("technolgy", suggestion=(1, "Software & Internet"), decision=Decision(action="map", target=5))
    assert default_key(INDUSTRIES, remembered, options_for(INDUSTRIES, remembered)) == "map:5"
    suggested = unknown("technolgy", suggestion=(1, "Software & Internet"))
    assert default_key(INDUSTRIES, suggested, options_for(INDUSTRIES, suggested)) == "map:1"
    plain = unknown("Basket Weaving")
    assert default_key(INDUSTRIES, plain, options_for(INDUSTRIES, plain)) == "blank"


def test_a_similar_company_is_offered_but_never_chosen_for_the_person() -> None:
    value = UnknownValue(value="Acme Corp", rows=3, first_line=2, reason="unknown company 'Acme Corp'",
                         suggestion="Acme Corporation", suggestion_id=7, suggestion_kind="similar")
    options = options_for(COMPANIES, value)
    assert [option.key for option in options] == ["map:7", "skip"]
    assert default_key(COMPANIES, value, options) == "skip"


def test_companies_are_asked_one_by_one_only_where_a_similar_one_exists() -> None:
    values = [unknown("Acme Corp", suggestion=(7, "Acme Corporation")), unknown("Globex"), unknown("Initech")]
    one_by_one, others = asked(COMPANIES, values)
    assert [value.value for value in one_by_one] == ["Acme Corp"]
    assert [value.value for value in others] == ["Globex", "Initech"]
