"""Tiles every Home shows."""

from __future__ import annotations

from nexus360.db import Database
from nexus360.notifications import service as notifications_service
from nexus360.ui.navigation import PAGES_DIR
from nexus360.ui.session import cached


def unread_tile(column) -> None:
    """The person's unread notifications, with a link to them when there are any."""
    unread = cached(Database.NOTIFICATIONS, notifications_service.count_unread)
    column.metric("Unread notifications", f"{unread:,}", "for you", delta_color="off", delta_arrow="off",
                  border=True)
    if unread:
        column.page_link(str(PAGES_DIR / "notifications.py"), label="Open notifications",
                         icon=":material/notifications:")


def note_tile(column, label: str, value: str, note: str, **options) -> None:
    """A figure with a grey note under it (not a change)."""
    column.metric(label, value, note, delta_color="off", delta_arrow="off", border=True, **options)
