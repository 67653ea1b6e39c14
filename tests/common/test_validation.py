"""Validation messages name the field and the reason the current input fails."""

from __future__ import annotations

import pytest

from nexus360.common.errors import ValidationError
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
