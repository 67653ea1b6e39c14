"""Accuracy over closed periods: what each stored forecast said at a period's midpoint against what was won."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.common.periods import Period, month_of, previous_month, previous_quarter, quarter_of
from nexus360.forecasting import engine, repository
from nexus360.forecasting.accuracy.engine import accuracy, verdict
from nexus360.forecasting.accuracy.schemas import MethodAccuracy, PeriodPoint, RepAccuracy
from nexus360.forecasting.schemas import Scope

STORED = (engine.WEIGHTED, engine.COMMIT, engine.BEST_CASE, engine.BASELINE, engine.CALL, engine.ADJUSTED_CALL)


def closed_periods(kind: str, *, today: date, count: int) -> list[Period]:
    """The last `count` months or quarters that ended before today's, oldest first."""
    current = quarter_of(today) if kind == "quarter" else month_of(today)
    step = previous_quarter if kind == "quarter" else previous_month
    periods = []
    for _ in range(count):
        current = step(current)
        periods.append(current)
    return periods[::-1]


def midpoint(period: Period) -> datetime:
    """The moment a period's forecast is judged at: the end of its middle day."""
    return datetime.combine(period.start + timedelta(days=(period.days - 1) // 2), time.max)


def as_of_midpoints(session: Session, principal: Principal, *, periods: Sequence[Period], scope: str,
                    owner_ids: Sequence[int] | None, types: Sequence[str] = STORED,
                    ) -> dict[tuple[date, int | None, str], tuple]:
    """(period start, owner, type) -> (value, low, high) of the latest row stored by the period's midpoint."""
    require(principal, "forecasts.read")
    if not periods:
        return {}
    rows = repository.forecasts_of_periods(session, starts=[p.start for p in periods], scope=scope,
                                           owner_ids=owner_ids, types=types, until=midpoint(periods[-1]))
    by_start = {p.start: p for p in periods}
    found: dict[tuple[date, int | None, str], tuple] = {}
    for start, end, owner, kind, value, low, high, created in rows:  # oldest first: the last one by midpoint wins
        period = by_start.get(start)
        if period is not None and end == period.end and created <= midpoint(period):
            found[(start, owner, kind)] = (value, low, high)
    return found


def method_accuracy(stored: Mapping[tuple, tuple], *, periods: Sequence[Period], owner: int | None,
                    actuals: Mapping[date, float], naive: Mapping[date, float]) -> list[MethodAccuracy]:
    """Each stored method's MAPE, bias and MASE, plus seasonal naive itself."""
    rows = []
    for method in STORED:
        values = {p.start: float(stored[(p.start, owner, method)][0]) for p in periods
                  if (p.start, owner, method) in stored}
        if values:
            found = accuracy(values, actuals, naive)
            rows.append(MethodAccuracy(method=method, label=engine.METHOD_LABELS[method], periods=found.periods,
                                       mape=found.mape, bias=found.bias, mase=found.mase))
    found = accuracy({p.start: naive[p.start] for p in periods if p.start in naive}, actuals, naive)
    rows.append(MethodAccuracy(method="seasonal_naive", label="Seasonal naive (a year earlier)",
                               periods=found.periods, mape=found.mape, bias=found.bias, mase=found.mase))
    return rows


def rep_accuracy(stored: Mapping[tuple, tuple], *, periods: Sequence[Period], people: Sequence[int],
                 names: Mapping[int, str], actuals: Mapping[int, Mapping[date, float]]) -> list[RepAccuracy]:
    """Per rep: the bias of their calls (sandbagging or over-calling) and of their manager's adjustments."""
    rows = []
    for owner in people:
        calls = {p.start: float(stored[(p.start, owner, engine.CALL)][0]) for p in periods
                 if (p.start, owner, engine.CALL) in stored}
        adjusted = {p.start: float(stored[(p.start, owner, engine.ADJUSTED_CALL)][0]) for p in periods
                    if (p.start, owner, engine.ADJUSTED_CALL) in stored}
        if not calls:
            continue
        found = accuracy(calls, actuals.get(owner, {}))
        rows.append(RepAccuracy(owner_id=owner, name=names.get(owner, "Unknown user"), periods=found.periods,
                                bias=found.bias, mape=found.mape, verdict=verdict(found.bias),
                                adjusted_bias=accuracy(adjusted, actuals.get(owner, {})).bias if adjusted else None))
    return sorted(rows, key=lambda row: row.name)


def points(stored: Mapping[tuple, tuple], *, periods: Sequence[Period], owner: int | None,
           actuals: Mapping[date, float], naive: Mapping[date, float]) -> list[PeriodPoint]:
    """The chart's closed periods: actual, naive, each method at midpoint and the baseline's band."""
    result = []
    for period in periods:
        forecasts = {method: stored[(period.start, owner, method)][0] for method in STORED
                     if (period.start, owner, method) in stored}
        band = stored.get((period.start, owner, engine.BASELINE), (None, None, None))
        result.append(PeriodPoint(
            period_start=period.start, period_end=period.end, label=period.label,
            actual=Decimal(str(actuals.get(period.start, 0.0))).quantize(engine.CENT),
            naive=Decimal(str(naive[period.start])).quantize(engine.CENT) if period.start in naive else None,
            forecasts=forecasts, baseline_low=band[1], baseline_high=band[2],
        ))
    return result


def won_per_period(monthly: Sequence, periods: Sequence[Period], *, back: int = 0,
                   by_owner: bool = False) -> dict:
    """Won revenue per period (start), or per owner and period, from monthly rows; `back` months earlier (12: the
    same period a year earlier, seasonal naive's forecast)."""
    totals: dict = defaultdict(float) if not by_owner else defaultdict(lambda: defaultdict(float))
    for row in monthly:
        for period in periods:
            start = shift_months(period.start, back)
            end = shift_months(period.end.replace(day=1), back)
            if start <= row.month <= end:
                if by_owner:
                    totals[row.owner_id][period.start] += float(row.amount)
                else:
                    totals[period.start] += float(row.amount)
    return totals


def shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def scope_rows(scope: Scope) -> tuple[str, list[int] | None, int | None]:
    """(stored scope, owner filter, owner key) of the rows that hold a scope's own forecasts."""
    owner = scope.owner_id
    return scope.kind, None if owner is None else [owner], owner
