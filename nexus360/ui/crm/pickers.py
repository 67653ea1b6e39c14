"""Pickers shared by the CRM forms."""

from __future__ import annotations

import streamlit as st

from nexus360.crm import service as crm_service
from nexus360.db import Database
from nexus360.ui.session import cached

PICKER_ROWS = 25


def company_picker(key: str, current: int | None, *, required: bool = True) -> int | None:
    """A company chooser that searches on the server (a million companies never reach the browser)."""
    search = st.text_input("Company search", key=f"{key}_company_search", placeholder="Type part of a name",
                           max_chars=100)
    page = cached(Database.CRM, crm_service.list_companies, search=search.strip(), limit=PICKER_ROWS)
    options = (
        dict(zip(page.rows["id"].tolist(), page.rows["name"].tolist(), strict=True)) if not page.rows.empty else {}
    )
    if current and current not in options:
        options = {current: cached(Database.CRM, crm_service.get_company, company_id=current).name, **options}
    if not required:
        options = {None: "No company", **options}
    if not options:
        st.caption("No company matches; create it on the Companies tab first.")
        return None
    ids = list(options)
    return st.selectbox(
        "Company *" if required else "Company",
        ids,
        format_func=options.get,
        index=ids.index(current) if current in ids else 0,
        key=f"{key}_company",
    )
