"""Files as people export them: separators sniffed and checked, encodings with and without BOM, Excel workbooks
(typed cells, a chosen sheet), and what stops a file before anything is read into the database."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from nexus360.importing.core import ImportFileError, open_table
from nexus360.importing.reader import sniff_delimiter


def read(data: bytes, **kwargs) -> tuple[list[str], list[tuple[int, list]]]:
    with open_table(io.BytesIO(data), **kwargs) as table:
        return table.header, list(table.rows())


def workbook(*sheets: tuple[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- separators and encodings ---------------------------------------------------------------------


@pytest.mark.parametrize(("text", "delimiter"), [
    ('name,notes\nAcme,"one; two; three"\nGlobex,"a; b"\n', ","),  # semicolons inside quotes do not count
    ("name;revenue\nAcme;1.234,50\nGlobex;2,5\n", ";"),  # decimal commas do not make it comma-separated
    ("name\trevenue\nAcme\t1,234.50\n", "\t"),
    ("email\na@example.com\n", ","),  # one column: nothing to split
    ('"Company, Inc";"Revenue"\n"Acme, Inc";5\n', ";"),
])
def test_the_separator_is_sniffed_and_checked_against_the_rows(text, delimiter) -> None:
    assert sniff_delimiter(text) == delimiter


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b"")])
def test_utf8_with_or_without_bom_and_windows_1252_read_alike(encoding, bom) -> None:
    header, rows = read(bom + "Société;Chiffre d'affaires\nCafé Müller;€ 1.234,50\n".encode(encoding))
    assert header == ["Société", "Chiffre d'affaires"]
    assert rows == [(2, ["Café Müller", "€ 1.234,50"])]


# --- binary data ----------------------------------------------------------------------------------


def test_a_nul_byte_after_the_first_64_kb_stops_the_read_naming_its_line_and_column() -> None:
    data = b"name,notes\n" + b"".join(b"Company %d,fine\n" % i for i in range(5000)) + b"Broken,bad\x00byte\n"
    assert len(data) > 64 * 1024
    with pytest.raises(ImportFileError) as raised:
        read(data)
    assert str(raised.value).startswith("Line 5,002, column 'notes' holds binary data (a NUL character)")
    assert "bad" not in str(raised.value)  # the cell's content is not repeated


# --- workbooks ------------------------------------------------------------------------------------


def test_a_workbook_is_read_from_its_first_sheet_with_typed_cells_and_row_numbers() -> None:
    data = workbook(("Accounts", [["Account", "Revenue", "Founded", "Closed on"], [None], ["Acme", 1100.04, 1998,
                                                                                          datetime(2017, 3, 1)]]),
                    ("Other", [["x"], ["y"]]))
    with open_table(io.BytesIO(data)) as table:
        assert (table.sheet, table.sheets, table.header) == ("Accounts", ["Accounts", "Other"],
                                                             ["Account", "Revenue", "Founded", "Closed on"])
        assert list(table.rows()) == [(3, ["Acme", 1100.04, 1998, datetime(2017, 3, 1)])]


def test_another_sheet_can_be_chosen_and_an_unknown_one_is_named() -> None:
    data = workbook(("First", [["a"], ["1"]]), ("Deals", [["Deal", "Close"], ["Big", date(2025, 1, 2)]]))
    header, rows = read(data, sheet="Deals")
    assert header == ["Deal", "Close"] and rows[0][0] == 2
    with pytest.raises(ImportFileError, match="no sheet 'Leads'; its sheets are: 'First', 'Deals'"):
        read(data, sheet="Leads")


def test_a_csv_file_has_no_sheets() -> None:
    with pytest.raises(ImportFileError, match="A CSV file has no sheets"):
        read(b"name\nAcme\n", sheet="Sheet1")


def test_an_empty_sheet_is_named(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="The sheet 'Blank' is empty"):
        read(workbook(("Blank", [])))


@pytest.mark.parametrize(("data", "reason"), [
    (b"PK\x03\x04 this is no archive", "archive is damaged"),
    (None, "ZIP archive, not an Excel workbook"),
])
def test_a_zip_that_is_not_a_workbook_is_refused_in_plain_words(data, reason) -> None:
    if data is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("notes.txt", "hello")
        data = buffer.getvalue()
    with pytest.raises(ImportFileError, match=reason):
        read(data)


def test_a_workbook_that_unpacks_too_large_is_refused_before_it_is_read(monkeypatch) -> None:
    from nexus360.importing import workbook as module

    monkeypatch.setattr(module, "MAX_PART_BYTES", 100)
    with pytest.raises(ImportFileError, match="unpacks to more than the importer reads"):
        read(workbook(("Big", [["name"], *[[f"row {i}"] for i in range(50)]])))
