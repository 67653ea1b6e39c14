"""The Microsoft Graph directory sync (moved here from Admin): the last run, and a sync on demand."""

from __future__ import annotations

import streamlit as st

from nexus360.config import get_settings
from nexus360.db import Database
from nexus360.integrations import flows as directory
from nexus360.integrations import service as sync_log
from nexus360.integrations.connectors import service as connectors
from nexus360.ui.formatting import literal
from nexus360.ui.integrations.common import STATUS_LABELS
from nexus360.ui.session import FAILED, call, submit_flow

SYNC_ICONS = {"success": ":material/check_circle:", "partial": ":material/warning:"}
MODES = {"full": "full listing", "changes": "changes only"}


def directory_tab() -> None:
    st.caption("Creates and updates users from Microsoft Entra ID and maps group memberships to roles. After the "
               "first full listing, runs ask Graph only for what changed; the schedule is the connector's.")
    last = call(Database.INTEGRATION, sync_log.last_sync)
    if last is None:
        st.info("The directory has not been synced yet.")
    else:
        counts = last["counts"]
        icon = SYNC_ICONS.get(last["status"], ":material/error:")
        mode = MODES.get(counts.get("mode"), "full listing")
        status = STATUS_LABELS.get(last["status"], last["status"]).lower()
        st.markdown(f"{icon} Last run **{literal(status)}** at {last['at']:%Y-%m-%d %H:%M} UTC ({mode})")
        columns = st.columns(4)
        for column, key in zip(columns, ("created", "updated", "deactivated", "unchanged"), strict=True):
            column.metric(key.capitalize(), counts.get(key, 0))
        for error in last["errors"][:20]:
            st.warning(literal(error))
    if st.button("Sync now", type="primary", icon=":material/sync:", key="integrations_sync_now"):
        settings = call(Database.INTEGRATION, connectors.graph_settings, settings=get_settings())
        with st.spinner("Reading the directory from Microsoft Graph…"):
            result = submit_flow(directory.run_directory_sync, settings=settings)
        if result is not FAILED:
            outcome = STATUS_LABELS.get(result.status, result.status).lower()
            st.toast(f"Directory sync {outcome}.", icon=":material/sync:")
            st.rerun()
