"""The CRM page: one lazy tab bar bound to the address (`?crm_tab=Deals`); only the open tab's code runs,
and each tab reruns alone when its own filters, pages or forms change (fragments in the tab views)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from nexus360.crm import service as crm_service
from nexus360.db import Database
from nexus360.ui.crm import board, companies, contacts, dashboard, deals, imports, links
from nexus360.ui.session import cached, current_principal

TABS = ("Dashboard", "Pipeline", links.DEALS, links.COMPANIES, "Contacts", "Import")


def tab_names(principal) -> list[str]:
    return [name for name in TABS if name != "Import" or principal.has("crm.write")]


def crm_page() -> None:
    principal = current_principal()
    st.title("CRM")
    names = tab_names(principal)
    _open_linked_record_tab()
    tabs = st.tabs(names, key=links.TAB_KEY, bind="query-params")
    reference = cached(Database.CRM, crm_service.list_reference, shared=True)
    views: dict[str, Callable[[], None]] = {
        "Dashboard": lambda: dashboard.dashboard_tab(reference),
        "Pipeline": lambda: board.board_tab(reference),
        links.DEALS: lambda: deals.deals_tab(reference),
        links.COMPANIES: lambda: companies.companies_tab(reference),
        "Contacts": contacts.contacts_tab,
        "Import": imports.import_tab,
    }
    for name, tab in zip(names, tabs, strict=True):
        if tab.open:
            with tab:
                views[name]()


def _open_linked_record_tab() -> None:
    """An address naming a record but no tab (/crm?deal=2006) opens the tab that shows it, once."""
    for parameter, tab in links.RECORD_TABS.items():
        record = links.linked_id(parameter)
        seen = f"crm_link_{parameter}"
        if record is not None and links.TAB_KEY not in st.query_params and st.session_state.get(seen) != record:
            st.session_state[links.TAB_KEY] = tab
        st.session_state[seen] = record
