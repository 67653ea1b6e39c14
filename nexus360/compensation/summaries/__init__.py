"""Statement summaries for the rep and manager views: history, year to date, team tables."""
