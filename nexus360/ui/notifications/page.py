"""The Notifications page: one lazy tab bar bound to the address (`?notifications_tab=Preferences`); only the
open tab's code runs, and each tab's filters and pages rerun that tab alone (fragments in the tab views)."""

from __future__ import annotations

import streamlit as st

from nexus360.ui.notifications import inbox, preferences, templates
from nexus360.ui.session import current_principal

TAB_KEY = "notifications_tab"  # the tab bar's key and query parameter (<url_path>_tab)
INBOX, PREFERENCES, TEMPLATES = "Inbox", "Preferences", "Templates"


def tab_names(principal) -> list[str]:
    return [INBOX, PREFERENCES] + ([TEMPLATES] if principal.has(templates.MANAGE) else [])


def notifications_page() -> None:
    principal = current_principal()
    st.title("Notifications")
    names = tab_names(principal)
    tabs = st.tabs(names, key=TAB_KEY, bind="query-params")
    views = {INBOX: inbox.inbox_tab, PREFERENCES: preferences.preferences_tab, TEMPLATES: templates.templates_tab}
    for name, tab in zip(names, tabs, strict=True):
        if tab.open:
            with tab:
                views[name]()
