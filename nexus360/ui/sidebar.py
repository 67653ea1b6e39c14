"""The sidebar every page shares: who is signed in, their role, and sign-out."""

from __future__ import annotations

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.auth.users.schemas import ROLE_LABELS  # noqa: F401 (kept importable from here)
from nexus360.auth.users.schemas import role_label as role_word
from nexus360.common.errors import DatabaseUnavailable
from nexus360.db import Database, session_scope
from nexus360.notifications import service as notifications_service
from nexus360.ui import signin
from nexus360.ui.formatting import escape_markdown
from nexus360.ui.navigation import PAGES_DIR


def role_label(principal: Principal) -> str:
    return ", ".join(role_word(role) for role in principal.roles) or "No role"


def render(principal: Principal) -> None:
    with st.sidebar:
        st.markdown(f"**{escape_markdown(principal.display_name)}**")
        st.caption(f"{role_label(principal)} · {escape_markdown(principal.email)}")
        unread = _unread(principal)
        if unread:
            st.page_link(str(PAGES_DIR / "notifications.py"), label=f"{unread:,} unread notification"
                         f"{'' if unread == 1 else 's'}", icon=":material/notifications_active:")
        st.button("Sign out", icon=":material/logout:", width="stretch", on_click=signin.request_sign_out)


def _unread(principal: Principal) -> int:
    """The badge must not take the page down: with the notifications database away it shows nothing."""
    try:
        with session_scope(Database.NOTIFICATIONS, actor=principal) as session:
            return notifications_service.count_unread(session, principal)
    except DatabaseUnavailable:
        return 0
