"""Notifications (placeholder until its issue builds it)."""

from nexus360.ui import placeholder

placeholder.render(
    "Notifications",
    "Your notifications, marked read as you go; templates and broadcasts for those who manage them.",
)
