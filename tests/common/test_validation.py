"""Pydantic errors become one sentence that names the field and says what it may be."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from nexus360.common.errors import ValidationError
from nexus360.common.money import Money
from nexus360.common.validation import parse


class Rule(BaseModel):
    points: int = Field(ge=-100, le=100)
    budget: float = Field(default=0, ge=0)
    amount: Money | None = None


@pytest.mark.parametrize(("values", "message"), [
    ({"points": 5000}, "Points must be at most 100."),
    ({"points": -500}, "Points must be at least -100."),
    ({"points": 1, "budget": -100}, "Budget must not be negative."),
    ({"points": 1, "amount": "12345.678"}, "Amount can have at most 2 decimals."),
    ({"points": 1, "amount": "12345678901234"}, "Amount is too large: at most 13 digits before the decimal point."),
])
def test_a_number_out_of_its_range_names_the_field_and_the_limit(values: dict, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse(Rule, **values)
    assert str(error.value) == message
