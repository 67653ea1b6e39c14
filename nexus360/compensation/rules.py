"""Commission rules: the schema of `criteria` per rule type, validation and a plain-words description.

Rates are percentages (5 means 5%). A flat rule pays `commission_rules.rate` % of each qualifying won
deal. A tiered rule pays each band's rate on the part of the rep's period revenue (from qualifying
deals) inside the band. A bonus pays a fixed `amount` once when its condition is met, or, without an
amount, `rate` % of each qualifying deal (a kicker).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError

from nexus360.common.errors import ValidationError
from nexus360.common.validation import friendly

RULE_TYPES = ("flat", "tiered", "bonus")
Money = Decimal


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

    @property
    def lower(self) -> Decimal:
        return self.above if self.above is not None else Decimal(0)


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


CRITERIA_MODELS: dict[str, type[DealFilters]] = {"flat": FlatCriteria, "tiered": TieredCriteria, "bonus": BonusCriteria}


def parse_criteria(rule_type: str, criteria: Mapping[str, Any] | None) -> DealFilters:
    """The typed criteria of a rule; ValidationError with plain words when they do not fit."""
    if rule_type not in CRITERIA_MODELS:
        raise ValidationError(f"Rule type must be one of {', '.join(RULE_TYPES)}.")
    try:
        return CRITERIA_MODELS[rule_type].model_validate(dict(criteria or {}))
    except PydanticValidationError as error:
        raise ValidationError(friendly(error)) from None


def validate_rule(
    *, name: str, type: str, criteria: Mapping[str, Any] | None, rate: Decimal | int | str,
    start_date: date, end_date: date | None = None,
) -> DealFilters:
    """Check a whole rule before it is saved; returns its typed criteria."""
    if not (name or "").strip():
        raise ValidationError("Name is required.")
    if len(name) > 255:
        raise ValidationError("Name must be at most 255 characters.")
    parsed = parse_criteria(type, criteria)
    try:
        rate = Decimal(str(rate))
    except ArithmeticError:
        raise ValidationError("Rate must be a number.") from None
    if not Decimal(0) <= rate <= Decimal(100):
        raise ValidationError("Rate must be a percentage between 0 and 100.")
    if type == "flat" and rate == 0:
        raise ValidationError("A flat rule needs a rate above 0%.")
    if isinstance(parsed, BonusCriteria):
        if parsed.amount is None and rate == 0:
            raise ValidationError("A bonus needs a fixed amount or a rate above 0%.")
        if parsed.amount is not None and not _has_condition(parsed):
            raise ValidationError("A fixed bonus needs a condition: min_revenue, min_attainment or min_deals.")
    if end_date is not None and end_date < start_date:
        raise ValidationError("End date must not be before the start date.")
    return parsed


def _has_condition(criteria: BonusCriteria) -> bool:
    return any(value is not None for value in (criteria.min_revenue, criteria.min_attainment, criteria.min_deals))


def money(value: Decimal) -> str:
    return f"${value:,.2f}".replace(".00", "")


def percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def _names(ids: list[int], lookup: Mapping[int, str], kind: str) -> str:
    return " or ".join(lookup.get(item, f"{kind} #{item}") for item in ids)


def describe_filters(
    criteria: DealFilters, *, industries: Mapping[int, str] | None = None, countries: Mapping[int, str] | None = None
) -> str:
    parts = []
    if criteria.new_customer is not None:
        parts.append("from new customers" if criteria.new_customer else "from existing customers")
    if criteria.stages:
        parts.append("in stage " + " or ".join(criteria.stages))
    if criteria.industries:
        parts.append("in " + _names(criteria.industries, industries or {}, "industry"))
    if criteria.countries:
        parts.append("in " + _names(criteria.countries, countries or {}, "country"))
    if criteria.min_amount is not None and criteria.max_amount is not None:
        parts.append(f"from {money(criteria.min_amount)} to {money(criteria.max_amount)}")
    elif criteria.min_amount is not None:
        parts.append(f"over {money(criteria.min_amount)}")
    elif criteria.max_amount is not None:
        parts.append(f"up to {money(criteria.max_amount)}")
    if criteria.months:
        parts.append("closed in " + ", ".join(date(2000, m, 1).strftime("%B") for m in sorted(criteria.months)))
    if criteria.owner_roles:
        parts.append("owned by a " + " or ".join(role.replace("_", " ") for role in criteria.owner_roles))
    return " ".join(parts)


def describe_rule(rule: Any, *, industries: Mapping[int, str] | None = None,
                  countries: Mapping[int, str] | None = None) -> str:
    """What a rule pays, in plain words ("Pays 5% of each won deal in Software & Internet over $10,000")."""
    criteria = parse_criteria(rule.type, rule.criteria)
    scope = describe_filters(criteria, industries=industries, countries=countries)
    deals = "each won deal" + (f" {scope}" if scope else "")
    revenue = "won revenue" + (f" {scope}" if scope else "")
    if isinstance(criteria, TieredCriteria):
        bands = []
        for lower, upper, rate in criteria.bands():
            if upper is None:
                bands.append(f"{percent(rate)} above {money(lower)}")
            else:
                bands.append(f"{percent(rate)} up to {money(upper)}")
        return f"Pays {', '.join(bands)} of the period's {revenue}."
    if isinstance(criteria, BonusCriteria):
        conditions = []
        if criteria.min_revenue is not None:
            conditions.append(f"the period's {revenue} reaches {money(criteria.min_revenue)}")
        if criteria.min_attainment is not None:
            conditions.append(f"attainment reaches {percent(criteria.min_attainment * 100)} of quota")
        if criteria.min_deals is not None:
            conditions.append(f"at least {criteria.min_deals} deals are won")
        if criteria.amount is not None:
            return f"Pays a bonus of {money(criteria.amount)} when {' and '.join(conditions)}."
        return f"Pays an extra {percent(Decimal(rule.rate))} of {deals}."
    return f"Pays {percent(Decimal(rule.rate))} of {deals}."
