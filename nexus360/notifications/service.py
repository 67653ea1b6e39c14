"""Notifications: flows tell people of events; each person reads, marks, archives and snoozes their own.

`notify_event` is the one call a flow makes: the event's type (an entry of `events.schemas.CATALOG`), who is
told and why, the data its template reads, and a key that names the event, so a retried flow tells nobody
twice. It renders each message with the template in use, writes it, and queues its e-mail; whether and when
that e-mail goes (the person's choices, quiet hours) is decided by the sender (`flows.send_due`), since
row-level security lets the acting user write another person's notification but never read their rows.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from nexus360.auth.schemas import Principal
from nexus360.common.errors import NotFoundError, ValidationError
from nexus360.common.periods import now_utc
from nexus360.config import get_settings
from nexus360.notifications import repository
from nexus360.notifications.events.schemas import CATALOG, GENERAL_ICON, link_for
from nexus360.notifications.preferences import engine as zones
from nexus360.notifications.schemas import (
    ARCHIVED,
    READ,
    UNREAD,
    InboxFilters,
    InboxPage,
    NotificationRead,
    TypeChoice,
)
from nexus360.notifications.templates import service as templates

TITLE_MAX = 255
PAGE_SIZE = 20
MAX_IDS = 200
SNOOZE_MAX = timedelta(days=365)
ALL = InboxFilters()


# --- telling people ---------------------------------------------------------------------------------------


def notify_event(session: Session, actor: Any, *, type: str, recipients: Mapping[int, str | None] | Iterable[int],
                 data: Mapping[str, Any], key: str, now: datetime | None = None) -> int:
    """Tell each recipient (a user id, or id -> why they get it) of an event; the actor is never told of
    their own action. `key` names the event ("deal:2006:assigned:17"): the same person is told of one key
    once. Returns how many were told now (0 when a retry finds everyone told already)."""
    spec = CATALOG[type]
    reasons = dict(recipients) if isinstance(recipients, Mapping) else dict.fromkeys(recipients)
    reasons.pop(getattr(actor, "id", None), None)
    if not reasons:
        return 0
    moment = zones.to_naive_utc(now or now_utc())
    plain = {**_plain(dict(data)), "actor": {"name": _name_of(actor)}}
    link = link_for(spec, plain)
    template = templates.template_for(session, spec=spec)  # one read for every recipient
    rows = []
    for user_id, reason in reasons.items():
        reason = (reason or spec.reason)[:255]
        rendered = templates.render_event(session, spec=spec, template=template,
                                          data={**plain, "reason": reason, "link": absolute(link)})
        rows.append({"user_id": int(user_id), "type": spec.type, "title": rendered.subject or spec.label,
                     "message": rendered.text or rendered.subject, "link": link, "reason": reason,
                     "data": json.dumps(plain), "event_key": key[:200], "created_at": moment})
    return repository.insert_many(session, rows)


def notify(session: Session, *, user_id: int, type: str, title: str, message: str, link: str | None = None,
           key: str | None = None) -> None:
    """A notification written as it is (a welcome, a broadcast, a flow not moved to `notify_event` yet)."""
    title, message = (title or "").strip(), (message or "").strip()
    if not title or not message:
        raise ValidationError("A notification needs a title and a message.")
    spec = CATALOG.get(type)  # a catalogue type written as it is still leads where its type does, and says why
    repository.insert_many(session, [{
        "user_id": int(user_id), "type": type[:50], "title": title[:TITLE_MAX], "message": message,
        "link": link or (link_for(spec, {}) if spec else None), "reason": spec.reason if spec else None,
        "data": None, "event_key": (key or f"note:{uuid.uuid4()}")[:200], "created_at": _now()}])


def notify_many(session: Session, *, user_ids: Sequence[int], type: str, title: str, message: str) -> None:
    """The same notification for each of the users (once each)."""
    for user_id in dict.fromkeys(user_ids):
        notify(session, user_id=user_id, type=type, title=title, message=message)


def absolute(link: str | None, base_url: str | None = None) -> str:
    """A deep link as an address to open from outside the app (an e-mail): `base_url` (default: the
    public_url setting) followed by the link."""
    base = (base_url or get_settings().public_url).rstrip("/")
    return f"{base}{link}" if link else base


# --- the inbox --------------------------------------------------------------------------------------------


def count_unread(session: Session, principal: Principal) -> int:
    """The badge: how many of the principal's notifications are unread (not snoozed, not of a muted type)."""
    return repository.count_unread(session, principal.id, now=_now())


def list_inbox(session: Session, principal: Principal, *, filters: InboxFilters = ALL,
               before: int | None = None, limit: int = PAGE_SIZE) -> InboxPage:
    """One page of the principal's own notifications, newest first (keyset on id)."""
    limit = max(1, min(int(limit), 100))
    if filters.since and filters.until and filters.since > filters.until:
        raise ValidationError("Date: the first day must not come after the last.")
    where = zones.zone(filters.timezone)
    since = zones.to_naive_utc(zones.local_instant(filters.since, time(0), where)) if filters.since else None
    until = zones.to_naive_utc(zones.local_instant(filters.until + timedelta(days=1), time(0), where)) \
        if filters.until else None
    rows = repository.list_page(session, principal.id, filters.view, type=filters.type, since=since, until=until,
                                before=before, limit=limit + 1, now=_now())
    items = [NotificationRead.model_validate(row, from_attributes=True) for row in rows[:limit]]
    return InboxPage(items=items, next_before=items[-1].id if len(rows) > limit else None)


def list_notifications(session: Session, principal: Principal, *, unread_only: bool = False,
                       before_id: int | None = None, limit: int = PAGE_SIZE) -> list[NotificationRead]:
    """The principal's notifications in the inbox (or its unread ones), newest first."""
    view = "unread" if unread_only else "inbox"
    return list_inbox(session, principal, filters=InboxFilters(view=view), before=before_id, limit=limit).items


def list_types(session: Session, principal: Principal) -> list[TypeChoice]:
    """The event types that can concern the principal (by their permissions), by label: the type filter's
    choices. No query: the catalogue says who each type is for."""
    choices = [type_choice(spec.type) for spec in CATALOG.values() if principal.has(spec.audience)]
    return sorted(choices, key=lambda choice: choice.label)


def type_choice(type: str) -> TypeChoice:
    spec = CATALOG.get(type)
    if spec is not None:
        return TypeChoice(type=type, label=spec.label, icon=spec.icon)
    return TypeChoice(type=type, label=type.replace("_", " ").capitalize(), icon=GENERAL_ICON)


def mark_read(session: Session, principal: Principal, *, notification_ids: Sequence[int] | None = None) -> int:
    """Mark the given notifications (None: every unread one) read; returns how many changed."""
    return repository.set_status(session, principal.id, _ids(notification_ids), only=(UNREAD,),
                                 values={"status": READ, "read_at": _now(), "snoozed_until": None})


def mark_unread(session: Session, principal: Principal, *, notification_ids: Sequence[int]) -> int:
    return repository.set_status(session, principal.id, _ids(notification_ids, required=True), only=(READ,),
                                 values={"status": UNREAD, "read_at": None})


def archive(session: Session, principal: Principal, *, notification_ids: Sequence[int]) -> int:
    """Move notifications out of the inbox (archived ones are pruned after the retention period)."""
    return repository.set_status(session, principal.id, _ids(notification_ids, required=True), only=(UNREAD, READ),
                                 values={"status": ARCHIVED, "archived_at": _now(), "snoozed_until": None})


def restore(session: Session, principal: Principal, *, notification_ids: Sequence[int]) -> int:
    """Bring archived notifications back to the inbox, as read."""
    return repository.set_status(session, principal.id, _ids(notification_ids, required=True), only=(ARCHIVED,),
                                 values={"status": READ, "archived_at": None})


def snooze(session: Session, principal: Principal, *, notification_ids: Sequence[int], until: datetime) -> int:
    """Hide notifications until `until` (UTC); they come back unread then."""
    moment = zones.to_naive_utc(until if until.tzinfo else until.replace(tzinfo=UTC))
    now = _now()
    if moment <= now:
        raise ValidationError("Snooze until: choose a moment in the future.")
    if moment > now + SNOOZE_MAX:
        raise ValidationError("Snooze until: choose a moment within a year.")
    return repository.set_status(session, principal.id, _ids(notification_ids, required=True), only=(UNREAD, READ),
                                 values={"status": UNREAD, "read_at": None, "snoozed_until": moment})


def wake(session: Session, principal: Principal, *, notification_ids: Sequence[int]) -> int:
    """End a snooze now."""
    return repository.set_status(session, principal.id, _ids(notification_ids, required=True), only=(UNREAD,),
                                 values={"snoozed_until": None})


def open_notification(session: Session, principal: Principal, *, notification_id: int) -> NotificationRead:
    """The notification (the principal's own), marked read: what opening it from the inbox does."""
    mark_read(session, principal, notification_ids=[notification_id])
    row = repository.get_one(session, principal.id, int(notification_id))
    if row is None:
        raise NotFoundError("This notification no longer exists.")
    return NotificationRead.model_validate(row, from_attributes=True)


# --- helpers ----------------------------------------------------------------------------------------------


def _now() -> datetime:
    return zones.to_naive_utc(now_utc())


def _ids(ids: Sequence[int] | None, *, required: bool = False) -> list[int] | None:
    if ids is None:
        if required:
            raise ValidationError("Choose at least one notification.")
        return None
    chosen = list(dict.fromkeys(int(value) for value in ids))
    if required and not chosen:
        raise ValidationError("Choose at least one notification.")
    if len(chosen) > MAX_IDS:
        raise ValidationError(f"Choose at most {MAX_IDS} notifications at a time.")
    return chosen


def _name_of(actor: Any) -> str:
    name = getattr(actor, "display_name", None)
    return str(name) if name else "Nexus360"


def _plain(value: Any) -> Any:
    """Event data as JSON and templates read it: no None (an empty text), dates as people read them."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return f"{value:%d %b %Y, %H:%M} UTC".lstrip("0")
    if isinstance(value, date):
        return f"{value:%d %b %Y}".lstrip("0")
    if isinstance(value, Decimal):
        return f"{value:,}"
    return value
