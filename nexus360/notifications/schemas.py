"""Pydantic shapes of notifications: the inbox and its filters, and who delivers them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

UNREAD, READ, ARCHIVED = "unread", "read", "archived"
View = Literal["inbox", "unread", "snoozed", "archived"]
VIEWS: dict[str, str] = {"inbox": "All", "unread": "Unread", "snoozed": "Snoozed", "archived": "Archived"}


class NotificationRead(BaseModel):
    id: int
    type: str
    title: str
    message: str
    status: str | None
    created_at: datetime | None
    read_at: datetime | None
    link: str | None = None
    reason: str | None = None
    snoozed_until: datetime | None = None
    archived_at: datetime | None = None

    @property
    def unread(self) -> bool:
        return self.status in (UNREAD, None)


class InboxFilters(BaseModel):
    """What the inbox shows: a view, one type (None: all) and days (inclusive, either end open) as the
    person's calendar in `timezone` has them."""

    model_config = {"frozen": True}

    view: View = "inbox"
    type: str | None = None
    since: date | None = None
    until: date | None = None
    timezone: str = "UTC"


class InboxPage(BaseModel):
    items: list[NotificationRead]
    next_before: int | None  # pass back as `before` for the next (older) page; None on the last

    @property
    def next_after(self) -> int | None:
        """The same key under the name the shared pager (ui.lists) reads."""
        return self.next_before


class TypeChoice(BaseModel):
    type: str
    label: str
    icon: str


@dataclass(frozen=True)
class DeliveryActor:
    """Who sends e-mails, digests and prunes (the command or the worker): reads every person's rows
    through the `notifications.deliver` row-level security grant, and nothing else."""

    id: int = 0
    permissions: frozenset[str] = field(default_factory=lambda: frozenset({"notifications.deliver"}))
    display_name: str = "Nexus360"


DELIVERY = DeliveryActor()
