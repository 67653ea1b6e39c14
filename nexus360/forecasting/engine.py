"""The forecast methods that need no history: weighted pipeline, category roll-ups and the factors of calls.

Pure computation (no session, no I/O), checked by hand-computed cases. Every method returns its value with
the factors that make it up: the contributing factors, each rounded to the cent, add up to the value exactly
(the value is their sum, never rounded separately), which is what the page's "why this number" waterfall
draws. Inputs are the CRM's period totals: any objects with `stage_id`, `category` and `amount`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

CENT = Decimal("0.01")
ONE = Decimal("1.00")
ZERO = Decimal("0.00")

WEIGHTED, CLOSED, COMMIT, BEST_CASE, PIPELINE = "weighted_pipeline", "closed", "commit", "best_case", "pipeline"
BASELINE, CALL, ADJUSTED_CALL = "baseline", "call", "adjusted_call"
ROLLUPS = (CLOSED, COMMIT, BEST_CASE, PIPELINE)  # each adds the next category to the one before
METHOD_LABELS = {
    WEIGHTED: "Weighted pipeline", CLOSED: "Closed", COMMIT: "Commit", BEST_CASE: "Best Case", PIPELINE: "Pipeline",
    BASELINE: "Statistical baseline", CALL: "Call", ADJUSTED_CALL: "Adjusted call",
}
CATEGORY_FACTOR = {CLOSED: "Closed (won)", COMMIT: "Commit", BEST_CASE: "Best Case", PIPELINE: "Pipeline"}


def cents(value: Decimal | float | int | str) -> Decimal:
    """Round half up to the cent, as money is stored."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


class Total(Protocol):
    stage_id: int
    category: str
    amount: Decimal


@dataclass(frozen=True)
class Stage:
    id: int
    name: str
    position: int
    probability: Decimal  # percent
    is_won: bool
    is_lost: bool


@dataclass(frozen=True)
class Factor:
    """A part of a forecast (`contributes`: the parts add up to its value) or information beside it."""

    name: str
    value: Decimal
    weight: Decimal = ONE
    contributes: bool = True


@dataclass(frozen=True)
class MethodResult:
    method: str
    value: Decimal
    factors: tuple[Factor, ...]
    low: Decimal | None = None  # the 80% interval, where the method has one
    high: Decimal | None = None
    confidence: Decimal | None = None
    explanation: str = ""
    details: dict = field(default_factory=dict, compare=False)

    @property
    def label(self) -> str:
        return METHOD_LABELS.get(self.method, self.method.replace("_", " ").capitalize())


def from_parts(method: str, parts: Sequence[Factor], *, explanation: str, info: Sequence[Factor] = (),
               **extra) -> MethodResult:
    """A result whose value is exactly the sum of its (cent-rounded) parts."""
    value = sum((part.value for part in parts), ZERO)
    return MethodResult(method=method, value=value, factors=tuple(parts) + tuple(info), explanation=explanation,
                        **extra)


def weighted_pipeline(totals: Iterable[Total], stages: dict[int, Stage]) -> MethodResult:
    """Won so far in the period plus every open deal closing in it times its stage's probability."""
    won, open_by_stage = ZERO, defaultdict(lambda: ZERO)
    for total in totals:
        stage = stages[total.stage_id]
        if stage.is_won:
            won += Decimal(total.amount)
        elif not stage.is_lost:
            open_by_stage[stage.id] += Decimal(total.amount)
    parts = [Factor("Won so far", cents(won))]
    for stage in sorted((stages[stage_id] for stage_id in open_by_stage), key=lambda stage: stage.position):
        share = stage.probability / 100
        parts.append(Factor(f"{stage.name} × {stage.probability:.0f}%", cents(open_by_stage[stage.id] * share),
                            weight=share.quantize(CENT)))
    return from_parts(WEIGHTED, parts, explanation="Won so far, plus each open deal closing in the period times its "
                                                  "stage's win probability.")


def category_sums(totals: Iterable[Total], stages: dict[int, Stage]) -> dict[str, Decimal]:
    """Amounts per category in effect, cent-rounded (lost deals and Omitted ones count nowhere)."""
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for total in totals:
        stage = stages[total.stage_id]
        if not stage.is_lost:
            sums[CLOSED if stage.is_won else total.category] += Decimal(total.amount)
    return {category: cents(sums[category]) for category in (*ROLLUPS, "omitted")}


def category_rollups(totals: Iterable[Total], stages: dict[int, Stage]) -> list[MethodResult]:
    """Closed; Commit = Closed + Commit; Best Case = Commit + Best Case; Pipeline = Best Case + Pipeline."""
    sums = category_sums(totals, stages)
    results, parts = [], []
    for category in ROLLUPS:
        parts.append(Factor(CATEGORY_FACTOR[category], sums[category]))
        included = " + ".join(part.name.split(" (")[0] for part in parts)
        explanation = ("Deals won in the period." if category == CLOSED
                       else f"{METHOD_LABELS[category]} = {included} (open deals closing in the period).")
        results.append(from_parts(category, list(parts), explanation=explanation))
    return results


def call_result(value: Decimal, *, closed: Decimal, commit: Decimal) -> MethodResult:
    """A rep's call explained against their categories: Closed + Commit + their judgement."""
    value = cents(value)
    judgement = value - closed - commit
    parts = [Factor("Closed (won)", closed), Factor("Commit", commit), Factor("Judgement beyond Commit", judgement)]
    return MethodResult(CALL, value, tuple(parts), explanation="The rep's call: what they won and committed when "
                                                               "they called, plus their judgement.")


TEAM_CALLS = "The team's calls"


def team_call_result(value: Decimal, *, members_total: Decimal) -> MethodResult:
    """A manager's call for the team: the team's calls (adjusted where adjusted) + the manager's judgement."""
    value = cents(value)
    parts = [Factor(TEAM_CALLS, members_total), Factor("Manager's judgement", value - members_total)]
    return MethodResult(CALL, value, tuple(parts), explanation="The manager's call for the team: the team's calls "
                                                               "(adjusted where adjusted), plus their judgement.")


def adjusted_call_result(value: Decimal, *, call_value: Decimal) -> MethodResult:
    """A manager's adjustment of a rep's call: the call + the adjustment."""
    value = cents(value)
    parts = [Factor("Rep's call", call_value), Factor("Manager's adjustment", value - call_value)]
    return MethodResult(ADJUSTED_CALL, value, tuple(parts), explanation="The manager's adjusted call: the rep's "
                                                                        "call plus the manager's adjustment.")


def confidence_from_interval(value: Decimal, low: Decimal | None, high: Decimal | None) -> Decimal | None:
    """100 minus the interval's half-width as a percentage of the value: ±20% reads 80, ±100% or wider 0."""
    if low is None or high is None or value <= 0:
        return None
    half_width = (Decimal(high) - Decimal(low)) / 2 / Decimal(value)
    return max(ZERO, min(Decimal(100), cents(100 * (1 - half_width))))


def coverage(open_pipeline: Decimal, *, quota: Decimal | None, won: Decimal) -> Decimal | None:
    """Open pipeline ÷ the quota still to close (None without a quota, or once the quota is reached)."""
    if quota is None or quota <= 0:
        return None
    remaining = Decimal(quota) - Decimal(won)
    if remaining <= 0:
        return None
    return (Decimal(open_pipeline) / remaining).quantize(CENT)
