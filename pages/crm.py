"""CRM (placeholder until its issue builds it)."""

from nexus360.ui import placeholder

placeholder.render(
    "CRM",
    "Companies, contacts and deals: pipeline dashboards with filters, searchable lists, "
    "a pipeline board, CSV import and export.",
)
