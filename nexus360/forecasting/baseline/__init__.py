"""The statistical baseline: exponential smoothing (statsmodels' ETS) on monthly won revenue, checked against
seasonal naive by a rolling-origin backtest."""
