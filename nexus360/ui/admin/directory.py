"""The Directory sync tab (moves to the Integrations page with issue 18; its logic stays as it was): what
Microsoft Graph returns (names, errors) is shown literally."""

from __future__ import annotations

import streamlit as st

from nexus360.config import get_settings
from nexus360.db import Database
from nexus360.integrations import flows as integration_flows
from nexus360.integrations import service as integration_service
from nexus360.ui.formatting import literal
from nexus360.ui.session import call, current_principal, friendly_errors

SYNC_ICONS = {"success": ":material/check_circle:", "partial": ":material/warning:"}


def directory_tab() -> None:
    st.caption("Creates and updates users from Microsoft Entra ID and maps group memberships to roles.")
    last = call(Database.INTEGRATION, integration_service.last_sync)
    if last is None:
        st.info("The directory has not been synced yet.")
    else:
        counts = last["counts"]
        icon = SYNC_ICONS.get(last["status"], ":material/error:")
        st.markdown(f"{icon} Last run **{literal(last['status'])}** at {last['at']:%Y-%m-%d %H:%M} UTC")
        columns = st.columns(4)
        for column, key in zip(columns, ("created", "updated", "deactivated", "unchanged"), strict=True):
            column.metric(key.capitalize(), counts.get(key, 0))
        for error in last["errors"][:20]:
            st.warning(literal(error))
    if st.button("Sync now", type="primary", icon=":material/sync:"):
        with st.spinner("Reading the directory from Microsoft Graph…"), friendly_errors():
            result = integration_flows.run_directory_sync(current_principal(), settings=get_settings())
        st.toast(f"Directory sync: {literal(result.status)}", icon=":material/check_circle:")
        st.rerun()
