"""Reconcile two snapshots of a period deal by deal (pure computation, no I/O).

The measure is the period's pipeline: every open or won deal closing in it. From the earlier snapshot to the
later one, each deal lands in exactly one bar:

- new: in the later snapshot only, created after the earlier one was taken;
- pulled in: in the later snapshot only, but it existed (its close date moved into the period, or it was
  lost and reopened);
- pushed out: in the earlier snapshot only and not lost (its close date moved out of the period, or it left
  this view);
- lost: in the earlier snapshot only and lost by the later one (or deleted);
- amount changes: in both, by the difference of its amounts.

So start + new + pulled in − pushed out − lost ± amount changes = end, to the cent: the residual is zero by
construction, and the tests check it on random changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

NEW, PULLED_IN, PUSHED_OUT, LOST, CHANGED = "new", "pulled_in", "pushed_out", "lost", "changed"
BARS = (NEW, PULLED_IN, PUSHED_OUT, LOST, CHANGED)
BAR_LABELS = {NEW: "New", PULLED_IN: "Pulled in", PUSHED_OUT: "Pushed out", LOST: "Lost", CHANGED: "Amount changes"}
ZERO = Decimal("0.00")


class DealAt(NamedTuple):
    """A deal as a snapshot holds it (a named tuple: a company quarter reads tens of thousands of them)."""

    deal_id: int
    owner_id: int
    amount: Decimal
    close_date: date
    category: str
    is_won: bool
    created_on: date | None


@dataclass(frozen=True)
class Fate:
    """Where a deal of the earlier snapshot stood when the later one was taken (None in `fates`: deleted)."""

    is_lost: bool
    close_date: date | None
    stage: str


@dataclass(frozen=True)
class Move:
    deal_id: int
    owner_id: int
    bar: str
    change: Decimal  # what it adds to the pipeline (negative for pushed out and lost)
    before: Decimal | None
    after: Decimal | None
    note: str


@dataclass(frozen=True)
class Movement:
    start: Decimal
    end: Decimal
    bars: dict[str, Decimal]  # in BARS order
    moves: tuple[Move, ...]
    won_since: int  # deals open in the earlier snapshot and won in the later one (no bar: still in the pipeline)

    @property
    def residual(self) -> Decimal:
        return self.end - self.start - sum(self.bars.values(), ZERO)


def reconcile(before: Iterable[DealAt], after: Iterable[DealAt], *, taken_before: date,
              fates: Mapping[int, Fate], was_lost: Iterable[int] = (), period_start: date,
              period_end: date, totals: tuple[Decimal, Decimal] | None = None) -> Movement:
    """The movement from the `before` snapshot (taken on `taken_before`) to `after`.

    `fates` says where each deal of `before` missing from `after` stood then; `was_lost` lists deals of `after`
    that were lost when `before` was taken (they are "pulled in" as reopened). Given the snapshots' `totals`
    (start, end), `before` and `after` may hold only the deals that differ: the unchanged ones add the same to
    both ends, which is how a company quarter is reconciled (the database finds the few deals that moved).
    """
    earlier = {deal.deal_id: deal for deal in before}
    later = {deal.deal_id: deal for deal in after}
    reopened = set(was_lost)
    moves: list[Move] = []
    for deal_id, deal in later.items():
        old = earlier.get(deal_id)
        if old is None:
            created_after = deal.created_on is not None and deal.created_on > taken_before
            bar = NEW if created_after else PULLED_IN
            note = ("created since" if bar == NEW else "reopened after it was lost" if deal_id in reopened
                    else "close date moved into the period")
            moves.append(Move(deal_id, deal.owner_id, bar, deal.amount, None, deal.amount, note))
        elif deal.amount != old.amount:
            moves.append(Move(deal_id, deal.owner_id, CHANGED, deal.amount - old.amount, old.amount, deal.amount,
                              "amount changed"))
    for deal_id, old in earlier.items():
        if deal_id in later:
            continue
        fate = fates.get(deal_id)
        if fate is None:
            bar, note = LOST, "deleted, or given to someone outside this view"
        elif fate.is_lost:
            bar, note = LOST, "lost"
        else:
            bar = PUSHED_OUT
            moved = fate.close_date is not None and not (period_start <= fate.close_date <= period_end)
            note = (f"close date moved to {fate.close_date.isoformat()}" if moved
                    else "close date removed" if fate.close_date is None else "left this view")
        moves.append(Move(deal_id, old.owner_id, bar, -old.amount, old.amount, None, note))
    bars = {bar: sum((move.change for move in moves if move.bar == bar), ZERO) for bar in BARS}
    won_since = sum(1 for deal_id, deal in later.items()
                    if deal.is_won and deal_id in earlier and not earlier[deal_id].is_won)
    order = {bar: index for index, bar in enumerate(BARS)}
    moves.sort(key=lambda move: (order[move.bar], -abs(move.change), move.deal_id))
    start, end = totals or (sum((deal.amount for deal in earlier.values()), ZERO),
                            sum((deal.amount for deal in later.values()), ZERO))
    return Movement(start=start, end=end, bars=bars, moves=tuple(moves), won_since=won_since)
