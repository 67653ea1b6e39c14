"""The commission engine against hand-computed cases (pure functions, no database)."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from nexus360.common.errors import ValidationError
from nexus360.compensation.engine import Rule, WonDeal, compute_statement
from nexus360.compensation.rules.service import describe_rule, validate_rule

Q3 = (date(2026, 7, 1), date(2026, 9, 30))
REP = 900101


def deal(deal_id: int, amount: str, close: date = date(2026, 8, 15), **extra) -> WonDeal:
    return WonDeal(id=deal_id, amount=Decimal(amount), close_date=close, stage="Closed Won", **extra)


def rule(rule_id: int, kind: str, criteria: dict, rate: str = "0", start=date(2026, 1, 1), end=None) -> Rule:
    return Rule(id=rule_id, name=f"Rule {rule_id}", type=kind, criteria=criteria, rate=Decimal(rate),
                start_date=start, end_date=end)


def statement(deals, rules, **extra):
    return compute_statement(user_id=REP, period_start=Q3[0], period_end=Q3[1], deals=deals, rules=rules, **extra)


TIERS = {"tiers": [{"up_to": 100_000, "rate": 5}, {"above": 100_000, "rate": 8}]}


def test_flat_rule_pays_its_rate_on_each_won_deal() -> None:
    result = statement([deal(1, "10000"), deal(2, "1234.57")], [rule(1, "flat", {}, "5")])
    assert [(line.deal_id, line.amount) for line in result.lines] == [(1, Decimal("500.00")), (2, Decimal("61.73"))]
    assert result.revenue == Decimal("11234.57")
    assert result.commission == Decimal("561.73")


def test_amounts_round_half_up_to_cents() -> None:
    result = statement([deal(1, "2.50")], [rule(1, "flat", {}, "5")])  # 0.125
    assert result.lines[0].amount == Decimal("0.13")


def test_tiered_rule_splits_revenue_across_the_band_boundary() -> None:
    result = statement([deal(1, "60000"), deal(2, "70000")], [rule(1, "tiered", TIERS, "8")])
    assert [(line.kind, line.basis, line.rate, line.amount) for line in result.lines] == [
        ("tier", Decimal("100000.00"), Decimal(5), Decimal("5000.00")),
        ("tier", Decimal("30000.00"), Decimal(8), Decimal("2400.00")),
    ]
    assert result.commission == Decimal("7400.00")
    assert "tier 2" in result.lines[1].explanation


def test_tiered_rule_below_the_first_boundary_pays_one_band() -> None:
    result = statement([deal(1, "40000")], [rule(1, "tiered", TIERS)])
    assert [line.amount for line in result.lines] == [Decimal("2000.00")]


def test_bonus_is_paid_once_when_attainment_reaches_quota() -> None:
    bonus = rule(1, "bonus", {"min_attainment": 1.0, "amount": 2000})
    reached = statement([deal(1, "60000"), deal(2, "70000")], [bonus], quota=Decimal("120000"))
    missed = statement([deal(1, "60000"), deal(2, "50000")], [bonus], quota=Decimal("120000"))
    assert [(line.kind, line.amount) for line in reached.lines] == [("bonus", Decimal("2000.00"))]
    assert reached.attainment == Decimal("1.0833")
    assert missed.lines == [] and missed.commission == 0


def test_bonus_on_revenue_threshold() -> None:
    bonus = rule(1, "bonus", {"min_revenue": 100_000, "amount": "1500.50"})
    assert statement([deal(1, "100000")], [bonus]).commission == Decimal("1500.50")
    assert statement([deal(1, "99999.99")], [bonus]).commission == 0


def test_overlapping_rules_all_apply_and_each_line_names_its_rule() -> None:
    rules = [rule(1, "flat", {}, "5"), rule(2, "flat", {"industries": [3]}, "2")]
    result = statement([deal(1, "10000", industry_id=3), deal(2, "20000", industry_id=4)], rules)
    assert [(line.rule_id, line.deal_id, line.amount) for line in result.lines] == [
        (1, 1, Decimal("500.00")), (1, 2, Decimal("1000.00")), (2, 1, Decimal("200.00")),
    ]
    assert result.commission == Decimal("1700.00")
    assert all(f"Rule {line.rule_id}" in line.explanation for line in result.lines)


def test_filters_select_deals_by_amount_country_customer_and_role() -> None:
    criteria = {"min_amount": 5000, "max_amount": 50000, "countries": [1], "new_customer": True,
                "owner_roles": ["sales_rep"]}
    deals = [deal(1, "10000", country_id=1, is_new_customer=True), deal(2, "10000", country_id=2, is_new_customer=True),
             deal(3, "60000", country_id=1, is_new_customer=True), deal(4, "10000", country_id=1)]
    rules = [rule(1, "flat", criteria, "10")]
    assert [line.deal_id for line in statement(deals, rules, roles=["sales_rep"]).lines] == [1]
    assert statement(deals, rules, roles=["marketer"]).lines == []


def test_lost_or_refunded_deals_earn_nothing() -> None:
    result = statement([deal(1, "10000"), deal(2, "50000", is_won=False)], [rule(1, "flat", {}, "5")])
    assert [line.deal_id for line in result.lines] == [1]
    assert result.revenue == Decimal("10000.00")


def test_period_boundaries_include_first_and_last_day_only() -> None:
    deals = [deal(1, "100", date(2026, 6, 30)), deal(2, "200", date(2026, 7, 1)), deal(3, "300", date(2026, 9, 30)),
             deal(4, "400", date(2026, 10, 1))]
    result = statement(deals, [rule(1, "flat", {}, "10")])
    assert [line.deal_id for line in result.lines] == [2, 3]
    assert result.revenue == Decimal("500.00")


def test_rules_apply_only_when_in_force_during_the_period() -> None:
    rules = [rule(1, "flat", {}, "1", end=date(2026, 6, 30)), rule(2, "flat", {}, "2", start=date(2026, 9, 30)),
             rule(3, "flat", {}, "3", start=date(2026, 10, 1))]
    assert {line.rule_id for line in statement([deal(1, "1000")], rules).lines} == {2}


def test_same_inputs_in_any_order_give_the_same_statement() -> None:
    deals = [deal(i, f"{1000 * i}.55", date(2026, 7, i)) for i in range(1, 20)]
    rules = [rule(1, "flat", {}, "5"), rule(2, "tiered", TIERS), rule(3, "bonus", {"min_deals": 10, "amount": 500})]
    first = statement(deals, rules, quota=Decimal("100000"))
    shuffled = deals[:]
    random.Random(7).shuffle(shuffled)
    assert statement(shuffled, list(reversed(rules)), quota=Decimal("100000")) == first


# --- rule validation and description ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        ([{"up_to": 100, "rate": 5}, {"up_to": 50, "rate": 8}], "ascending"),
        ([{"up_to": 100, "rate": 5}, {"above": 150, "rate": 8}], "must start where"),
        ([{"above": 0, "rate": 5}, {"up_to": 100, "rate": 8}], "last tier"),
        ([{"up_to": 100, "above": 0, "rate": 5}], "either"),
    ],
)
def test_tier_bands_must_ascend_without_gaps(tiers, message) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_rule(name="T", type="tiered", criteria={"tiers": tiers}, rate=0, start_date=date(2026, 1, 1))


def test_unknown_criteria_and_bad_rules_get_plain_messages() -> None:
    with pytest.raises(ValidationError, match="Colour is not a known field"):
        validate_rule(name="F", type="flat", criteria={"colour": "red"}, rate=5, start_date=date(2026, 1, 1))
    with pytest.raises(ValidationError, match="type must be one of"):
        validate_rule(name="F", type="spiff", criteria={}, rate=5, start_date=date(2026, 1, 1))
    with pytest.raises(ValidationError, match="needs a condition"):
        validate_rule(name="B", type="bonus", criteria={"amount": 100}, rate=0, start_date=date(2026, 1, 1))
    with pytest.raises(ValidationError, match="End date"):
        validate_rule(name="F", type="flat", criteria={}, rate=5, start_date=date(2026, 2, 1),
                      end_date=date(2026, 1, 1))


def test_a_rule_says_in_plain_words_what_it_pays() -> None:
    flat = SimpleNamespace(type="flat", criteria={"industries": [3], "min_amount": 10000}, rate=Decimal("5.00"))
    tiered = SimpleNamespace(type="tiered", criteria=TIERS, rate=Decimal("0"))
    bonus = SimpleNamespace(type="bonus", criteria={"min_attainment": 1, "amount": 2000}, rate=Decimal("0"))
    assert describe_rule(flat, industries={3: "Software & Internet"}) == (
        "Pays 5% of each won deal in Software & Internet over $10,000."
    )
    assert describe_rule(tiered) == "Pays 5% up to $100,000, 8% above $100,000 of the period's won revenue."
    assert describe_rule(bonus) == "Pays a bonus of $2,000 when attainment reaches 100% of quota."
