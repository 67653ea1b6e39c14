"""Numbers and dates as people write them, read the file's way: a chosen (or detected) decimal mark and date
order, suffixes like 1.1k, Excel serial dates and typed workbook cells; and how a file's values show its way."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from nexus360.importing.parsers import (
    Formats,
    ambiguous_number,
    date_evidence,
    number_evidence,
    parse_date,
    parse_decimal,
    parse_int,
    parse_text,
)

COMMA = Formats(decimal_mark=",")
POINT = Formats(decimal_mark=".")
MONTH_FIRST = Formats(date_order="mdy")


@pytest.mark.parametrize(("raw", "formats", "expected"), [
    ("1,100.04", POINT, Decimal("1100.04")),
    ("1.100,04", COMMA, Decimal("1100.04")),
    ("1.100", COMMA, Decimal("1100")),  # a German thousand, not one point one
    ("1.100", POINT, Decimal("1.100")),
    ("2,500", COMMA, Decimal("2.500")),
    ("2,500", POINT, Decimal("2500")),
    ("$1,100", POINT, Decimal("1100")),
    ("1.1k", POINT, Decimal("1100")),
    ("1,1k", COMMA, Decimal("1100")),
    ("2.5M", POINT, Decimal("2500000")),
    ("3bn", POINT, Decimal("3000000000")),
    ("(1.234,5)", COMMA, Decimal("-1234.5")),
    ("1 234,5", COMMA, Decimal("1234.5")),
])
def test_numbers_are_read_with_the_files_decimal_mark(raw, formats, expected) -> None:
    assert parse_decimal(raw, formats) == expected


@pytest.mark.parametrize(("raw", "formats"), [("1,100.04", COMMA), ("1.100,04", POINT), ("1,5", POINT)])
def test_a_number_written_the_other_way_is_refused_naming_the_expected_way(raw, formats) -> None:
    with pytest.raises(ValueError, match=f"'{raw}' is not a number written"):
        parse_decimal(raw, formats)


def test_a_multiplied_number_keeps_no_spurious_decimals() -> None:
    assert str(parse_decimal("1.1k")) == "1100"
    assert str(parse_decimal("1.25k")) == "1250"
    assert parse_int("1.2k") == 1200


def test_typed_cells_are_taken_as_they_are() -> None:
    assert parse_decimal(1100.04) == Decimal("1100.04")
    assert parse_decimal(1100) == Decimal(1100)
    assert parse_date(datetime(2017, 3, 1, 0, 0)) == date(2017, 3, 1)
    assert parse_date(42795) == date(2017, 3, 1)  # a serial in a cell not formatted as a date
    assert parse_text(1100.0) == "1100"
    assert parse_text(datetime(2017, 3, 1)) == "2017-03-01"


@pytest.mark.parametrize(("raw", "formats", "expected"), [
    ("3/1/2017", Formats(), date(2017, 1, 3)),
    ("3/1/2017", MONTH_FIRST, date(2017, 3, 1)),
    ("12/31/2025", MONTH_FIRST, date(2025, 12, 31)),
    ("3/1/17", MONTH_FIRST, date(2017, 3, 1)),
    ("31.12.99", Formats(), date(1999, 12, 31)),
    ("42795", Formats(), date(2017, 3, 1)),  # Excel's serial number for 2017-03-01
    ("42795.5", Formats(), date(2017, 3, 1)),
    ("20170301", Formats(), date(2017, 3, 1)),
    ("March 1, 2017", Formats(), date(2017, 3, 1)),
    ("Mar 1st 2017", Formats(), date(2017, 3, 1)),
    ("2017-03-01 10:30", MONTH_FIRST, date(2017, 3, 1)),
])
def test_dates_are_read_in_the_files_order(raw, formats, expected) -> None:
    assert parse_date(raw, formats) == expected


def test_a_date_impossible_in_the_chosen_order_says_the_order() -> None:
    with pytest.raises(ValueError, match=r"read month first \(mm/dd/yyyy\) and 31 is no month"):
        parse_date("31/1/2017", MONTH_FIRST)


@pytest.mark.parametrize("raw", ["2017", "1234", "123456"])
def test_numbers_that_are_not_five_digits_are_not_taken_for_serial_dates(raw) -> None:
    with pytest.raises(ValueError, match="is not a date"):
        parse_date(raw)


@pytest.mark.parametrize(("raw", "mark"), [("1.234,5", ","), ("1,234.5", "."), ("12,5", ","), ("1.25", "."),
                                           ("1.234.567", ","), ("1,234,567", "."), ("1,100", None),
                                           ("1.100", None), ("1100", None), ("", None)])
def test_a_number_shows_its_decimal_mark_only_when_it_can_be_read_one_way(raw, mark) -> None:
    assert number_evidence(raw) == mark


def test_a_number_with_one_mark_and_three_digits_after_reads_either_way() -> None:
    assert ambiguous_number("1,100") and ambiguous_number("$2.500")
    assert not ambiguous_number("1,100.04") and not ambiguous_number("12,5") and not ambiguous_number("1100")


@pytest.mark.parametrize(("raw", "order"), [("31/12/2025", "dmy"), ("12/31/2025", "mdy"), ("3/1/2017", None),
                                            ("2017-03-01", None), ("13.1.2020", "dmy")])
def test_a_date_shows_its_order_only_when_it_can_be_read_one_way(raw, order) -> None:
    assert date_evidence(raw) == order


def test_a_whole_number_with_one_mark_and_three_digits_groups_thousands_unless_the_file_says_otherwise() -> None:
    assert parse_int("1.200") == parse_int("1,200") == parse_int("1 200") == 1200
    with pytest.raises(ValueError, match="not a whole number"):
        parse_int("1.200", POINT)  # the file writes decimal points: 1.2 employees is no whole number
