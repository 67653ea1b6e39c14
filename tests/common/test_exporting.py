"""Exports to CSV and Excel: dangerous cells are neutralised, everything else survives the round trip."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

from nexus360.common.exporting import ExportTooLarge, neutralise, to_csv_bytes, to_excel_bytes

DANGEROUS = ["=HYPERLINK(\"http://evil\")", "+1+2", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_each_dangerous_prefix_gets_a_leading_quote(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Acme", " =not at the start", "", "a=b", 5, -5, Decimal("-1.5"), None])
def test_harmless_values_and_non_strings_are_kept(value: object) -> None:
    assert neutralise(value) == value


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_excel(data: bytes) -> list[list[object]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Company": ["<b>Acme</b> & Co", "=cmd|' /C calc'!A0", "Müller GmbH", None],
            "Amount": [Decimal("1234.50"), Decimal("-5"), Decimal("0"), None],
            "Deals": [3, -1, 0, 2],
            "Close": [date(2025, 1, 31), None, date(2024, 12, 1), None],
        }
    )


def test_a_csv_export_neutralises_formulas_and_keeps_html_and_accents_as_text() -> None:
    rows = read_csv(to_csv_bytes(frame()))
    assert rows[0] == ["Company", "Amount", "Deals", "Close"]
    assert rows[1] == ["<b>Acme</b> & Co", "1234.50", "3", "2025-01-31"]
    assert rows[2] == ["'=cmd|' /C calc'!A0", "-5", "-1", ""]
    assert rows[3][0] == "Müller GmbH"
    assert rows[4] == ["", "", "2", ""]


@pytest.mark.parametrize("text", DANGEROUS)
def test_no_csv_cell_starts_with_a_dangerous_character(text: str) -> None:
    rows = read_csv(to_csv_bytes(pd.DataFrame({text: [text, f"plain {text}"]})))
    assert rows == [["'" + text], ["'" + text], [f"plain {text}"]]


def test_an_excel_export_stores_text_as_text_and_numbers_as_numbers() -> None:
    rows = read_excel(to_excel_bytes(frame(), "Companies"))
    assert rows[0] == ["Company", "Amount", "Deals", "Close"]
    assert rows[1][:3] == ["<b>Acme</b> & Co", 1234.5, 3]
    assert rows[1][3] == datetime(2025, 1, 31)
    assert rows[2][:3] == ["'=cmd|' /C calc'!A0", -5, -1]
    assert rows[4] == [None, None, 2, None]


@pytest.mark.parametrize("text", DANGEROUS)
def test_no_excel_cell_is_a_formula(text: str) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(to_excel_bytes(pd.DataFrame({"name": [text]})))).active
    cell = sheet["A2"]
    assert cell.data_type == "s"
    # An XML parser reads a lone CR back as a line feed (openpyxl's own), lxml keeps it: either way text.
    assert cell.value in ("'" + text, "'" + text.replace("\r", "\n"))


def test_excel_gets_naive_utc_times_and_a_valid_sheet_name() -> None:
    moment = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    workbook = openpyxl.load_workbook(io.BytesIO(to_excel_bytes(pd.DataFrame({"at": [moment]}), "Q1: [deals]/won")))
    assert workbook.sheetnames == ["Q1   deals  won"]
    assert workbook.active["A2"].value == datetime(2025, 3, 1, 12, 0)


def test_control_characters_excel_cannot_hold_are_dropped() -> None:
    rows = read_excel(to_excel_bytes(pd.DataFrame({"name": ["bell\x07 here"]})))
    assert rows[1] == ["bell here"]


def test_an_export_beyond_the_row_limit_is_refused_with_a_clear_message() -> None:
    big = pd.DataFrame({"n": range(11)})
    with pytest.raises(ExportTooLarge, match="at most 10"):
        to_csv_bytes(big, limit=10)
    with pytest.raises(ExportTooLarge, match="Narrow the filters"):
        to_excel_bytes(big, limit=10)
