"""Every importer fed a file of hostile cells: the file is refused with a message, or each row is imported or
reported with a reason: the rows read equal what was imported plus what was reported."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nexus360.auth import service as auth_service
from nexus360.db import Database
from nexus360.importing.core import ImportFileError, run_import
from nexus360.importing.registry import get_importer, importer_names
from tests.conftest import savepoints
from tests.property.strategies import ON_DATABASE, text

ADMIN_EMAIL = "ingrid.solberg@nexus360.example.com"
cells = text | st.sampled_from(["", "1", "-1", "1,234.50", "1.234,50", "99999999999999999999", "31/02/2026",
                                "0001-01-01", "9999-12-31", "someone@example.com", "Emily Chen", "Prospecting"])


def as_csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize("entity", importer_names())
@ON_DATABASE
@given(data=st.data())
def test_importers_take_any_cells(db, entity, data) -> None:
    spec = get_importer(entity)
    header = [field.name for field in spec.fields]
    rows = data.draw(st.lists(st.lists(cells, min_size=len(header), max_size=len(header)), min_size=1, max_size=4))
    admin = auth_service.get_principal_by_email(db(Database.AUTH), ADMIN_EMAIL)
    session = db(spec.database)
    outer = session.begin_nested()  # the example's rows vanish before the next example
    try:
        summary = run_import(spec, io.BytesIO(as_csv(header, rows)), principal=admin, sessions=savepoints(db),
                             batch_size=2)
    except ImportFileError as refusal:
        assert str(refusal).strip()
        return
    finally:
        outer.rollback()
    written = [row for row in rows if any(character.isalnum() for cell in row for character in cell)]
    assert len(written) <= summary.rows <= len(rows)  # blank rows are passed over
    assert summary.inserted + summary.updated + summary.unchanged + summary.skipped == summary.rows
    assert all(error.reason.strip() for error in summary.errors)
