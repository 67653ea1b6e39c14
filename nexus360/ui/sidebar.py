"""The sidebar every page shares: who is signed in, their role, the unread badge, and sign-out."""

from __future__ import annotations

import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.auth.users.schemas import ROLE_LABELS  # noqa: F401 (kept importable from here)
from nexus360.auth.users.schemas import role_label as role_word
from nexus360.ui import signin
from nexus360.ui.formatting import escape_markdown
from nexus360.ui.navigation import PAGES_DIR
from nexus360.ui.notifications.badge import unread_count


def role_label(principal: Principal) -> str:
    return ", ".join(role_word(role) for role in principal.roles) or "No role"


def render(principal: Principal) -> None:
    with st.sidebar:
        st.markdown(f"**{escape_markdown(principal.display_name)}**")
        st.caption(f"{role_label(principal)} · {escape_markdown(principal.email)}")
        unread = unread_count(principal)  # one cached count per person, fresh after any write
        if unread:
            st.page_link(str(PAGES_DIR / "notifications.py"), label=f"{unread:,} unread notification"
                         f"{'' if unread == 1 else 's'}", icon=":material/notifications_active:")
        st.button("Sign out", icon=":material/logout:", width="stretch", on_click=signin.request_sign_out)
