"""Accuracy of forecasts against what was won (pure computation, no I/O).

For each closed period the forecast compared is the one that stood at the period's midpoint (the latest
stored on or before it): early enough to matter, late enough to be informed. Per method, over the periods
it has both a forecast and a non-zero actual:

- MAPE: the mean of |forecast − actual| ÷ actual;
- bias: (Σ forecast − Σ actual) ÷ Σ actual, positive when it over-forecasts;
- MASE: its mean absolute error ÷ seasonal naive's on the same periods (below 1 beats naive).

A rep's calls get the same bias: below −10% is sandbagging, above +10% over-calling.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

SANDBAG, ON_TARGET, OVER_CALL = "sandbagging", "on target", "over-calling"
TOLERANCE = 0.10


@dataclass(frozen=True)
class Accuracy:
    periods: int
    mape: float | None
    bias: float | None
    mase: float | None


def accuracy(forecasts: Mapping[date, float], actuals: Mapping[date, float],
             naive: Mapping[date, float] | None = None) -> Accuracy:
    """MAPE, bias and MASE of `forecasts` over the periods (keyed by start) that have an actual above zero."""
    periods = sorted(p for p in forecasts if actuals.get(p, 0) > 0)
    if not periods:
        return Accuracy(0, None, None, None)
    errors = [forecasts[p] - actuals[p] for p in periods]
    mape = sum(abs(error) / actuals[p] for error, p in zip(errors, periods, strict=True)) / len(periods)
    bias = sum(errors) / sum(actuals[p] for p in periods)
    mase = None
    if naive is not None and all(p in naive for p in periods):
        naive_mae = sum(abs(naive[p] - actuals[p]) for p in periods) / len(periods)
        if naive_mae > 0:
            mase = (sum(abs(error) for error in errors) / len(periods)) / naive_mae
    return Accuracy(len(periods), mape, bias, mase)


def verdict(bias: float | None) -> str | None:
    """How a rep calls, from the bias of their calls."""
    if bias is None:
        return None
    return SANDBAG if bias < -TOLERANCE else OVER_CALL if bias > TOLERANCE else ON_TARGET
