"""The Integrations page: every connection's health at a glance, then connectors, the run log, the directory
sync and the retention settings. Tabs are lazy: only the open one runs."""

from __future__ import annotations

import streamlit as st

from nexus360.config import get_settings
from nexus360.db import Database
from nexus360.integrations.logs import service as log_service
from nexus360.ui.integrations import connectors, directory, health
from nexus360.ui.integrations import logs as log_view
from nexus360.ui.session import call, current_principal

TABS = ["Connectors", "Run log", "Directory sync", "Retention"]


def integrations_page() -> None:
    current_principal()
    st.title("Integrations")
    health.health_tiles()
    tabs = st.tabs(TABS, key="integrations_tab", bind="query-params")  # /integrations?integrations_tab=Run log
    views = (connectors.connectors_tab, log_view.logs_tab, directory.directory_tab, _retention)
    for tab, view in zip(tabs, views, strict=True):
        if tab.open:
            with tab:
                view()


def _retention() -> None:
    settings = get_settings()
    st.markdown(f"Run logs are kept **{settings.integrations_log_retention_days} days**, and at most "
                f"**{settings.integrations_log_max_rows:,} rows** per integration; the worker prunes them every hour "
                "in batches. Change them with NEXUS360_INTEGRATIONS_LOG_RETENTION_DAYS and "
                "NEXUS360_INTEGRATIONS_LOG_MAX_ROWS.")
    queue = call(Database.INTEGRATION, log_service.queue_counts)
    left, middle, right = st.columns(3)
    left.metric("Jobs waiting", f"{queue.queued:,}")
    middle.metric("Running now", f"{queue.running:,}")
    right.metric("Failed for good", f"{queue.failed:,}")
    st.caption("Jobs run in `python -m nexus360 worker` (make run starts one beside the app).")
