"""What the Forecasts page needs from the CRM: forecast categories, a period's deals and totals, won revenue
per month (read and written here; the forecasting domain calls these services)."""
