"""Campaigns & Leads (placeholder until its issue builds it)."""

from nexus360.ui import placeholder

placeholder.render(
    "Campaigns & Leads",
    "Campaign planning and editing, lead capture, scoring and hand-off to sales, and the campaign ROI dashboard.",
)
