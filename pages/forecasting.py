"""Forecasts (placeholder until its issue builds it)."""

from nexus360.ui import placeholder

placeholder.render(
    "Forecasts",
    "Forecasts per period with the factors behind them, and how they compare with what was won.",
)
