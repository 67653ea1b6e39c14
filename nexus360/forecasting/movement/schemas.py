"""Shapes of the movement between two snapshots: the waterfall's bars and the deals behind them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel


class SnapshotChoice(BaseModel):
    id: int
    taken_at: datetime
    kind: str
    taken_by: str
    deal_count: int

    @property
    def label(self) -> str:
        what = {"generated": "generated", "call": "call submitted", "adjustment": "call adjusted"}.get(self.kind,
                                                                                                      self.kind)
        return f"{self.taken_at:%a %d %b %Y, %H:%M} · {what} by {self.taken_by} · {self.deal_count} deals"


class MoveRead(BaseModel):
    deal_id: int
    title: str
    owner: str
    bar: str
    bar_label: str
    change: Decimal
    before: Decimal | None
    after: Decimal | None
    note: str


class BarRead(BaseModel):
    bar: str
    label: str
    amount: Decimal
    deals: int


class MovementRead(BaseModel):
    period_start: date
    period_end: date
    before: SnapshotChoice
    after: SnapshotChoice | None  # None: now, live from the CRM
    start: Decimal
    end: Decimal
    bars: list[BarRead]
    moves: list[MoveRead]
    residual: Decimal
    won_since: int
