"""The notifications page: your own notifications, newest first, marked read one by one or all at once."""

from __future__ import annotations

import streamlit as st

from nexus360.db import Database
from nexus360.notifications import service as notifications_service
from nexus360.notifications.schemas import NotificationRead
from nexus360.ui.formatting import escape_markdown
from nexus360.ui.session import call

PAGE_SIZE = 20
TYPE_ICONS = {  # by the first word of the type: commission_approved, lead_converted, deal_won, ...
    "commission": ":material/payments:",
    "dispute": ":material/gavel:",
    "lead": ":material/campaign:",
    "deal": ":material/handshake:",
    "forecast": ":material/trending_up:",
    "welcome": ":material/waving_hand:",
}


def unread_count() -> int:
    """Fresh on every rerun (one indexed count): a cached figure would hide a new approval for a minute."""
    return call(Database.NOTIFICATIONS, notifications_service.count_unread)


def notifications_page() -> None:
    st.title("Notifications")
    unread = unread_count()
    left, right = st.columns([3, 1], vertical_alignment="center")
    only_unread = left.toggle("Unread only", key="notifications_unread_only", value=unread > 0)
    if right.button("Mark all as read", icon=":material/done_all:", disabled=unread == 0, width="stretch"):
        changed = call(Database.NOTIFICATIONS, notifications_service.mark_read)
        st.toast(f"Marked {changed:,} as read.")
        st.rerun()
    st.caption(f"{unread:,} unread." if unread else "You are all caught up.")
    limit = st.session_state.setdefault("notifications_limit", PAGE_SIZE)
    items = call(Database.NOTIFICATIONS, notifications_service.list_notifications, unread_only=only_unread,
                 limit=limit + 1)
    if not items:
        st.info("No unread notifications." if only_unread else "No notifications yet. Approvals, hand-offs and "
                "disputes that concern you will appear here.", icon=":material/notifications_none:")
        return
    for item in items[:limit]:
        _card(item)
    if len(items) > limit and st.button("Show more", key="notifications_more"):
        st.session_state["notifications_limit"] = limit + PAGE_SIZE
        st.rerun()


def _card(item: NotificationRead) -> None:
    unread = item.status == "unread"
    with st.container(border=True):
        text, action = st.columns([6, 1], vertical_alignment="center")
        icon = TYPE_ICONS.get(item.type.split("_")[0], ":material/notifications:")
        title = escape_markdown(item.title)
        text.markdown(f"{icon} **{title}**" if unread else f"{icon} {title}")
        text.markdown(escape_markdown(item.message))
        when = item.created_at.strftime("%d %b %Y, %H:%M UTC") if item.created_at else ""
        text.caption(f"{when} · {'unread' if unread else 'read'}")
        if unread and action.button("Mark read", key=f"notification_read_{item.id}", width="stretch"):
            call(Database.NOTIFICATIONS, notifications_service.mark_read, notification_ids=[item.id])
            st.rerun()
