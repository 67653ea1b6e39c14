"""The domain-free import core: cell parsers, headers, encodings, delimiters and files that cannot be read."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from nexus360.importing.core import (
    FieldSpec,
    ImportFileError,
    ImportSummary,
    RowOutcome,
    match_columns,
    normalise_header,
    open_csv,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    parse_mapping,
    parse_text,
    read_batches,
)

FIELDS = (
    FieldSpec("name", "company name", aliases=("account", "organisation"), required=True),
    FieldSpec("email", "email", aliases=("e-mail",)),
    FieldSpec("amount", "amount", parse_decimal, aliases=("value",)),
)


def rows_of(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    with open_csv(io.BytesIO(data)) as csv_file:
        return csv_file.header, list(csv_file.rows())


# --- values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234", Decimal("1234")),
        ("1,234.50", Decimal("1234.50")),
        ("1.234,50", Decimal("1234.50")),
        ("1 234", Decimal("1234")),
        ("1\u00a0234,5", Decimal("1234.5")),
        ("$1,234", Decimal("1234")),
        ("€ 1.234.567,89", Decimal("1234567.89")),
        ("1,234,567", Decimal("1234567")),
        ("1.234.567", Decimal("1234567")),
        ("12,5", Decimal("12.5")),
        ("1.5", Decimal("1.5")),
        ("USD 2,500", Decimal("2500")),
        ("2,500 EUR", Decimal("2500")),
        ("-1,000", Decimal("-1000")),
        ("(1,000)", Decimal("-1000")),
        ("1'234.50", Decimal("1234.50")),
        ("  ", None),
        ("", None),
    ],
)
def test_numbers_are_read_with_thousands_separators_in_either_style(raw: str, expected: Decimal | None) -> None:
    assert parse_decimal(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "1,2,3", "1.234.56", "12-34", "1,234.567,8", "$"])
def test_text_that_is_not_a_number_is_refused_with_the_value_in_the_reason(raw: str) -> None:
    with pytest.raises(ValueError, match="is not a number"):
        parse_decimal(raw)


def test_whole_numbers_refuse_fractions() -> None:
    assert parse_int("1,200") == 1200
    with pytest.raises(ValueError, match="whole number"):
        parse_int("12,5")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-05", date(2024, 3, 5)),
        ("2024-03-05T10:30:00", date(2024, 3, 5)),
        ("2024/3/5", date(2024, 3, 5)),
        ("05/03/2024", date(2024, 3, 5)),
        ("5/3/2024", date(2024, 3, 5)),
        ("05.03.2024", date(2024, 3, 5)),
        ("05-03-2024", date(2024, 3, 5)),
        ("13/03/2024", date(2024, 3, 13)),
        ("05-Mar-2024", date(2024, 3, 5)),
        ("5 March 2024", date(2024, 3, 5)),
        ("05-sept-2024", date(2024, 9, 5)),
        (" ", None),
    ],
)
def test_dates_are_read_in_iso_or_day_first_form(raw: str, expected: date | None) -> None:
    assert parse_date(raw) == expected


def test_an_ambiguous_date_is_read_day_first() -> None:
    assert parse_date("03/04/2024") == date(2024, 4, 3)


@pytest.mark.parametrize(("raw", "reason"), [
    ("12/31/2024", "read day first"), ("31/02/2024", "day is out of range"), ("next week", "is not a date"),
    ("2024-13-01", "month must be in 1..12"), ("05-Foo-2024", "is not a date"),
])
def test_impossible_dates_are_refused_in_plain_words(raw: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_date(raw)


def test_text_is_trimmed_and_inner_spaces_collapse() -> None:
    assert parse_text("  Acme \t  Corp \n") == "Acme Corp"
    assert parse_text("   ") is None
    assert parse_text(None) is None


@pytest.mark.parametrize(("raw", "expected"), [("Yes", True), ("y", True), ("1", True), ("TRUE", True),
                                               ("no", False), ("0", False), ("False", False), ("", None)])
def test_booleans(raw: str, expected: bool | None) -> None:
    assert parse_bool(raw) is expected


def test_a_boolean_that_is_neither_is_refused() -> None:
    with pytest.raises(ValueError, match="not yes or no"):
        parse_bool("maybe")


# --- headers and mappings -----------------------------------------------------------------------


def test_headers_are_matched_ignoring_case_spaces_underscores_and_dashes() -> None:
    assert normalise_header("  Company_Name ") == normalise_header("company-name") == "company name"
    header = [" COMPANY NAME ", "E-Mail", "Value"]
    assert match_columns(header, FIELDS) == {"name": 0, "email": 1, "amount": 2}


def test_aliases_match_when_the_field_name_does_not() -> None:
    assert match_columns(["Organisation", "Amount"], FIELDS) == {"name": 0, "amount": 1}


def test_an_explicit_mapping_overrides_the_automatic_match() -> None:
    header = ["Account", "Legal name", "value"]
    assert match_columns(header, FIELDS, parse_mapping(["name=Legal Name"])) == {"name": 1, "amount": 2}


def test_an_empty_mapping_leaves_a_field_out() -> None:
    assert match_columns(["name", "value"], FIELDS, {"amount": ""}) == {"name": 0}


def test_a_mapping_naming_a_missing_column_is_an_import_file_error() -> None:
    with pytest.raises(ImportFileError, match="names a column the file does not have"):
        match_columns(["name"], FIELDS, {"email": "Mail address"})


def test_a_mapping_naming_an_unknown_field_is_an_import_file_error() -> None:
    with pytest.raises(ImportFileError, match="no field 'colour'"):
        match_columns(["name"], FIELDS, {"colour": "name"})


def test_a_mapping_must_be_field_equals_column() -> None:
    with pytest.raises(ImportFileError, match="FIELD=COLUMN"):
        parse_mapping(["email"])


def test_a_missing_required_column_is_an_import_file_error_that_suggests_a_mapping() -> None:
    with pytest.raises(ImportFileError, match="--map name=COLUMN"):
        match_columns(["email", "value"], FIELDS)


def test_a_file_whose_first_line_is_data_is_reported_as_having_no_header() -> None:
    with pytest.raises(ImportFileError, match="Is the first line a header"):
        match_columns(["Acme Ltd", "acme.com", "1200"], FIELDS)


# --- encodings, delimiters, line numbers --------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_common_encodings_are_detected(encoding: str) -> None:
    header, rows = rows_of("name,amount\nCafé Müller,€5\n".encode(encoding))
    assert header == ["name", "amount"]
    assert rows == [(2, ["Café Müller", "€5"])]


def test_a_stray_windows_1252_byte_in_a_utf8_file_is_read_as_windows_1252() -> None:
    data = ("name\n" + "Ünïcode\n" * 10_000).encode() + "Caf\xe9\n".encode("cp1252")
    _, rows = rows_of(data)
    assert rows[-1][1] == ["Café"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_sniffed_from_the_header(delimiter: str) -> None:
    text = delimiter.join(["name", "amount"]) + "\n" + delimiter.join(["Acme", '"1,5"']) + "\n"
    header, rows = rows_of(text.encode())
    assert header == ["name", "amount"]
    assert rows == [(2, ["Acme", "1,5"])]


def test_line_numbers_are_the_files_own_across_blank_lines_and_quoted_line_breaks() -> None:
    data = b'name,notes\r\nA,one\r\n\r\nB,"two\r\nlines"\r\nC,three\r\n'
    _, rows = rows_of(data)
    assert [(line, cells[0]) for line, cells in rows] == [(2, "A"), (4, "B"), (6, "C")]


def test_a_path_is_read_as_well_as_a_file_object(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(b"name;email\nAcme;a@b.com\n")
    with open_csv(path) as csv_file:
        assert (csv_file.delimiter, csv_file.total_bytes) == (";", path.stat().st_size)
        assert list(csv_file.rows()) == [(2, ["Acme", "a@b.com"])]


def test_batches_are_bounded_and_cells_beyond_a_short_row_are_blank() -> None:
    data = b"name,email,value\n" + b"".join(f"n{i},e{i}\n".encode() for i in range(25))
    with open_csv(io.BytesIO(data)) as csv_file:
        batches = list(read_batches(csv_file, {"name": 0, "amount": 2}, batch_size=10))
    assert [len(batch) for batch in batches] == [10, 10, 5]
    assert batches[0][0].line == 2
    assert batches[0][0].raw == {"name": "n0", "amount": None}


# --- files that cannot be imported --------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
        (b"PK\x03\x04\x14\x00\x06\x00binary", "Excel workbook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        (b'name,notes\nA,"never closed\n' + b"x" * 1_100_000, "cannot be read as CSV"),
    ],
)
def test_unreadable_files_raise_a_clear_import_file_error(data: bytes, reason: str) -> None:
    with pytest.raises(ImportFileError, match=reason):
        rows_of(data)


def test_a_missing_file_is_an_import_file_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="Cannot open"):
        open_csv(tmp_path / "nowhere.csv")


# --- summaries ----------------------------------------------------------------------------------


def test_a_summary_counts_outcomes_and_lists_errors_by_line() -> None:
    summary = ImportSummary(entity="companies")
    summary.tally([RowOutcome(2, "insert"), RowOutcome(3, "error", reason="unknown country 'Atlantis'"),
                   RowOutcome(4, "update"), RowOutcome(5, "unchanged")])
    assert (summary.rows, summary.inserted, summary.updated, summary.unchanged, summary.skipped) == (4, 1, 1, 1, 1)
    assert summary.model_dump()["errors"] == [{"line": 3, "reason": "unknown country 'Atlantis'"}]


def test_a_summary_keeps_a_readable_number_of_errors_but_counts_them_all() -> None:
    summary = ImportSummary(entity="contacts")
    summary.tally([RowOutcome(line, "error", reason="bad") for line in range(2, 1_502)])
    assert summary.skipped == 1500
    assert len(summary.errors) == 1000
    assert summary.errors_truncated
