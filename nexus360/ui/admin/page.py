"""The Admin page: one lazy tab bar bound to the address (`?admin_tab=Audit log`); only the open tab's code
runs, and each tab reruns alone when its own filters, pages or forms change (fragments in the tab views).
Every read and write goes through `nexus360.auth.users.service` (admin.users, audited)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from nexus360.ui.admin import audit, roles, users
from nexus360.ui.session import current_principal, record_refusal

TAB_KEY = "admin_tab"  # the tab bar's key and query parameter (the page-bench convention: <url_path>_tab)
VIEWS: dict[str, Callable[[], None]] = {
    "Users": users.users_tab,
    "Roles & permissions": roles.permissions_tab,
    "Audit log": audit.audit_tab,
}


def admin_page() -> None:
    principal = current_principal()
    st.title("Administration")
    if not principal.has("admin.users"):
        record_refusal("admin.users", object_type="page", object_id="admin")
        st.warning("You do not have access to administration. Ask an administrator if you need it.",
                   icon=":material/lock:")
        st.stop()
    for tab, view in zip(st.tabs(list(VIEWS), key=TAB_KEY, bind="query-params"), VIEWS.values(), strict=True):
        if tab.open:
            with tab:
                view()
