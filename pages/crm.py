"""CRM: dashboards, the pipeline board, deals, companies, contacts, import."""

import streamlit as st

from nexus360.crm import service as crm_service
from nexus360.db import Database
from nexus360.ui import importer
from nexus360.ui.crm import board, companies, dashboard, deals
from nexus360.ui.session import cached, current_principal

principal = current_principal()
st.title("CRM")
reference = cached(Database.CRM, crm_service.list_reference)
names = ["Dashboard", "Pipeline", "Deals", "Companies", "Contacts"] + (["Import"] if principal.has("crm.write") else [])
dashboard_tab, board_tab, deals_tab, companies_tab, contacts_tab, *import_tab = st.tabs(names)
with dashboard_tab:
    dashboard.dashboard_tab(reference)
with board_tab:
    board.board_tab(reference)
with deals_tab:
    deals.deals_tab(reference)
with companies_tab:
    companies.companies_tab(reference)
with contacts_tab:
    companies.contacts_tab()
if import_tab:
    with import_tab[0]:
        entity = st.segmented_control("Import", ["companies", "contacts", "deals"], default="companies",
                                      format_func=str.capitalize, key="crm_import_entity")
        importer.render(entity=entity or "companies", key=f"crm_import_{entity}")
