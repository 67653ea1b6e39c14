"""Shapes of the accuracy views: per method, per rep, and the forecast-against-actual chart."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel


class MethodAccuracy(BaseModel):
    method: str
    label: str
    periods: int
    mape: float | None
    bias: float | None
    mase: float | None


class RepAccuracy(BaseModel):
    owner_id: int
    name: str
    periods: int
    bias: float | None
    mape: float | None
    verdict: str | None
    adjusted_bias: float | None = None  # the manager's adjusted calls, where there were some


class PeriodPoint(BaseModel):
    """One closed period: what was won, and what each method said at its midpoint."""

    period_start: date
    period_end: date
    label: str
    actual: Decimal
    naive: Decimal | None
    forecasts: dict[str, Decimal]
    baseline_low: Decimal | None = None
    baseline_high: Decimal | None = None


class AccuracyRead(BaseModel):
    kind: str  # month or quarter
    methods: list[MethodAccuracy]
    reps: list[RepAccuracy]
    points: list[PeriodPoint]
