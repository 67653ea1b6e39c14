"""Export a filtered list to CSV or Excel: prepared on request, then offered as downloads."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from nexus360.common.exporting import to_csv_bytes, to_excel_bytes
from nexus360.common.periods import today_utc
from nexus360.ui.session import friendly_errors


def export_buttons(key: str, fetch: Callable[[], pd.DataFrame], *, name: str, filters: tuple) -> None:
    """A 'Prepare export' button for the current filters, then CSV and Excel downloads of the result."""
    state_key = f"{key}_export"
    prepared = st.session_state.get(state_key)
    if prepared is not None and prepared["filters"] != filters:
        st.session_state.pop(state_key)  # the filters changed: the file would no longer match them
        prepared = None
    if prepared is None:
        if st.button("Export…", key=f"{key}_prepare", icon=":material/download:"):
            with st.spinner("Preparing the export…"), friendly_errors():
                frame = fetch()
                st.session_state[state_key] = {
                    "filters": filters,
                    "rows": len(frame),
                    "csv": to_csv_bytes(frame),
                    "xlsx": to_excel_bytes(frame, sheet_name=name),
                }
            st.rerun()
        return
    stem = f"nexus360-{name.lower()}-{today_utc():%Y%m%d}"
    csv_col, excel_col, note_col = st.columns([1, 1, 3])
    csv_col.download_button(
        "CSV", prepared["csv"], f"{stem}.csv", "text/csv", key=f"{key}_csv", icon=":material/table:"
    )
    excel_col.download_button(
        "Excel",
        prepared["xlsx"],
        f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        icon=":material/grid_on:",
    )
    note_col.caption(f"{prepared['rows']:,} rows, as filtered. Formulas in cells are neutralised.")
