"""Periods and money as every page reads them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from nexus360.common.errors import ValidationError
from nexus360.common.money import change, money, money_exact, percent
from nexus360.common.periods import Period, month_of, parse_period, quarter_of, same_days_earlier


def test_a_quarter_and_a_month_have_a_code_and_a_label() -> None:
    assert quarter_of(date(2026, 11, 29)) == Period(date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_of(date(2026, 11, 29)).code == "2026-Q4"
    assert quarter_of(date(2026, 11, 29)).label == "Q4 2026"
    assert month_of(date(2024, 2, 10)) == Period(date(2024, 2, 1), date(2024, 2, 29))
    assert month_of(date(2024, 2, 10)).code == "2024-02"
    assert Period(date(2026, 1, 3), date(2026, 2, 1)).label == "2026-01-03 to 2026-02-01"


@pytest.mark.parametrize("text", ["2026-Q3", " 2026-q3 ", "2026-07", "2026-7"])
def test_periods_are_parsed_as_people_type_them(text: str) -> None:
    assert parse_period(text).code in ("2026-Q3", "2026-07")


@pytest.mark.parametrize("text", ["2026-Q5", "2026-13", "Q3", "", "2026"])
def test_an_unknown_period_is_refused_with_the_text_typed(text: str) -> None:
    with pytest.raises(ValidationError, match="not valid"):
        parse_period(text)


def test_vs_previous_compares_the_same_number_of_days() -> None:
    current, previous = same_days_earlier(quarter_of(date(2026, 11, 29)), today=date(2026, 11, 29))
    assert current == Period(date(2026, 10, 1), date(2026, 11, 29))
    assert previous == Period(date(2026, 7, 1), date(2026, 8, 29))  # 59 days in, like today


def test_a_finished_period_is_compared_with_the_whole_previous_one() -> None:
    current, previous = same_days_earlier(quarter_of(date(2026, 5, 1)), today=date(2026, 11, 29))
    assert current == Period(date(2026, 4, 1), date(2026, 6, 30))
    assert previous == Period(date(2026, 1, 1), date(2026, 3, 31))


def test_money_reads_compact_or_exact() -> None:
    assert money(Decimal("1234567")) == "$1.2M"
    assert money(None) == "–"
    assert money_exact(Decimal("1234.5")) == "$1,234.50"
    assert money_exact(Decimal("900.00")) == "$900"
    assert percent(0.256) == "26%"


def test_a_change_that_rounds_to_zero_is_never_minus_zero() -> None:
    assert change(Decimal("999"), Decimal("1000")) == "0% vs previous period"
    assert change(110, 100) == "+10% vs previous period"
    assert change(5, 0) is None
