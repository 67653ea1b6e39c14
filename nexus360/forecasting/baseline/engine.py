"""The statistical baseline of a period from monthly won revenue (pure computation, no I/O).

Model: statsmodels' ETSModel with additive errors and additive seasonality over 12 months, without trend or
with a damped trend, whichever has the lower AICc. Additive components make the forecast decompose exactly:
level + trend + seasonality = the period's value (the seasonal states are centred, so "level" is the
deseasonalised rate and "seasonality" what the period's months add or take away). The 80% interval is
read from 1,000 simulated paths (fixed seed, so a forecast is reproducible).

It is checked against seasonal naive (each month as it was a year earlier) by a rolling-origin backtest:
for each of the last `origins` months, fit on what came before and forecast the next `months` months. MASE
here is the model's mean absolute error divided by seasonal naive's on the same windows, so naive scores 1.
When ETS does not beat it (MASE ≥ 1), or history is too short to check (fewer than 24 months to fit on
and 4 windows), the baseline is seasonal naive and says why.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

SEASON = 12
MIN_FIT_MONTHS = 24
MIN_ORIGINS = 4
PATHS = 1000
SEED = 15


@dataclass(frozen=True)
class Baseline:
    model: str  # "ets" or "seasonal_naive" (or "naive" with less than a year of history)
    model_name: str  # as people read it: "ETS(A,Ad,A)", "Seasonal naive"
    value: float
    low: float | None
    high: float | None
    parts: tuple[tuple[str, float], ...]  # name, value: they add up to `value`
    mase: float | None  # the ETS's backtest error relative to seasonal naive (None: not checked)
    origins: int  # backtest windows
    reason: str  # why this model, in a sentence
    history_months: int


def _naive_forecast(series: np.ndarray, steps: int) -> np.ndarray:
    """Seasonal naive for the next `steps` months: each month's value a year (or whole years) earlier."""
    n = len(series)
    if n < SEASON:
        return np.full(steps, series[-1] if n else 0.0)
    return np.array([series[n - SEASON + (step % SEASON)] for step in range(steps)])


def _fit(series: np.ndarray, damped: bool):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # imported on first use: it takes a second

    model = ETSModel(series, error="add", trend="add" if damped else None, damped_trend=damped, seasonal="add",
                     seasonal_periods=SEASON, initialization_method="heuristic")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(disp=False, maxiter=200)


def _choose(series: np.ndarray):
    """(damped, fit): damped trend or none, whichever fits the whole history with the lower AICc."""
    fits = {damped: _fit(series, damped) for damped in (False, True)}
    damped = min(fits, key=lambda key: fits[key].aicc if np.isfinite(fits[key].aicc) else np.inf)
    return damped, fits[damped]


def backtest(series: np.ndarray, *, months: int, origins: int, damped: bool) -> tuple[float | None, int]:
    """MASE of ETS against seasonal naive over the last `origins` windows of `months` months (None: too short)."""
    model_errors, naive_errors = [], []
    n = len(series)
    for back in range(origins):
        cut = n - months - back
        if cut < MIN_FIT_MONTHS:
            break
        train, actual = series[:cut], series[cut:cut + months].sum()
        model_errors.append(abs(float(_fit(train, damped).forecast(months).sum()) - actual))
        naive_errors.append(abs(float(_naive_forecast(train, months).sum()) - actual))
    if len(model_errors) < MIN_ORIGINS:
        return None, len(model_errors)
    naive_mae = float(np.mean(naive_errors))
    return (float(np.mean(model_errors)) / naive_mae if naive_mae > 0 else float("inf")), len(model_errors)


def _naive_interval(series: np.ndarray, *, skip: int, months: int, point: float) -> tuple[float | None, float | None]:
    """80% interval of seasonal naive: ± the 80th percentile of its own past misses over windows of the period's
    length (symmetric, so the value stays inside it even when naive has been missing one way)."""
    n = len(series)
    misses = [abs(series[t:t + months].sum() - series[t - SEASON:t - SEASON + months].sum())
              for t in range(SEASON, n - months + 1)]
    if len(misses) < 6:
        return None, None
    width = float(np.quantile(misses, 0.8))
    return max(point - width, 0.0), point + width


def _seasonal_naive(series: np.ndarray, *, skip: int, months: int, mase: float | None, origins: int,
                    reason: str) -> Baseline:
    point = float(_naive_forecast(series, skip + months)[skip:].sum())
    short = len(series) < SEASON
    low, high = (None, None) if short else _naive_interval(series, skip=skip, months=months, point=point)
    name = "Last month, repeated" if short else "Same months a year earlier"
    return Baseline(model="naive" if short else "seasonal_naive", model_name="Naive" if short else "Seasonal naive",
                    value=point, low=low, high=high, parts=((name, point),), mase=mase, origins=origins,
                    reason=reason, history_months=len(series))


def _ets(series: np.ndarray, fit, *, skip: int, months: int, damped: bool, mase: float, origins: int) -> Baseline:
    steps = skip + months
    point = float(fit.forecast(steps)[skip:].sum())
    paths = fit.simulate(steps, anchor="end", repetitions=PATHS, rng=np.random.default_rng(SEED))
    totals = np.asarray(paths)[skip:].sum(axis=0)
    low, high = (float(value) for value in np.quantile(totals, [0.1, 0.9]))
    seasonal_mean = float(np.mean(fit.season[-SEASON:]))
    level = (float(fit.level[-1]) + seasonal_mean) * months
    trend = 0.0
    if damped:
        phi, slope = float(fit.damping_trend), float(fit.slope[-1])
        trend = slope * sum(sum(phi ** k for k in range(1, h + 1)) for h in range(skip + 1, steps + 1))
    parts = [("Level", level), ("Trend", trend), ("Seasonality", point - level - trend)]
    if point < 0:  # revenue is never negative: the floor is a part of its own, so the parts still add up
        parts.append(("Floor at zero", -point))
        point = 0.0
    return Baseline(model="ets", model_name="ETS(A,Ad,A)" if damped else "ETS(A,N,A)", value=point,
                    low=max(low, 0.0), high=max(high, 0.0), parts=tuple(parts), mase=mase, origins=origins,
                    reason=f"ETS beat seasonal naive in a backtest over {origins} windows (MASE {mase:.2f} < 1).",
                    history_months=len(series))


@lru_cache(maxsize=512)
def forecast_baseline(series: tuple[float, ...], *, skip: int, months: int, origins: int = 8) -> Baseline:
    """The baseline for the `months` months that start `skip` months after the series ends.

    `series` is won revenue per complete month, oldest first. Memoised: the same history gives the same answer.
    """
    values = np.asarray(series, dtype=float)
    n = len(values)
    if n < MIN_FIT_MONTHS + MIN_ORIGINS + months - 1:
        reason = (f"Only {n} months of won revenue: too short to fit and check a seasonal model "
                  f"(it needs {MIN_FIT_MONTHS + MIN_ORIGINS + months - 1}), so the baseline is "
                  + ("last month repeated." if n < SEASON else "seasonal naive."))
        return _seasonal_naive(values, skip=skip, months=months, mase=None, origins=0, reason=reason)
    if not values.any() or np.ptp(values) == 0:
        return _seasonal_naive(values, skip=skip, months=months, mase=None, origins=0,
                               reason="Won revenue has not changed month to month, so there is nothing to model.")
    damped, fit = _choose(values)
    mase, used = backtest(values, months=months, origins=origins, damped=damped)
    if mase is None or mase >= 1:
        reason = (f"ETS did not beat seasonal naive in a backtest over {used} windows (MASE {mase:.2f} ≥ 1), "
                  "so the baseline is seasonal naive." if mase is not None and np.isfinite(mase) else
                  "Seasonal naive was exact in the backtest, so the baseline is seasonal naive.")
        return _seasonal_naive(values, skip=skip, months=months, mase=mase, origins=used, reason=reason)
    return _ets(values, fit, skip=skip, months=months, damped=damped, mase=mase, origins=used)


def naive_value(series: tuple[float, ...], *, skip: int, months: int) -> float:
    """Seasonal naive alone (the accuracy views' yardstick)."""
    return float(_naive_forecast(np.asarray(series, dtype=float), skip + months)[skip:].sum())
