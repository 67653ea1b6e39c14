"""CRM: dashboards, the pipeline board, deals, companies, contacts, import."""

import streamlit as st

from nexus360.crm import service as crm_service
from nexus360.db import Database
from nexus360.ui import crm_board, crm_companies, crm_dashboard, crm_deals, importer
from nexus360.ui.session import cached, current_principal

principal = current_principal()
st.title("CRM")
reference = cached(Database.CRM, crm_service.list_reference)
names = ["Dashboard", "Pipeline", "Deals", "Companies", "Contacts"] + (["Import"] if principal.has("crm.write") else [])
dashboard, board, deals, companies, contacts, *import_tab = st.tabs(names)
with dashboard:
    crm_dashboard.dashboard_tab(reference)
with board:
    crm_board.board_tab(reference)
with deals:
    crm_deals.deals_tab(reference)
with companies:
    crm_companies.companies_tab(reference)
with contacts:
    crm_companies.contacts_tab()
if import_tab:
    with import_tab[0]:
        entity = st.segmented_control("Import", ["companies", "contacts", "deals"], default="companies",
                                      format_func=str.capitalize, key="crm_import_entity")
        importer.render(entity=entity or "companies", key=f"crm_import_{entity}")
