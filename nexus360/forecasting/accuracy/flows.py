"""How accurate the forecasts of a scope have been (forecasting + crm + auth), and the command line's backtest
that also recomputes the statistical baseline and seasonal naive by rolling origin over history."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import date

from nexus360.auth.schemas import Principal
from nexus360.auth.service import require
from nexus360.common.errors import ValidationError
from nexus360.common.periods import today_utc
from nexus360.crm.forecast import service as crm_forecast
from nexus360.db import Database, session_scope
from nexus360.forecasting import engine, service
from nexus360.forecasting.accuracy import service as accuracy_service
from nexus360.forecasting.accuracy.engine import accuracy
from nexus360.forecasting.accuracy.schemas import AccuracyRead
from nexus360.forecasting.baseline.engine import forecast_baseline
from nexus360.forecasting.figures.service import months_in, series_of
from nexus360.forecasting.schemas import REP, Scope

KINDS = ("quarter", "month")


def _check(kind: str, periods: int) -> None:
    if kind not in KINDS:
        raise ValidationError(f"Period kind '{kind}' is not valid: write quarter or month.")
    if not 1 <= periods <= 24:
        raise ValidationError(f"Periods must be between 1 and 24, not {periods}.")


def get_accuracy(principal: Principal, *, scope: str | Scope | None = None, kind: str = "quarter", periods: int = 8,
                 today: date | None = None) -> AccuracyRead:
    """Over the last closed periods: each method's MAPE, bias and MASE, each rep's call bias, and the chart."""
    _check(kind, periods)
    scope = scope if isinstance(scope, Scope) else Scope.parse(scope) if scope else service.default_scope(principal)
    closed = accuracy_service.closed_periods(kind, today=today or today_utc(), count=periods)
    since, until = accuracy_service.shift_months(closed[0].start, 12), accuracy_service.shift_months(closed[-1].end, -1)
    with ExitStack() as stack:
        auth, crm, fc = (stack.enter_context(session_scope(database, actor=principal))
                         for database in (Database.AUTH, Database.CRM, Database.FORECASTING))
        owners = service.resolve_owners(auth, principal, scope)
        monthly = crm_forecast.list_monthly_won(crm, principal, since=since, until=until, owner_ids=owners,
                                                by_owner=True)
        stored_scope, owner_filter, owner_key = accuracy_service.scope_rows(scope)
        stored = accuracy_service.as_of_midpoints(fc, principal, periods=closed, scope=stored_scope,
                                                  owner_ids=owner_filter)
        people: list[int] = []
        if principal.has("forecasts.manage") or scope.kind == REP:
            people = sorted(owners) if owners is not None else sorted({row.owner_id for row in monthly})
            stored |= accuracy_service.as_of_midpoints(fc, principal, periods=closed, scope=REP, owner_ids=people,
                                                       types=(engine.CALL, engine.ADJUSTED_CALL))
        names = service.user_names(auth, principal, people)
    actuals = accuracy_service.won_per_period(monthly, closed)
    naive = accuracy_service.won_per_period(monthly, closed, back=12)
    per_owner = accuracy_service.won_per_period(monthly, closed, by_owner=True)
    return AccuracyRead(
        kind=kind,
        methods=accuracy_service.method_accuracy(stored, periods=closed, owner=owner_key, actuals=actuals,
                                                 naive=naive),
        reps=accuracy_service.rep_accuracy(stored, periods=closed, people=people, names=names, actuals=per_owner),
        points=accuracy_service.points(stored, periods=closed, owner=owner_key, actuals=actuals, naive=naive),
    )


def backtest(principal: Principal, *, periods: int = 8, kind: str = "quarter", today: date | None = None) -> dict:
    """The company's methods over the last closed periods: stored ones as they stood at each midpoint, and the
    baseline and seasonal naive recomputed from the history before each period (rolling origin)."""
    require(principal, "forecasts.manage")
    report = get_accuracy(principal, scope=Scope(kind="company"), kind=kind, periods=periods, today=today)
    closed = accuracy_service.closed_periods(kind, today=today or today_utc(), count=periods)
    since = accuracy_service.shift_months(closed[0].start, 36)
    with session_scope(Database.CRM, actor=principal) as crm:
        monthly = crm_forecast.list_monthly_won(crm, principal, since=since, owner_ids=None,
                                                until=accuracy_service.shift_months(closed[-1].end, -1))
    recomputed = {}
    for period in closed:
        history = series_of([row for row in monthly if row.month < period.start],
                            since=accuracy_service.shift_months(period.start, 36), until=period.start)
        found = forecast_baseline(history, skip=0, months=months_in(period))
        recomputed[period.start] = found.value
    actuals = {point.period_start: float(point.actual) for point in report.points}
    naive = {point.period_start: float(point.naive) for point in report.points if point.naive is not None}
    rows = {row.method: row.model_dump(include={"label", "periods", "mape", "bias", "mase"}) for row in report.methods}
    found = accuracy(recomputed, actuals, naive)
    rows["baseline_backtest"] = {"label": "Statistical baseline, recomputed by rolling origin",
                                 "periods": found.periods, "mape": found.mape, "bias": found.bias, "mase": found.mase}
    return {"kind": kind, "periods": [p.code for p in closed], "methods": rows}
