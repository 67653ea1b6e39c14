"""Exports of a list to CSV and Excel that are safe to open in a spreadsheet.

A cell whose text starts with =, +, -, @, tab or carriage return could run as a formula when the file
is opened ("CSV injection", OWASP). Every such string gets a leading single quote, in CSV and in Excel
alike: an Excel file may be saved again as CSV, and the cell must stay harmless then too. Numbers,
dates and booleans are written as values, so a negative number is still a number.

One kind of text starting with + is kept as written: a phone number ("+1 555 0100", "+44 (0)20 7946 0958"):
a +, then only digits, spaces and ( ) - . with digit groups apart (a space or a parenthesis between two
of them) and 7 to 15 digits. Such a text can call no function and reach no cell, and with its groups apart
a spreadsheet cannot read it as a sum either: the quote would only spoil the number for whoever reads the
file. A + with digits a spreadsheet would compute ("+1-555-0100", "+15550100") still gets the quote.

Whole numbers stay whole: a column of ids with gaps (pandas makes it float, 301.0) is written 301.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from nexus360.common.errors import ValidationError

MAX_EXPORT_ROWS = 100_000  # one filtered list; beyond this a spreadsheet is the wrong tool
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PHONE_NUMBER = re.compile(r"\+[\d ().-]+")
_GROUPS_APART = re.compile(r"\d[ ()]+\d")  # two digit groups with no operator between them
PHONE_DIGITS = range(7, 16)  # E.164 numbers have at most 15 digits
EXCEL_MAX_CELL_CHARS = 32_767
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class ExportTooLarge(ValidationError):
    """The list is longer than an export may be; the message says how to narrow it."""


def neutralise(value: Any) -> Any:
    """A string starting with = + - @ tab or CR gets a leading ' so it reads as text; other values (and phone
    numbers such as "+1 555 0100") are kept."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES) and not is_phone_number(value):
        return "'" + value
    return value


def is_phone_number(text: str) -> bool:
    """"+1 555 0100": a + and digit groups a spreadsheet shows as text (see the module's docstring)."""
    return (
        PHONE_NUMBER.fullmatch(text) is not None
        and _GROUPS_APART.search(text) is not None
        and sum(char.isdigit() for char in text) in PHONE_DIGITS
    )


def whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with float columns whose every value is a whole number (or missing) as nullable integers."""
    whole = {}
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if pd.api.types.is_float_dtype(column):
            values = column.dropna()
            if not values.empty and np.isfinite(values).all() and (values == values.round()).all():
                whole[position] = column.astype("Int64")
    if not whole:
        return frame
    converted = frame.copy()
    for position, column in whole.items():
        converted.isetitem(position, column)
    return converted


def check_size(frame: pd.DataFrame, *, limit: int = MAX_EXPORT_ROWS) -> None:
    """ExportTooLarge if `frame` has more rows than an export may hold."""
    if len(frame) > limit:
        raise ExportTooLarge(
            f"This list has {len(frame):,} rows; an export holds at most {limit:,}. "
            "Narrow the filters and export again."
        )


def _safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell and column name neutralised (numbers and dates untouched)."""
    safe = whole_numbers(frame).copy()
    safe.columns = [neutralise(str(name)) for name in frame.columns]
    for position in range(safe.shape[1]):
        column = safe.iloc[:, position]
        if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column)):
            safe.isetitem(position, column.map(neutralise, na_action="ignore"))
    return safe


def to_csv_bytes(frame: pd.DataFrame, *, limit: int = MAX_EXPORT_ROWS) -> bytes:
    """UTF-8 CSV with a byte order mark (so Excel reads accents right), dangerous cells neutralised."""
    check_size(frame, limit=limit)
    buffer = io.BytesIO()
    _safe_frame(frame).to_csv(buffer, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return buffer.getvalue()


def to_excel_bytes(frame: pd.DataFrame, sheet_name: str = "Export", *, limit: int = MAX_EXPORT_ROWS) -> bytes:
    """An .xlsx workbook of one sheet, written row by row; text is stored as text, never as a formula."""
    check_size(frame, limit=limit)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(sheet_name))
    sheet.append([_text_cell(sheet, str(name)) for name in frame.columns])
    for row in _rows(whole_numbers(frame)):
        sheet.append([_excel_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rows(frame: pd.DataFrame) -> Iterator[tuple[Any, ...]]:
    yield from frame.itertuples(index=False, name=None)


def _sheet_title(name: str) -> str:
    cleaned = _SHEET_NAME_FORBIDDEN.sub(" ", name).strip().strip("'")
    return (cleaned or "Export")[:31]


def _text_cell(sheet: Any, text: str) -> WriteOnlyCell:
    cleaned = ILLEGAL_CHARACTERS_RE.sub("", neutralise(text))[:EXCEL_MAX_CELL_CHARS]
    cell = WriteOnlyCell(sheet, value=cleaned)
    cell.data_type = "s"  # openpyxl would store a string starting with "=" as a formula
    return cell


def _excel_cell(sheet: Any, value: Any) -> Any:
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalars
        value = value.item()
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)  # Excel has no time zones; Nexus360 keeps UTC
    if isinstance(value, bool | int | float | Decimal | date):
        return value
    return _text_cell(sheet, str(value))
