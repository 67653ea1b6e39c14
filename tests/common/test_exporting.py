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


PHONE_NUMBERS = ["+1 555 0100", "+44 (0)20 7946 0958", "+49 30 1234-5678", "+33 1.23.45.67.89", "+1 (555) 010-0100"]


@pytest.mark.parametrize("phone", PHONE_NUMBERS)
def test_a_phone_number_is_kept_as_written_in_csv_and_excel(phone: str) -> None:
    assert neutralise(phone) == phone
    assert read_csv(to_csv_bytes(pd.DataFrame({"phone": [phone]})))[1] == [phone]
    assert read_excel(to_excel_bytes(pd.DataFrame({"phone": [phone]})))[1] == [phone]


# What a spreadsheet would compute (a sum, a number) or could run keeps its quote, however much it looks like a phone.
@pytest.mark.parametrize("text", ["+1-555-0100", "+15550100100", "+1 -2", "+1+2", "+12 34", "+1 555 0100 x",
                                  "+1 555 0100=1", "+1 234 567 890 123 456 7", "+ 1"])
def test_text_a_spreadsheet_would_compute_is_still_neutralised(text: str) -> None:
    assert neutralise(text) == "'" + text


def test_whole_numbers_with_gaps_are_written_as_integers_not_floats() -> None:
    ids = pd.DataFrame({"deal_id": [301.0, None, 2006.0], "amount": [1.5, None, 2.0], "email": ["a", "b", None]})
    assert read_csv(to_csv_bytes(ids)) == [["deal_id", "amount", "email"], ["301", "1.5", "a"], ["", "", "b"],
                                           ["2006", "2.0", ""]]
    rows = read_excel(to_excel_bytes(ids))
    assert rows[1:] == [[301, 1.5, "a"], [None, None, "b"], [2006, 2, None]]
    assert isinstance(rows[1][0], int)
