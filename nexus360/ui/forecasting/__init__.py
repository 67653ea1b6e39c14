"""Views of the Forecasts page."""
