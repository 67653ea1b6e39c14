"""Pydantic shapes of the compensation domain: a rule's criteria and the rule itself, statements and their
lines, period summaries, disputes and history, a run's result and the what-if.

Rates are percentages (5 means 5%). A flat rule pays `commission_rules.rate` % of each qualifying won
deal. A tiered rule pays each band's rate on the part of the rep's period revenue (from qualifying
deals) inside the band. A bonus pays a fixed `amount` once when its condition is met, or, without an
amount, `rate` % of each qualifying deal (a kicker).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError

from nexus360.common.errors import ValidationError
from nexus360.common.validation import describe

RULE_TYPES = ("flat", "tiered", "bonus")
DRAFT, PENDING, APPROVED, PAID = "draft", "pending_approval", "approved", "paid"
LOCKED = (APPROVED, PAID)
OPEN, ACCEPTED, REJECTED = "open", "accepted", "rejected"  # a dispute's status

# --- a rule's criteria (commission_rules.criteria) ------------------------------------------------------


class DealFilters(BaseModel):
    """Which won deals a rule looks at; every filter left out matches everything."""

    model_config = ConfigDict(extra="forbid")

    stages: list[str] | None = None
    industries: list[int] | None = None
    countries: list[int] | None = None
    min_amount: Decimal | None = Field(default=None, ge=0)
    max_amount: Decimal | None = Field(default=None, ge=0)
    new_customer: bool | None = None
    owner_roles: list[str] | None = None
    months: list[int] | None = None  # close months (1-12)
    quota: Decimal | None = Field(default=None, gt=0)
    # Older rules carry these; they only restate the defaults.
    applies_to: Literal["closed_won"] | None = None
    basis: Literal["deal_amount"] | None = None
    period: Literal["month", "quarter"] | None = None
    extra_rate: Decimal | None = None

    @model_validator(mode="after")
    def _check_ranges(self) -> DealFilters:
        if self.min_amount is not None and self.max_amount is not None and self.min_amount > self.max_amount:
            raise ValueError("Minimum amount must not be above the maximum amount.")
        if self.months is not None and any(not 1 <= month <= 12 for month in self.months):
            raise ValueError("Months must be between 1 and 12.")
        return self


class FlatCriteria(DealFilters):
    pass


class Tier(BaseModel):
    model_config = ConfigDict(extra="forbid")

    up_to: Decimal | None = Field(default=None, gt=0)
    above: Decimal | None = Field(default=None, ge=0)
    rate: Decimal = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _one_bound(self) -> Tier:
        if (self.up_to is None) == (self.above is None):
            raise ValueError("Each tier needs either 'up_to' or 'above' (not both).")
        return self


class TieredCriteria(DealFilters):
    tiers: list[Tier] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_bands(self) -> TieredCriteria:
        previous = Decimal(0)
        for index, tier in enumerate(self.tiers):
            if tier.above is not None:
                if index != len(self.tiers) - 1:
                    raise ValueError("Only the last tier may be an 'above' tier.")
                if tier.above != previous:
                    raise ValueError(f"The 'above' tier must start where the previous tier ends ({previous:,}).")
            else:
                if tier.up_to <= previous:
                    raise ValueError("Tiers must be in ascending order of 'up_to'.")
                previous = tier.up_to
        return self

    def bands(self) -> list[tuple[Decimal, Decimal | None, Decimal]]:
        """(from, to or None for no limit, rate) per tier, in order."""
        bands, lower = [], Decimal(0)
        for tier in self.tiers:
            if tier.up_to is not None:
                bands.append((lower, tier.up_to, tier.rate))
                lower = tier.up_to
            else:
                bands.append((lower, None, tier.rate))
        return bands


class BonusCriteria(DealFilters):
    min_revenue: Decimal | None = Field(default=None, ge=0)
    min_attainment: Decimal | None = Field(default=None, gt=0)
    min_deals: int | None = Field(default=None, ge=1)
    amount: Decimal | None = Field(default=None, gt=0)

    def has_condition(self) -> bool:
        return any(value is not None for value in (self.min_revenue, self.min_attainment, self.min_deals))


CRITERIA_MODELS: dict[str, type[DealFilters]] = {"flat": FlatCriteria, "tiered": TieredCriteria, "bonus": BonusCriteria}


# The criteria's fields as the rule form names them, so that a refusal names the field a manager sees.
CRITERIA_WORDS = {
    "min_amount": "Minimum deal amount", "max_amount": "Maximum deal amount", "quota": "Quota for the period",
    "months": "Close months", "amount": "Fixed bonus", "min_revenue": "When revenue reaches",
    "min_attainment": "When attainment reaches", "min_deals": "When deals won reach", "up_to": "Up to",
}


def parse_criteria(rule_type: str, criteria: Mapping[str, Any] | None) -> DealFilters:
    """The typed criteria of a rule; ValidationError with plain words, naming the form's fields, when they do
    not fit."""
    if rule_type not in CRITERIA_MODELS:
        raise ValidationError(f"Rule type must be one of {', '.join(RULE_TYPES)}.")
    try:
        return CRITERIA_MODELS[rule_type].model_validate(dict(criteria or {}))
    except PydanticValidationError as error:
        raise ValidationError(" ".join(dict.fromkeys(_criteria_problem(item) for item in error.errors()))) from None


def _criteria_problem(error: Any) -> str:
    loc = tuple(error.get("loc") or ())
    field = CRITERIA_WORDS.get(str(loc[-1]), str(loc[-1])) if loc else ""
    if len(loc) >= 2 and loc[0] == "tiers" and isinstance(loc[1], int):
        field = f"Tier band {loc[1] + 1}: {field.replace('_', ' ').lower()}"
    return describe({**error, "loc": (field,) if field else ()})


# --- rules ------------------------------------------------------------------------------------------------


class RuleCreate(BaseModel):
    name: str
    type: Literal["flat", "tiered", "bonus"]
    rate: Decimal
    criteria: dict
    start_date: date
    end_date: date | None = None


class RuleUpdate(RuleCreate):
    """Every field of the rule, replaced as a whole."""


class RuleRead(BaseModel):
    id: int
    name: str
    type: str
    rate: Decimal
    criteria: dict
    start_date: date
    end_date: date | None
    description: str
    in_force: bool


# --- statements -------------------------------------------------------------------------------------------


class StatementLine(BaseModel):
    id: int
    kind: str  # deal, tier, bonus, adjustment
    deal_id: int | None
    rule_id: int | None
    basis: Decimal | None
    rate: Decimal | None
    amount: Decimal
    explanation: str
    reason: str | None = None
    created_by: int | None = None
    created_at: datetime | None = None


class Statement(BaseModel):
    id: int
    user_id: int
    period_start: date
    period_end: date
    revenue: Decimal
    commission: Decimal
    quota: Decimal | None
    status: str
    lines: list[StatementLine] = []

    @property
    def attainment(self) -> Decimal | None:
        return (self.revenue / self.quota).quantize(Decimal("0.0001")) if self.quota else None


class PeriodSummary(BaseModel):
    """One rep's statement for one period, without its lines, with its open-dispute count."""

    user_id: int
    period_start: date
    period_end: date
    label: str
    revenue: Decimal
    commission: Decimal
    quota: Decimal | None
    attainment: float | None
    status: str
    open_disputes: int


class EarningsOverview(BaseModel):
    current: PeriodSummary | None  # the rep's latest statement that has started
    ytd_commission: Decimal
    ytd_revenue: Decimal


class PeriodChoice(NamedTuple):
    start: date
    end: date
    summary: str  # 'LABEL (3 approved, 2 pending approval)'


class RunResult(BaseModel):
    period_start: date
    period_end: date
    label: str
    statements: int
    total_revenue: Decimal
    total_commission: Decimal


# --- disputes and history ---------------------------------------------------------------------------------


class Dispute(BaseModel):
    id: int
    line_id: int | None
    performance_id: int
    user_id: int
    comment: str
    status: str
    resolution: str | None = None
    resolved_by: int | None = None
    created_at: datetime
    resolved_at: datetime | None = None
    period_start: date | None = None  # of the disputed statement, so a list can say which period
    period_end: date | None = None
    line_explanation: str | None = None  # what the disputed line says it pays for
    line_deal_id: int | None = None  # the deal the disputed line pays for, to name it


class HistoryEntry(BaseModel):
    """A status change, adjustment, or a dispute opened or resolved on a statement."""

    at: datetime
    user_id: int | None  # who did it
    action: str  # computed, submitted, approved, ..., dispute_opened, dispute_accepted, dispute_rejected
    from_status: str | None = None
    to_status: str | None = None
    comment: str | None = None
    line_id: int | None = None


# --- what-if ----------------------------------------------------------------------------------------------


class DealChoice(BaseModel):
    """An open deal the rep may try in the what-if."""

    id: int
    name: str
    amount: Decimal
    expected_close_date: date | None


class WhatIf(BaseModel):
    period: str
    current_commission: Decimal
    projected_commission: Decimal
    difference: Decimal
    current_revenue: Decimal
    projected_revenue: Decimal
    quota: Decimal | None
    projected_attainment: float | None
    tier_reached: str | None
    lines: list[StatementLine]
