"""Pydantic shapes of the forecasting domain: scopes, forecasts with their factors, calls, the team roll-up."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from nexus360.common.errors import ValidationError

COMPANY, TEAM, REP = "company", "team", "rep"
SCOPE_CODE = re.compile(r"^(company|team|rep)(?::(\d+))?$")
NOTE_MAX = 2000


class Scope(BaseModel):
    """Whose forecast: the company, a manager's team (owner = the manager) or one rep."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["company", "team", "rep"]
    owner_id: int | None = None

    @property
    def code(self) -> str:
        return self.kind if self.kind == COMPANY else f"{self.kind}:{self.owner_id}"

    @classmethod
    def parse(cls, code: str) -> Scope:
        """'company', 'team:12' or 'rep:10' (ids; the command line resolves e-mail addresses first)."""
        match = SCOPE_CODE.match((code or "").strip().lower())
        if not match or (match[1] == COMPANY) != (match[2] is None):
            raise ValidationError(f"Scope '{code}' is not valid: write company, team:EMAIL or rep:EMAIL.")
        return cls(kind=match[1], owner_id=int(match[2]) if match[2] else None)


class FactorRead(BaseModel):
    name: str
    value: Decimal
    weight: Decimal
    contributes: bool = True


class ForecastRead(BaseModel):
    """One method's forecast (stored or computed live) with the factors that explain it."""

    id: int | None = None
    method: str
    label: str
    value: Decimal
    low: Decimal | None = None
    high: Decimal | None = None
    confidence: Decimal | None = None
    explanation: str = ""
    factors: list[FactorRead] = []
    note: str | None = None
    owner_id: int | None = None
    submitted_by: int | None = None
    created_at: datetime | None = None
    adjusts_id: int | None = None
    snapshot_id: int | None = None


class CallCreate(BaseModel):
    """A call or an adjusted call as typed: an amount and a note."""

    amount: Decimal = Field(ge=0, le=Decimal("9999999999999"))  # rounded to the cent when saved
    note: str | None = Field(default=None, max_length=NOTE_MAX)

    @field_validator("note", mode="before")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        """Kept as typed (line breaks too), without surrounding blanks; empty is no note."""
        return (str(value).strip() or None) if value is not None else None


class SnapshotRead(BaseModel):
    id: int
    period_start: date
    period_end: date
    scope: str
    owner_id: int | None
    kind: str
    taken_by: int | None
    taken_at: datetime
    deal_count: int | None


class RollupRow(BaseModel):
    """One person of a team roll-up: their call, the manager's adjustment, the methods and the quota."""

    owner_id: int
    name: str
    call: ForecastRead | None = None
    adjusted: ForecastRead | None = None
    closed: Decimal = Decimal(0)
    commit: Decimal = Decimal(0)
    best_case: Decimal = Decimal(0)
    pipeline: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)
    open_pipeline: Decimal = Decimal(0)
    baseline: Decimal | None = None
    baseline_model: str | None = None
    quota: Decimal | None = None
    coverage: Decimal | None = None

    @property
    def latest_call(self) -> Decimal | None:
        """What the team counts on from this person: the adjusted call, else their own."""
        chosen = self.adjusted or self.call
        return chosen.value if chosen else None


class Overview(BaseModel):
    """Everything the page's headline shows for a period and scope, each number with its explanation."""

    period_code: str
    period_label: str
    period_start: date
    period_end: date
    scope: Scope
    scope_label: str
    owner_ids: tuple[int, ...] | None = None  # whose deals the scope covers (None: everyone's)
    methods: list[ForecastRead]
    baseline_model: str
    baseline_reason: str
    call: ForecastRead | None = None
    adjusted: ForecastRead | None = None
    quota: Decimal | None = None
    won: Decimal = Decimal(0)
    open_pipeline: Decimal = Decimal(0)
    coverage: Decimal | None = None
    undated_deals: int = 0
    undated_amount: Decimal = Decimal(0)
    categories: dict[str, Decimal] = {}

    def method(self, name: str) -> ForecastRead | None:
        return next((method for method in self.methods if method.method == name), None)
