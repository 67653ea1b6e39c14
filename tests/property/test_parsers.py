"""Every parser of user input, fed anything: it answers with a value or a validation error in plain words,
never another exception."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nexus360.common import periods
from nexus360.common import text as cleaning
from nexus360.common.errors import ValidationError
from nexus360.importing import parsers
from nexus360.importing.reader import ImportFileError
from nexus360.importing.tables import open_table
from tests.property.strategies import PURE, text


@pytest.mark.parametrize("parse", [parsers.parse_text, parsers.parse_decimal, parsers.parse_int, parsers.parse_date,
                                   parsers.parse_bool, parsers.parse_email])
@PURE
@given(raw=st.none() | text)
def test_cell_parsers_give_a_value_or_a_reason(parse, raw) -> None:
    try:
        parse(raw)
    except ValueError as error:
        assert str(error).strip()
        assert "\n" not in str(error) or "\n" in (raw or "")


@PURE
@given(raw=text)
def test_cleaned_text_has_no_control_characters(raw) -> None:
    cleaned = cleaning.clean_text(raw)
    assert cleaned is None or (cleaned == cleaned.strip() and "\x00" not in cleaned)


@pytest.mark.parametrize("normalise", [cleaning.normalise_email, cleaning.normalise_domain])
@PURE
@given(raw=text)
def test_emails_and_domains_give_a_value_or_a_reason(normalise, raw) -> None:
    try:
        normalise(raw)
    except ValueError as error:
        assert str(error).strip()


@PURE
@given(raw=text | st.sampled_from(["2026-Q0", "2026-Q5", "0000-01", "9999-12", "2026-13", "2026-00", "-1-Q1"]))
def test_periods_give_a_period_or_a_validation_error(raw) -> None:
    try:
        periods.parse_period(raw)
    except ValidationError as error:
        assert str(error).strip()


csv_bytes = st.one_of(
    st.binary(max_size=2000),
    st.lists(st.lists(text, min_size=1, max_size=5), max_size=6).map(
        lambda rows: "\n".join(",".join(row) for row in rows).encode("utf-8")),
    st.sampled_from([b"", b"\xef\xbb\xbf", b"PK\x03\x04", b"a,b\n\"unterminated", b"name\n" + b"x" * 200_000,
                     b"\xff\xfen\x00a\x00m\x00e\x00", b"name;email\r\nA;b@c.de\r\n", b"\x00\x00\x00"]),
)


@PURE
@given(data=csv_bytes)
def test_any_file_csv_or_workbook_reads_as_rows_or_an_import_file_error(data) -> None:
    try:
        with open_table(io.BytesIO(data)) as table:
            for _row in table.rows():
                pass
    except ImportFileError as error:
        assert str(error).strip()
