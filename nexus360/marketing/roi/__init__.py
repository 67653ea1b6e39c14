"""Campaign ROI: budgets, leads, conversions, and the revenue of the deals the leads became."""
