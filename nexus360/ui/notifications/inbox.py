"""The Inbox tab: the person's notifications, newest first, a page at a time, filtered by view, type and days.

Filters and pages rerun the tab alone (a fragment). What changes a notification (open, read, archive,
snooze) reruns the whole page, so the sidebar's badge shows the new count at once. Titles and messages
are shown literally; each card says why the person got it and opens the record it is about.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.db import Database
from nexus360.notifications import service
from nexus360.notifications.preferences import service as preferences
from nexus360.notifications.schemas import VIEWS, InboxFilters, NotificationRead
from nexus360.ui.formatting import literal
from nexus360.ui.lists import keyset_page, pager
from nexus360.ui.notifications import links
from nexus360.ui.notifications.badge import unread_count
from nexus360.ui.session import FAILED, cached, call, current_principal, submit

DB = Database.NOTIFICATIONS
LIST_KEY = "notifications_list"
PAGE_SIZE = 20
ALL_TYPES = ""  # the type filter's "All types" (a None option would show as no choice at all)
EMPTY = {
    "inbox": "Nothing here yet. Deals given to you, approvals, hand-offs and disputes that concern you appear here.",
    "unread": "You are all caught up: nothing unread.",
    "snoozed": "Nothing snoozed. Snooze a notification to have it come back later.",
    "archived": "Nothing archived. Archived notifications are kept for a while, then deleted.",
}


def zone_of_user() -> ZoneInfo:
    """The person's own time zone (their preferences; UTC until they choose one)."""
    return ZoneInfo(cached(DB, preferences.get_preferences).settings.timezone)


@st.fragment
def inbox_tab() -> None:
    principal, zone = current_principal(), zone_of_user()
    filters = _filters(zone)
    unread = unread_count()
    note, action = st.columns([4, 1], vertical_alignment="center")
    note.caption(f"{unread:,} unread" if unread else "You are all caught up.")
    if action.button("Mark all as read", icon=":material/done_all:", disabled=unread == 0, width="stretch",
                     key="notifications_all_read"):
        changed = call(DB, service.mark_read)
        st.toast(f"Marked {changed:,} as read.", icon=":material/done_all:")
        st.rerun(scope="app")
    page = keyset_page(LIST_KEY, (filters,), lambda before: call(DB, service.list_inbox, filters=filters,
                                                                 before=before, limit=PAGE_SIZE))
    if not page.items:
        st.info(EMPTY[filters.view] if filters == InboxFilters(view=filters.view, timezone=filters.timezone)
                else "No notifications match these filters.", icon=":material/notifications_none:")
        return
    for item in page.items:
        _card(item, principal, zone)
    pager(LIST_KEY, page)


def _filters(zone: ZoneInfo) -> InboxFilters:
    view_column, type_column, days_column = st.columns([3, 2, 2], vertical_alignment="bottom")
    view = view_column.segmented_control("Show", list(VIEWS), format_func=VIEWS.get, default="inbox",
                                         required=True, key="notifications_view")
    choices = {choice.type: choice.label for choice in cached(DB, service.list_types)}
    chosen = type_column.selectbox("Type", [ALL_TYPES, *choices], key="notifications_type",
                                   format_func=lambda type: choices.get(type, "All types")) or ALL_TYPES
    today = datetime.now(UTC).astimezone(zone).date()
    days = days_column.date_input("Days", value=(), max_value=today, key="notifications_days", format="YYYY-MM-DD",
                                  help="One day, or the first and the last day of a range.")
    since, until = (tuple(days) + (None, None))[:2] if isinstance(days, tuple | list) else (days, days)
    return InboxFilters(view=view, type=chosen or None, since=since, until=until or since, timezone=zone.key)


def _card(item: NotificationRead, principal: Principal, zone: ZoneInfo) -> None:
    icon = f":material/{service.type_choice(item.type).icon}:"
    with st.container(border=True):
        text, opening, more = st.columns([6, 1.3, 1.3], vertical_alignment="center")
        title = literal(item.title)
        text.markdown(f"{icon} **{title}**" if item.unread else f"{icon} {title}")
        text.markdown(f":small[{literal(item.message)}]")
        status = "snoozed until " + links.when(item.snoozed_until, zone) if _snoozed(item) else (
            "unread" if item.unread else "archived" if item.status == "archived" else "read")
        why = f"You got this because {literal(item.reason)}. · " if item.reason else ""
        text.caption(f"{why}{links.when(item.created_at, zone)} · {status}")
        destination = links.target(item.link, principal)
        opened = destination is not None and opening.button(
            "Open", key=f"notification_open_{item.id}", type="primary" if item.unread else "secondary",
            icon=":material/open_in_new:", width="stretch", help="Open what it is about (marks it read)")
        if opened and submit(DB, service.open_notification, notification_id=item.id) is not FAILED:
            st.switch_page(destination[0], query_params=destination[1])
        with more.popover("More", icon=":material/more_horiz:", width="stretch"):
            _actions(item)


def _actions(item: NotificationRead) -> None:
    if item.status == "archived":
        _act("Restore to the inbox", "restore", item, service.restore, ":material/unarchive:")
        return
    if item.unread:
        _act("Mark as read", "read", item, service.mark_read, ":material/drafts:")
    else:
        _act("Mark as unread", "unread", item, service.mark_unread, ":material/mark_email_unread:")
    _act("Archive", "archive", item, service.archive, ":material/archive:")
    st.caption("Snooze: it leaves the inbox and comes back unread")
    for label, until in _snooze_choices():
        if st.button(label, key=f"notification_snooze_{item.id}_{label}", icon=":material/snooze:", width="stretch"):
            _done(submit(DB, service.snooze, notification_ids=[item.id], until=until))
    if _snoozed(item):
        _act("Wake now", "wake", item, service.wake, ":material/alarm_off:")


def _act(label: str, name: str, item: NotificationRead, action, icon: str) -> None:
    if st.button(label, key=f"notification_{name}_{item.id}", icon=icon, width="stretch"):
        _done(submit(DB, action, notification_ids=[item.id]))


def _done(result) -> None:
    if result is not FAILED:
        st.rerun(scope="app")  # the badge in the sidebar counts again


def _snoozed(item: NotificationRead) -> bool:
    return item.snoozed_until is not None and item.snoozed_until > datetime.now(UTC).replace(tzinfo=None)


def _snooze_choices() -> list[tuple[str, datetime]]:
    now = datetime.now(UTC)
    return [("For an hour", now + timedelta(hours=1)), ("For four hours", now + timedelta(hours=4)),
            ("Until tomorrow", now + timedelta(days=1)), ("For a week", now + timedelta(days=7))]
