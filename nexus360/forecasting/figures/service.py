"""A period's figures for a scope, live: the CRM's totals and won history in, every method and the team
roll-up out. The CRM is read through its forecast services (which check the reader may see those deals);
everything computed here is pure and comes from the engines.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.common.periods import Period, month_of, today_utc
from nexus360.crm.forecast import service as crm_forecast
from nexus360.crm.forecast.schemas import OMITTED, MonthlyWon, PeriodTotal, UndatedTotal
from nexus360.forecasting import engine
from nexus360.forecasting.baseline.engine import forecast_baseline
from nexus360.forecasting.schemas import ForecastRead, Overview, RollupRow, Scope
from nexus360.forecasting.service import result_read

HISTORY_MONTHS = 36


@dataclass(frozen=True)
class Figures:
    period: Period
    stages: dict[int, engine.Stage]
    totals: tuple[PeriodTotal, ...]
    undated: tuple[UndatedTotal, ...]
    history: tuple[float, ...]  # won revenue per complete month before `history_until`, oldest first
    history_until: date  # the first month not in the history
    skip: int  # months between the history and the period
    by_owner: Mapping[int, tuple[float, ...]] | None = None


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def history_window(period: Period, today: date) -> tuple[date, date, int]:
    """(since, until, skip): 36 months of history ending before the period, or before this month if sooner."""
    until = min(month_of(today).start, period.start)
    since = _month(_month_index(until) - HISTORY_MONTHS)
    return since, until, _month_index(period.start) - _month_index(until)


def series_of(rows: Iterable[MonthlyWon], *, since: date, until: date) -> tuple[float, ...]:
    """Monthly amounts with the months without a win as 0, starting at the first month with one."""
    amounts = {row.month: float(row.amount) for row in rows}
    months = [_month(index) for index in range(_month_index(since), _month_index(until))]
    values = [amounts.get(month, 0.0) for month in months]
    first = next((index for index, value in enumerate(values) if value), len(values))
    return tuple(values[first:])


def read_figures(crm: Session, principal: Principal, *, period: Period, owners: tuple[int, ...] | None,
                 by_owner: bool = False, today: date | None = None) -> Figures:
    """Everything the methods need, read from the CRM as the principal."""
    stages = {s.id: engine.Stage(s.id, s.name, s.position, s.probability, s.is_won, s.is_lost)
              for s in crm_forecast.list_stage_categories(crm, principal)}
    totals = crm_forecast.get_period_totals(crm, principal, start=period.start, end=period.end, owner_ids=owners)
    undated = crm_forecast.get_undated_totals(crm, principal, owner_ids=owners)
    since, until, skip = history_window(period, today or today_utc())
    monthly = crm_forecast.list_monthly_won(crm, principal, since=since, until=until, owner_ids=owners,
                                            by_owner=by_owner)
    if by_owner:
        per_owner: dict[int, list[MonthlyWon]] = defaultdict(list)
        for row in monthly:
            per_owner[row.owner_id].append(row)
        owned = {owner: series_of(rows, since=since, until=until) for owner, rows in per_owner.items()}
        merged: dict[date, Decimal] = defaultdict(Decimal)
        for row in monthly:
            merged[row.month] += row.amount
        history = series_of([MonthlyWon(m, None, a) for m, a in merged.items()], since=since, until=until)
    else:
        owned, history = None, series_of(monthly, since=since, until=until)
    return Figures(period=period, stages=stages, totals=tuple(totals), undated=tuple(undated), history=history,
                   history_until=until, skip=skip, by_owner=owned)


def months_in(period: Period) -> int:
    return _month_index(period.end) - _month_index(period.start) + 1


def baseline_result(history: tuple[float, ...], *, skip: int, months: int, until: date) -> engine.MethodResult:
    """The statistical baseline as a method: its parts to the cent, its interval, confidence and why this model."""
    found = forecast_baseline(history, skip=skip, months=months)
    parts = [engine.Factor(name, engine.cents(value)) for name, value in found.parts]
    info = []
    if found.mase is not None and math.isfinite(found.mase):
        info.append(engine.Factor("Backtest error vs seasonal naive (MASE)", engine.cents(found.mase),
                                  weight=engine.ZERO, contributes=False))
    low = engine.cents(found.low) if found.low is not None else None
    high = engine.cents(found.high) if found.high is not None else None
    value = sum((part.value for part in parts), engine.ZERO)
    last_month = _month(_month_index(until) - 1)
    explanation = (f"{found.model_name} on monthly won revenue up to {last_month:%b %Y}. {found.reason}"
                   if history else "No won revenue before this period: nothing to forecast from.")
    return engine.MethodResult(
        method=engine.BASELINE, value=value, factors=tuple(parts + info), low=low, high=high,
        confidence=engine.confidence_from_interval(value, low, high), explanation=explanation,
        details={"model": found.model, "model_name": found.model_name, "reason": found.reason,
                 "mase": found.mase, "history_months": found.history_months},
    )


def methods(figures: Figures) -> list[engine.MethodResult]:
    """Weighted pipeline, the four category roll-ups and the statistical baseline."""
    return [
        engine.weighted_pipeline(figures.totals, figures.stages),
        *engine.category_rollups(figures.totals, figures.stages),
        baseline_result(figures.history, skip=figures.skip, months=months_in(figures.period),
                        until=figures.history_until),
    ]


def _open_pipeline(totals: Iterable[PeriodTotal], stages: Mapping[int, engine.Stage]) -> Decimal:
    return sum((Decimal(t.amount) for t in totals
                if not stages[t.stage_id].is_won and not stages[t.stage_id].is_lost and t.category != OMITTED),
               Decimal("0.00"))


def overview(figures: Figures, *, period: Period, scope: Scope, label: str, quota: Decimal | None,
             calls: Mapping[str, ForecastRead], owners: tuple[int, ...] | None) -> Overview:
    results = methods(figures)
    baseline = results[-1]
    sums = engine.category_sums(figures.totals, figures.stages)
    won = sums[engine.CLOSED]
    open_pipeline = _open_pipeline(figures.totals, figures.stages)
    return Overview(
        period_code=period.code, period_label=period.label, period_start=period.start, period_end=period.end,
        scope=scope, scope_label=label, owner_ids=owners, methods=[result_read(result) for result in results],
        baseline_model=baseline.details["model_name"], baseline_reason=baseline.details["reason"],
        call=calls.get(engine.CALL), adjusted=calls.get(engine.ADJUSTED_CALL), quota=quota, won=won,
        open_pipeline=open_pipeline, coverage=engine.coverage(open_pipeline, quota=quota, won=won),
        undated_deals=sum(u.deals for u in figures.undated),
        undated_amount=sum((Decimal(u.amount) for u in figures.undated), Decimal("0.00")), categories=sums,
    )


def rollup(figures: Figures, *, people: Sequence[int], names: Mapping[int, str],
           calls: Mapping[int, Mapping[str, ForecastRead]], quotas: Mapping[int, Decimal | None]) -> list[RollupRow]:
    """One row per person: call, adjusted call, categories, weighted pipeline, baseline, quota and coverage."""
    per_owner: dict[int, list[PeriodTotal]] = defaultdict(list)
    for total in figures.totals:
        per_owner[total.owner_id].append(total)
    months = months_in(figures.period)
    rows = []
    for owner in people:
        totals = per_owner.get(owner, [])
        sums = engine.category_sums(totals, figures.stages)
        history = (figures.by_owner or {}).get(owner, ())
        baseline = baseline_result(history, skip=figures.skip, months=months, until=figures.history_until)
        open_pipeline = _open_pipeline(totals, figures.stages)
        quota = quotas.get(owner)
        rows.append(RollupRow(
            owner_id=owner, name=names.get(owner, "Unknown user"), call=calls.get(owner, {}).get(engine.CALL),
            adjusted=calls.get(owner, {}).get(engine.ADJUSTED_CALL), closed=sums[engine.CLOSED],
            commit=sums[engine.CLOSED] + sums[engine.COMMIT],
            best_case=sums[engine.CLOSED] + sums[engine.COMMIT] + sums[engine.BEST_CASE],
            pipeline=sums[engine.CLOSED] + sums[engine.COMMIT] + sums[engine.BEST_CASE] + sums[engine.PIPELINE],
            weighted=engine.weighted_pipeline(totals, figures.stages).value, open_pipeline=open_pipeline,
            baseline=baseline.value, baseline_model=baseline.details["model_name"], quota=quota,
            coverage=engine.coverage(open_pipeline, quota=quota, won=sums[engine.CLOSED]),
        ))
    return sorted(rows, key=lambda row: row.name)
