"""The CRM side of marketing's lead hand-off: the company, contact and deal a qualified lead becomes."""
