"""Sales quotas per rep and period, for other domains (the Forecasts page compares forecasts with quota)."""
