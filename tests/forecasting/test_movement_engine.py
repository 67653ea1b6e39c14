"""The movement waterfall: each kind of change in its bar, and a zero residual on random changes."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from nexus360.forecasting.movement.engine import (
    CHANGED,
    LOST,
    NEW,
    PULLED_IN,
    PUSHED_OUT,
    DealAt,
    Fate,
    reconcile,
)

START, END = date(2031, 1, 1), date(2031, 3, 31)
TAKEN = date(2031, 2, 1)


def deal(deal_id: int, amount: str, *, created: date = date(2030, 12, 1), won: bool = False) -> DealAt:
    return DealAt(deal_id, 1, Decimal(amount), date(2031, 3, 15), "commit", won, created)


def movement(before, after, fates=None, was_lost=()):
    return reconcile(before, after, taken_before=TAKEN, fates=fates or {}, was_lost=was_lost, period_start=START,
                     period_end=END)


def test_each_change_lands_in_its_bar():
    before = [deal(1, "100"), deal(2, "200"), deal(3, "300"), deal(4, "400"), deal(5, "50")]
    after = [deal(1, "150", won=True), deal(6, "60", created=date(2031, 2, 10)), deal(7, "70"), deal(5, "50"),
             deal(8, "80")]
    fates = {2: Fate(is_lost=False, close_date=date(2031, 4, 10), stage="Proposal"),
             3: Fate(is_lost=True, close_date=date(2031, 3, 1), stage="Closed Lost")}  # 4: deleted

    found = movement(before, after, fates, was_lost=[8])

    assert found.bars == {NEW: Decimal(60), PULLED_IN: Decimal(150), PUSHED_OUT: Decimal(-200),
                          LOST: Decimal(-700), CHANGED: Decimal(50)}
    assert (found.start, found.end, found.residual) == (Decimal(1050), Decimal(410), 0)
    notes = {move.deal_id: move.note for move in found.moves}
    assert notes[2] == "close date moved to 2031-04-10" and notes[8] == "reopened after it was lost"
    assert notes[4].startswith("deleted") and found.won_since == 1


def test_the_residual_is_zero_whatever_changes():
    rng = random.Random(15)
    for _ in range(200):
        before = [deal(i, f"{rng.randint(0, 10**6) / 100:.2f}") for i in range(rng.randint(0, 40))]
        after = [DealAt(d.deal_id, 1, Decimal(f"{rng.randint(0, 10**6) / 100:.2f}") if rng.random() < 0.3
                        else d.amount, d.close_date, d.category, rng.random() < 0.2, d.created_on)
                 for d in before if rng.random() < 0.7]
        after += [deal(1000 + i, f"{rng.randint(0, 10**5)}", created=rng.choice([date(2030, 1, 1), date(2031, 3, 1)]))
                  for i in range(rng.randint(0, 10))]
        fates = {d.deal_id: Fate(rng.random() < 0.5, date(2031, 5, 1), "x") for d in before if rng.random() < 0.8}

        found = movement(before, after, fates)

        assert found.residual == 0
        assert found.start + sum(found.bars.values()) == found.end


def test_given_the_totals_only_the_deals_that_moved_are_needed():
    unchanged = [deal(i, "1000") for i in range(10, 20)]
    before, after = [deal(1, "100"), deal(2, "200")], [deal(1, "150")]
    whole = movement(before + unchanged, after + unchanged, {2: Fate(True, None, "Closed Lost")})

    narrowed = reconcile(before, after, taken_before=TAKEN, fates={2: Fate(True, None, "Closed Lost")},
                         period_start=START, period_end=END, totals=(whole.start, whole.end))

    assert (narrowed.start, narrowed.end, narrowed.bars, narrowed.moves) == (whole.start, whole.end, whole.bars,
                                                                             whole.moves)
    assert narrowed.residual == 0
