"""The Audit log tab: who did what, on which object, with which result, newest first, in names and words."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import streamlit as st

from nexus360.auth.users import service as users
from nexus360.common.money import DASH
from nexus360.common.periods import today_utc
from nexus360.db import Database
from nexus360.ui.session import cached

RESULTS = {"All results": None, "Allowed": "allowed", "Refused": "refused", "Failed": "failed"}
LIMIT = 200


@st.fragment
def audit_tab() -> None:
    kind_col, result_col, since_col = st.columns(3)
    # "" stands for every kind: a None option would show a clear button on the box.
    kind = kind_col.selectbox("Kind of event", ["", *users.AUDIT_CATEGORIES], key="audit_kind",
                              format_func=lambda name: name or "All events") or None
    result = result_col.selectbox("Result", list(RESULTS), key="audit_result")
    today = today_utc()
    since = since_col.date_input("Since", value=today - timedelta(days=30), max_value=today, key="audit_since",
                                 help="Events on or after this day (UTC), up to today.")
    events = cached(Database.AUTH, users.list_audit_events, category=kind, result=RESULTS[result],
                    since=datetime.combine(since, time.min), limit=LIMIT)
    if events.empty:
        st.info("No audit events match these filters. Choose an earlier day or All events.", icon=":material/info:")
        return
    shown = len(events)  # said above the table: its toolbar floats over the line above it, at the right
    st.caption(f"The newest {shown:,} events of these filters." if shown == LIMIT
               else f"{shown:,} event{'s' if shown != 1 else ''}.")
    st.dataframe(events, hide_index=True, width="stretch", placeholder=DASH,
                 column_config={"Time (UTC)": st.column_config.DatetimeColumn("Time (UTC)",
                                                                              format="YYYY-MM-DD HH:mm:ss"),
                                # Action and Object hold a sentence and a name: fixed room for them; Details
                                # (mostly empty) sizes to its text, so no column is cut at 1440 px.
                                "Action": st.column_config.TextColumn("Action", width=330),
                                "Object": st.column_config.TextColumn("Object", width=170)})
