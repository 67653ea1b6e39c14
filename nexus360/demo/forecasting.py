"""Demo forecast history: weekly snapshots of this quarter and month (with their deals, so "what changed since
last week" has an answer), and the last eight quarters and months as they were forecast at their midpoints
(methods, reps' calls with a steady personal bias, managers' adjustments), so the accuracy views are full on
a fresh `make run`.

Deterministic (one generator per purpose) and derived from the CRM rows the loader just wrote: a deal's state
at a past moment comes from its creation and closing times, and a few deals get an earlier amount or close
date that changed on a fixed day, so the movement waterfall shows every kind of bar.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from nexus360.auth.schemas import SALES_MANAGER, SALES_REP
from nexus360.common.periods import Period, month_of, previous_month, previous_quarter, quarter_of
from nexus360.db import Database
from nexus360.demo.common import Demo
from nexus360.forecasting import engine, repository
from nexus360.forecasting.accuracy.service import midpoint

DATABASE = Database.FORECASTING
TABLES = ("forecast_snapshots", "forecast_snapshot_deals", "forecasts", "forecast_factors")
WEEKS = 6
PAST_PERIODS = 8
# The reps' habits (by first name): how their calls compare with what they then win.
CALL_BIAS = {"Lars": 0.84, "Aisha": 1.0, "Emily": 1.04, "Rafael": 1.24, "Arjun": 0.95, "Tomasz": 1.1,
             "Sophie": 0.97, "Daniel": 1.02}
CATEGORY_OF_STAGE = {"Prospecting": "pipeline", "Qualification": "pipeline", "Needs Analysis": "best_case",
                     "Proposal": "best_case", "Negotiation": "commit"}


@dataclass(frozen=True)
class _Row:
    deal_id: int
    owner_id: int
    amount: Decimal
    close_date: date
    stage_id: int
    category: str
    is_won: bool
    created_on: date


def seed(session: Session, demo: Demo) -> str:
    """Forecast history; leaves the "forecast ready" moments on `demo` for the notifications step."""
    assert demo.crm is not None, "the crm step runs first"
    demo.forecasts = seed_forecasts(session, demo.clock, demo.members, demo.crm, demo.counts)
    return f"forecasting: {demo.counts['forecasts']} forecasts, {demo.counts['forecast_factors']} factors"


def seed_forecasts(session: Session, clock, members, crm, counts: dict[str, int]) -> list[dict]:
    """Load the forecast history; returns the "forecast ready" moments the demo's inbox tells people about."""
    ready = _forecast_ready(clock, crm)
    rng = random.Random("360:forecasting-history")
    sellers = [m for m in members if m.role == SALES_REP or (m.role == SALES_MANAGER and m.manager_id is not None)]
    managers = [m for m in members if m.role == SALES_MANAGER]
    teams = {m.id: _team(m.id, members) for m in managers}
    scopes = [("company", None, None)] + [("team", m.id, teams[m.id]) for m in managers] + [
        ("rep", s.id, {s.id}) for s in sellers if s.left is None]
    stage_ids = {stage[0]: stage_id for stage_id, stage in crm.stages.items()}
    boss = next(m.id for m in managers if m.manager_id is None)  # the weekly snapshots are the VP's
    for period in (quarter_of(clock.anchor), month_of(clock.anchor)):
        for week in range(WEEKS, 0, -1):
            moment = datetime.combine(clock.day(-7 * week), time(7, 30))
            rows = _deals_at(crm, stage_ids, period, moment)
            for kind, owner, owned in scopes:
                _snapshot(session, rows, crm, period=period, scope=kind, owner=owner, owned=owned, at=moment,
                          taken_by=boss)
    for period in (quarter_of(clock.anchor), month_of(clock.anchor)):
        _current_calls(session, rng, crm, stage_ids, sellers, period=period, moment=datetime.combine(
            clock.day(-5), time(16, 0)), boss=boss)
    for period in _past(clock.anchor):
        won = _won(crm, period)
        at = midpoint(period).replace(hour=9, minute=0, second=0, microsecond=0)
        for kind, owner, owned in scopes:
            actual = sum((amount for owner_id, amount in won if owned is None or owner_id in owned), Decimal(0))
            _history(session, rng, period=period, scope=kind, owner=owner, actual=actual, at=at,
                                  taken_by=owner or boss)
        for seller in sellers:
            if seller.hired > period.end or (seller.left is not None and seller.left < period.start):
                continue
            actual = sum((amount for owner_id, amount in won if owner_id == seller.id), Decimal(0))
            _calls(session, rng, seller, period=period, actual=actual, at=at, manager=seller.manager_id or boss)
    for table, count in repository.count_rows(session).items():
        counts[table] = counts.get(table, 0) + count
    return ready


# The three company forecasts per quarter the inbox announced before issue 15 (type, confidence range, past
# forecast / actual range). Their moments and draws are kept exactly, so every other demo notification (drawn
# from one shared generator) stays as it was; the amounts they announce come from the same formulas.
READY = (("weighted pipeline", (65, 80), (0.90, 1.05), None), ("commit", (80, 92), (0.80, 0.95), 80),
         ("best case", (45, 62), (1.10, 1.30), 40))


def _forecast_ready(clock, crm) -> list[dict]:
    rng = random.Random("360:forecasting")
    won: dict[date, float] = {}
    for deal in crm.deals:
        if deal["stage_id"] in crm.won_stage_ids:
            start = quarter_of(deal["close_date"]).start
            won[start] = won.get(start, 0.0) + float(deal["amount"])
    current, quarters = quarter_of(clock.anchor), []
    for _ in range(4):
        current = previous_quarter(current)
    for _ in range(6):
        quarters.append(current)
        current = quarter_of(current.end + timedelta(days=1))
    rows = []
    for quarter in quarters:
        actual = won.get(quarter.start, 0.0)
        open_deals = [d for d in crm.deals if crm.is_open(d) and quarter.contains(d["close_date"])]
        for kind, confidence, accuracy, floor in READY:
            if quarter.end < clock.anchor:
                value = actual * rng.uniform(*accuracy)
            else:
                value = actual + sum(
                    float(d["amount"]) * (float(crm.stages[d["stage_id"]][1]) / 100 if floor is None else 1.0)
                    for d in open_deals if floor is None or crm.stages[d["stage_id"]][1] >= floor)
            created = clock.stamp(min(quarter.start - timedelta(days=3), clock.day(-1)), rng)
            clock.stamp(min(quarter.end, clock.day(-rng.randint(1, 6))), rng)  # drawn, as it always was
            rows.append({"period_start": quarter.start, "forecast_type": kind, "forecast_value": engine.cents(value),
                         "confidence_score": engine.cents(rng.uniform(*confidence)), "created_at": created})
            rng.uniform(2.4, 4.2)
            rng.uniform(-2, 2)
    return rows


def _team(manager_id: int, members) -> set[int]:
    team, grew = {manager_id}, True
    while grew:
        below = {m.id for m in members if m.manager_id in team} - team
        team |= below
        grew = bool(below)
    return team


def _past(anchor: date) -> list[Period]:
    periods, quarter, month = [], quarter_of(anchor), month_of(anchor)
    for _ in range(PAST_PERIODS):
        quarter, month = previous_quarter(quarter), previous_month(month)
        periods += [quarter, month]
    return periods


def _won(crm, period: Period) -> list[tuple[int, Decimal]]:
    return [(d["owner_id"], d["amount"]) for d in crm.deals
            if d["stage_id"] in crm.won_stage_ids and period.start <= d["close_date"] <= period.end]


def _deals_at(crm, stage_ids: dict[str, int], period: Period, moment: datetime) -> list[_Row]:
    """The period's open and won deals as they stood at `moment`."""
    rows = []
    for deal in crm.deals:
        if deal["created_at"] > moment:
            continue
        name, _probability, won, lost = crm.stages[deal["stage_id"]]
        change = random.Random(f"360:forecast-deal:{deal['id']}")
        changed_on = datetime.combine(period.start, time()) + timedelta(days=change.randint(0, 60))
        close, amount = deal["close_date"], deal["amount"]
        if moment < changed_on:  # before its change some deals had another close date or amount
            roll = change.random()
            if roll < 0.10:
                close = close + timedelta(days=40) if period.contains(close) else close - timedelta(days=40)
            elif roll < 0.22:
                amount = Decimal(int(round(float(amount) * change.uniform(0.75, 1.25), -2)))
        closed_then = (won or lost) and deal["updated_at"] <= moment
        if closed_then and lost:
            continue
        if not period.contains(close):
            continue
        stage = name if closed_then or not (won or lost) else ("Negotiation" if won else "Proposal")
        is_won = bool(won and closed_then)
        rows.append(_Row(deal["id"], deal["owner_id"], amount, close, stage_ids[stage],
                         "closed" if is_won else CATEGORY_OF_STAGE[stage], is_won, deal["created_at"].date()))
    return rows


def _snapshot(session: Session, rows: list[_Row], crm, *, period: Period, scope: str, owner: int | None,
              owned: set[int] | None, at: datetime, taken_by: int) -> None:
    deals = [row for row in rows if owned is None or row.owner_id in owned]
    stages = {sid: engine.Stage(sid, s[0], 0, s[1], s[2], s[3]) for sid, s in crm.stages.items()}
    totals = [_Total(row.stage_id, row.category, row.amount) for row in deals]
    results = [engine.weighted_pipeline(totals, stages), *engine.category_rollups(totals, stages)]
    snapshot = repository.insert_snapshot(session, start=period.start, end=period.end, scope=scope, owner_id=owner,
                                          kind="generated", taken_by=taken_by, deal_count=len(deals),
                                          request_key=None, taken_at=at)
    repository.insert_snapshot_deals(session, snapshot.id, deals)
    for result in results:
        repository.insert_forecast(session, result, start=period.start, end=period.end, scope=scope, owner_id=owner,
                                   snapshot_id=snapshot.id, submitted_by=taken_by, created_at=at)


@dataclass(frozen=True)
class _Total:
    stage_id: int
    category: str
    amount: Decimal


def _history(session: Session, rng: random.Random, *, period: Period, scope: str, owner: int | None,
             actual: Decimal, at: datetime, taken_by: int) -> None:
    """The methods as they stood at a past period's midpoint (no deals kept: history, not a movement)."""
    snapshot = repository.insert_snapshot(session, start=period.start, end=period.end, scope=scope, owner_id=owner,
                                          kind="generated", taken_by=taken_by, deal_count=None, request_key=None,
                                          taken_at=at)
    value = float(actual)
    won_by_mid = engine.cents(value * rng.uniform(0.35, 0.55))
    weighted = engine.cents(value * rng.uniform(0.86, 1.1))
    commit = engine.cents(value * rng.uniform(0.74, 0.95))
    best = engine.cents(value * rng.uniform(1.05, 1.3))
    baseline = engine.cents(value * rng.uniform(0.8, 1.22))
    seasonal = engine.cents(float(baseline) * rng.uniform(-0.2, 0.25))
    half_width = engine.cents(float(baseline) * rng.uniform(0.18, 0.35))
    low, high = max(baseline - half_width, engine.ZERO), baseline + half_width
    results = [
        engine.from_parts(engine.WEIGHTED, [engine.Factor("Won so far", won_by_mid),
                                            engine.Factor("Open deals × probability", weighted - won_by_mid)],
                          explanation="Won so far, plus each open deal times its stage's probability."),
        engine.from_parts(engine.COMMIT, [engine.Factor("Closed (won)", won_by_mid),
                                          engine.Factor("Commit", max(commit - won_by_mid, engine.ZERO))],
                          explanation="Commit = Closed + Commit."),
        engine.from_parts(engine.BEST_CASE, [engine.Factor("Closed (won)", won_by_mid),
                                             engine.Factor("Commit and Best Case", best - won_by_mid)],
                          explanation="Best Case = Closed + Commit + Best Case."),
        engine.MethodResult(engine.BASELINE, baseline, (engine.Factor("Level", baseline - seasonal),
                                                        engine.Factor("Seasonality", seasonal)), low=low, high=high,
                            confidence=engine.confidence_from_interval(baseline, low, high),
                            explanation="ETS(A,N,A) on monthly won revenue before the period."),
    ]
    for result in results:
        repository.insert_forecast(session, result, start=period.start, end=period.end, scope=scope, owner_id=owner,
                                   snapshot_id=snapshot.id, submitted_by=taken_by, created_at=at)


def _calls(session: Session, rng: random.Random, seller, *, period: Period, actual: Decimal, at: datetime,
           manager: int) -> None:
    """A rep's call at the midpoint with their habit, and their manager's adjustment of the far-off ones."""
    bias = CALL_BIAS.get(seller.first_name, 1.0)
    value = engine.cents(float(actual) * bias * rng.uniform(0.93, 1.07))
    closed = engine.cents(float(actual) * rng.uniform(0.35, 0.55))
    commit = engine.cents(float(actual) * rng.uniform(0.15, 0.3))
    scope = {"start": period.start, "end": period.end, "scope": "rep", "owner_id": seller.id}
    snapshot = repository.insert_snapshot(session, **scope, kind="call", taken_by=seller.id, deal_count=None,
                                          request_key=None, taken_at=at - timedelta(hours=2))
    call = repository.insert_forecast(session, engine.call_result(value, closed=closed, commit=commit),
                                      start=period.start, end=period.end, scope="rep", owner_id=seller.id,
                                      snapshot_id=snapshot.id, submitted_by=seller.id, note=_note(rng, bias),
                                      created_at=at - timedelta(hours=2))
    if abs(bias - 1) > 0.08 and rng.random() < 0.7:
        adjusted = engine.cents(float(value) / bias * rng.uniform(0.97, 1.03))
        snapshot = repository.insert_snapshot(session, **scope, kind="adjustment", taken_by=manager, deal_count=None,
                                              request_key=None, taken_at=at - timedelta(hours=1))
        repository.insert_forecast(session, engine.adjusted_call_result(adjusted, call_value=value),
                                   start=period.start, end=period.end, scope="rep", owner_id=seller.id,
                                   snapshot_id=snapshot.id, submitted_by=manager, adjusts_id=call.id,
                                   note="Adjusted to what this rep's calls usually turn into.",
                                   created_at=at - timedelta(hours=1))


def _current_calls(session: Session, rng: random.Random, crm, stage_ids: dict[str, int], sellers, *,
                   period: Period, moment: datetime, boss: int) -> None:
    """This period's calls, submitted five days ago (not by the rep demo account: they submit theirs in the demo),
    and the managers' adjustments of the habitual over- and under-callers two days later."""
    rows = _deals_at(crm, stage_ids, period, moment)
    stages = {sid: engine.Stage(sid, s[0], 0, s[1], s[2], s[3]) for sid, s in crm.stages.items()}
    for seller in sellers:
        if seller.left is not None or seller.first_name == "Emily":
            continue
        deals = [row for row in rows if row.owner_id == seller.id]
        sums = engine.category_sums([_Total(r.stage_id, r.category, r.amount) for r in deals], stages)
        bias = CALL_BIAS.get(seller.first_name, 1.0)
        expected = float(sums["closed"] + sums["commit"]) + 0.4 * float(sums["best_case"])
        value = engine.cents(expected * bias * rng.uniform(0.95, 1.05))
        scope = {"start": period.start, "end": period.end, "scope": "rep", "owner_id": seller.id}
        snapshot = repository.insert_snapshot(session, **scope, kind="call", taken_by=seller.id,
                                              deal_count=len(deals), request_key=None, taken_at=moment)
        repository.insert_snapshot_deals(session, snapshot.id, deals)
        call = repository.insert_forecast(
            session, engine.call_result(value, closed=sums["closed"], commit=sums["commit"]), start=period.start,
            end=period.end, scope="rep", owner_id=seller.id, snapshot_id=snapshot.id, submitted_by=seller.id,
            note=_note(rng, bias), created_at=moment)
        if abs(bias - 1) > 0.08:
            later = moment + timedelta(days=2)
            adjusted = engine.cents(float(value) / bias)
            manager = seller.manager_id or boss
            snapshot = repository.insert_snapshot(session, **scope, kind="adjustment", taken_by=manager,
                                                  deal_count=len(deals), request_key=None, taken_at=later)
            repository.insert_snapshot_deals(session, snapshot.id, deals)
            repository.insert_forecast(session, engine.adjusted_call_result(adjusted, call_value=value),
                                       start=period.start, end=period.end, scope="rep", owner_id=seller.id,
                                       snapshot_id=snapshot.id, submitted_by=manager,
                                       adjusts_id=call.id, created_at=later,
                                       note="Brought back to what this rep's calls usually turn into.")


def _note(rng: random.Random, bias: float) -> str:
    notes = ("Two renewals waiting on procurement.", "Counting on the expansion deal closing before month end.",
             "Legal review on the largest deal; the rest is signed off.", "Pipeline is healthy; one deal at risk.")
    if bias < 0.9:
        notes = ("Keeping it safe: only what is signed or in legal.", "Conservative until the POs arrive.")
    elif bias > 1.15:
        notes = ("Everything in Proposal can close this period.", "Strong momentum, all champions confirmed.")
    return rng.choice(notes)
