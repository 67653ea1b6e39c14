"""The importer widget under AppTest: upload, automatic mapping, preview, dry run and import."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from nexus360.auth import service as auth_service
from nexus360.crm.models import Company
from nexus360.db import Database, session_scope

ADMIN_EMAIL = "ingrid.solberg@nexus360.example.com"


def importer_script() -> None:
    from nexus360.ui import importer

    importer.render(entity="companies")


def open_importer(email: str = ADMIN_EMAIL) -> AppTest:
    with session_scope(Database.AUTH) as session:
        principal = auth_service.get_principal_by_email(session, email)
    app = AppTest.from_function(importer_script, default_timeout=60)
    app.session_state["principal"] = principal
    return app.run()


def count(tag: str) -> int:
    with session_scope(Database.CRM) as session:
        return session.scalar(select(func.count()).select_from(Company).where(Company.name.contains(tag)))


@pytest.fixture
def tag(seeded) -> Iterator[str]:
    tag = uuid.uuid4().hex[:8]
    yield tag
    with session_scope(Database.CRM, admin=True) as session:
        session.execute(Company.__table__.delete().where(Company.name.contains(tag)))


def upload(app: AppTest, text: str) -> AppTest:
    app.file_uploader[0].set_value(("export.csv", text.encode(), "text/csv"))
    return app.run()


def test_an_upload_is_mapped_automatically_and_previewed_row_by_row(tag) -> None:
    app = upload(open_importer(), f"Organisation;Sector\n<b>Acme {tag}</b>;Banking\nBad {tag};Nowhere\n")

    assert not app.exception
    assert app.selectbox(key=f"import_companies_{app.file_uploader[0].value.file_id}_map_name").value == "Organisation"
    preview = app.dataframe[0].value
    assert list(preview["Line"]) == [2, 3]
    assert list(preview["Action"]) == ["New", "Problem"]
    assert preview["Problem"][1] == "unknown industry 'Nowhere'"
    assert preview["company name"][0] == f"<b>Acme {tag}</b>"  # shown as text, not HTML
    assert count(tag) == 0


def test_checking_the_whole_file_writes_nothing_and_importing_shows_the_summary(tag) -> None:
    app = upload(open_importer(), f"name,industry\nAcme {tag},Banking\nBad {tag},Nowhere\n")
    app.button(key="import_companies_check").click().run()
    assert not app.exception
    assert [metric.value for metric in app.metric] == ["1", "0", "0", "1"]
    assert count(tag) == 0

    app.button(key="import_companies_run").click().run()
    assert not app.exception
    assert [metric.value for metric in app.metric] == ["1", "0", "0", "1"]
    assert list(app.dataframe[1].value["Line"]) == [3]
    assert count(tag) == 1


def test_a_file_that_is_not_csv_gets_a_clear_message(seeded) -> None:
    app = open_importer()
    app.file_uploader[0].set_value(("book.csv", b"PK\x03\x04binary", "text/csv"))
    app.run()
    assert not app.exception
    assert "Excel workbook" in app.error[0].value


def test_someone_without_crm_write_is_told_so(seeded) -> None:
    app = open_importer("nadia.rahman@nexus360.example.com")
    assert not app.exception
    assert "crm.write" in app.info[0].value
    assert not app.file_uploader
