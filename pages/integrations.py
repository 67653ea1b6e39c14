"""Integrations (placeholder until its issue builds it)."""

from nexus360.ui import placeholder

placeholder.render(
    "Integrations",
    "Connectors (Microsoft Graph, mail, webhooks), their settings and run log.",
)
