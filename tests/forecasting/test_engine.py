"""The methods without history, by hand: weighted pipeline, category roll-ups, calls, confidence, coverage."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from nexus360.forecasting import engine

STAGES = {
    1: engine.Stage(1, "Prospecting", 1, Decimal("10"), False, False),
    3: engine.Stage(3, "Needs Analysis", 3, Decimal("40"), False, False),
    5: engine.Stage(5, "Negotiation", 5, Decimal("80"), False, False),
    6: engine.Stage(6, "Closed Won", 6, Decimal("100"), True, False),
    7: engine.Stage(7, "Closed Lost", 7, Decimal("0"), False, True),
}


@dataclass(frozen=True)
class Total:
    stage_id: int
    category: str
    amount: Decimal


def totals(*rows: tuple[int, str, str]) -> list[Total]:
    return [Total(stage, category, Decimal(amount)) for stage, category, amount in rows]


def test_weighted_pipeline_is_won_plus_each_open_stage_times_its_probability():
    result = engine.weighted_pipeline(totals((6, "closed", "50000"), (1, "pipeline", "10000"),
                                             (3, "best_case", "20000"), (5, "commit", "30000"),
                                             (7, "omitted", "99999")), STAGES)

    assert result.value == Decimal("50000") + Decimal("1000") + Decimal("8000") + Decimal("24000")
    assert [(f.name, f.value) for f in result.factors] == [
        ("Won so far", Decimal("50000.00")), ("Prospecting × 10%", Decimal("1000.00")),
        ("Needs Analysis × 40%", Decimal("8000.00")), ("Negotiation × 80%", Decimal("24000.00"))]


def test_factors_are_rounded_to_the_cent_and_the_value_is_their_sum():
    result = engine.weighted_pipeline(totals((1, "pipeline", "0.05"), (1, "pipeline", "0.10"),
                                             (3, "best_case", "33.33")), STAGES)

    assert [f.value for f in result.factors] == [Decimal("0.00"), Decimal("0.02"), Decimal("13.33")]
    assert result.value == Decimal("13.35") == sum(f.value for f in result.factors)


def test_category_rollups_are_cumulative_and_leave_omitted_and_lost_out():
    rows = totals((6, "closed", "100"), (5, "commit", "40"), (3, "best_case", "30"), (3, "commit", "5"),
                  (1, "pipeline", "20"), (1, "omitted", "1000"), (7, "omitted", "500"))

    closed, commit, best, pipeline = engine.category_rollups(rows, STAGES)

    assert (closed.value, commit.value, best.value, pipeline.value) == (100, 145, 175, 195)
    assert [f.name for f in pipeline.factors] == ["Closed (won)", "Commit", "Best Case", "Pipeline"]
    assert engine.category_sums(rows, STAGES)["omitted"] == Decimal("1000.00")


def test_a_won_deal_counts_as_closed_whatever_category_it_carried():
    sums = engine.category_sums(totals((6, "commit", "70")), STAGES)

    assert sums["closed"] == 70 and sums["commit"] == 0


def test_a_call_is_explained_as_closed_plus_commit_plus_judgement():
    call = engine.call_result(Decimal("1000.005"), closed=Decimal("600"), commit=Decimal("300"))

    assert call.value == Decimal("1000.01")
    assert [f.value for f in call.factors] == [Decimal("600"), Decimal("300"), Decimal("100.01")]


def test_an_adjustment_is_the_call_plus_the_managers_change():
    adjusted = engine.adjusted_call_result(Decimal("800"), call_value=Decimal("1000"))

    assert [(f.name, f.value) for f in adjusted.factors] == [("Rep's call", 1000), ("Manager's adjustment", -200)]
    assert adjusted.value == sum(f.value for f in adjusted.factors)


def test_confidence_is_one_hundred_minus_the_half_width_in_percent():
    assert engine.confidence_from_interval(Decimal(100), Decimal(80), Decimal(120)) == Decimal("80.00")
    assert engine.confidence_from_interval(Decimal(100), Decimal(0), Decimal(300)) == Decimal("0.00")
    assert engine.confidence_from_interval(Decimal(0), Decimal(0), Decimal(1)) is None
    assert engine.confidence_from_interval(Decimal(100), None, None) is None


def test_coverage_is_open_pipeline_over_the_quota_still_to_close():
    assert engine.coverage(Decimal(300), quota=Decimal(250), won=Decimal(150)) == Decimal("3.00")
    assert engine.coverage(Decimal(300), quota=Decimal(250), won=Decimal(250)) is None
    assert engine.coverage(Decimal(300), quota=None, won=Decimal(0)) is None
