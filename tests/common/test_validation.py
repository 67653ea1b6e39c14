"""Validation messages name the field and the reason the current input fails."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from nexus360.common.errors import ValidationError
from nexus360.common.money import Money
from nexus360.common.validation import parse
from nexus360.crm.deals.schemas import DealCreate

DEAL = {"title": "Renewal", "company_id": 1, "stage_id": 1, "owner_id": 1}


@pytest.mark.parametrize(("amount", "message"), [
    ("12345.678", "Amount can have at most 2 decimal places (not 12345.678)."),
    ("-500", "Amount must not be negative."),
    ("99999999999999999", "Amount is too large."),
])
def test_an_amount_is_refused_for_its_own_reason(amount: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse(DealCreate, **{**DEAL, "amount": amount})
    assert str(refused.value) == message


def test_a_blank_title_and_a_negative_amount_are_both_named() -> None:
    with pytest.raises(ValidationError) as refused:
        parse(DealCreate, **{**DEAL, "title": " ", "amount": "-500"})
    assert str(refused.value) == "Title is required. Amount must not be negative."


class Rule(BaseModel):
    points: int = Field(ge=-100, le=100)
    budget: float = Field(default=0, ge=0)
    amount: Money | None = None


@pytest.mark.parametrize(("values", "message"), [
    ({"points": 5000}, "Points must be at most 100."),
    ({"points": -500}, "Points must be at least -100."),
    ({"points": 1, "budget": -100}, "Budget must not be negative."),
    ({"points": 1, "amount": "12345.678"}, "Amount can have at most 2 decimal places (not 12345.678)."),
    ({"points": 1, "amount": "12345678901234"}, "Amount is too large: at most 13 digits before the decimal point."),
])
def test_a_number_out_of_its_range_names_the_field_and_the_limit(values: dict, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse(Rule, **values)
    assert str(error.value) == message
