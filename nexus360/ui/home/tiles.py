"""Tiles every Home shows."""

from __future__ import annotations

from nexus360.db import Database
from nexus360.notifications import service as notifications_service
from nexus360.ui.session import cached


def unread_tile(column) -> None:
    """The person's unread notifications (the sidebar links to them)."""
    unread = cached(Database.NOTIFICATIONS, notifications_service.count_unread)
    note_tile(column, "Unread notifications", f"{unread:,}", "for you")


def note_tile(column, label: str, value: str, note: str, **options) -> None:
    """A figure with a grey note under it (not a change)."""
    column.metric(label, value, note, delta_color="off", delta_arrow="off", border=True, **options)
