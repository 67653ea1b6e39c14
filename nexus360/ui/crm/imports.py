"""The CRM page's Import tab: companies, contacts or deals from a CSV or Excel file."""

from __future__ import annotations

import streamlit as st

from nexus360.ui import importer


@st.fragment
def import_tab() -> None:
    entity = st.segmented_control("Import", ["companies", "contacts", "deals"], default="companies",
                                  format_func=str.capitalize, key="crm_import_entity")
    importer.render(entity=entity or "companies", key=f"crm_import_{entity}")
