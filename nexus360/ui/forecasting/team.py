"""The team roll-up: one row per person with call, adjusted call, categories, weighted, baseline and quota."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.money import money
from nexus360.forecasting import flows
from nexus360.forecasting.schemas import RollupRow
from nexus360.ui.charts import PLOTLY_CONFIG
from nexus360.ui.forecasting import charts
from nexus360.ui.forecasting.common import READS, SCOPE_KEY
from nexus360.ui.session import cached_flow


def team_tab(principal: Principal, *, period: str, scope: str) -> None:
    """The roll-up table and chart; picking a person opens their forecast (and the adjust form)."""
    with st.spinner("Rolling up the team…"):
        rows = cached_flow(flows.get_rollup, databases=READS, period=period, scope=scope)
    if not rows:
        st.info("Nobody in this view has deals or calls in the period yet.", icon=":material/groups:")
        return
    frame = rollup_frame(rows)
    total = frame.drop(columns=["Person", "Baseline model"]).sum(numeric_only=True, min_count=1)
    cells = st.columns(4)
    cells[0].metric("Calls (adjusted where adjusted)", money(total.get("Counted call")),
                    f"{int(frame['Counted call'].notna().sum())} of {len(frame)} people called", delta_color="off",
                    delta_arrow="off", border=True, height="stretch")
    cells[1].metric("Commit", money(total.get("Commit")), border=True, height="stretch")
    cells[2].metric("Weighted pipeline", money(total.get("Weighted")), border=True, height="stretch")
    cells[3].metric("Quota", money(total.get("Quota")), border=True, height="stretch")
    shown = frame.drop(columns=["owner_id", "Counted call"])
    for column in ("Call", "Adjusted call", "Closed", "Commit", "Best Case", "Weighted", "Baseline", "Quota"):
        shown[column] = shown[column].map(lambda value: "–" if pd.isna(value) else f"${value:,.0f}")
    shown["Coverage"] = shown["Coverage"].map(lambda value: "–" if pd.isna(value) else f"{value:.1f}×")
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "Coverage": st.column_config.TextColumn("Coverage", help="Open pipeline ÷ quota still to close"),
        "Baseline model": st.column_config.TextColumn("Model", help="The baseline's model for this person"),
    })
    st.plotly_chart(charts.rollup(rows), width="stretch", config=PLOTLY_CONFIG)
    people = dict(zip(frame["owner_id"], frame["Person"], strict=True))
    chosen = st.selectbox("Open a person's forecast (to see their deals or adjust their call)", list(people),
                          format_func=people.get, index=None, placeholder="Choose a person", key="fc_team_person")
    if chosen is not None:
        st.session_state[SCOPE_KEY] = f"rep:{chosen}"
        st.session_state["fc_tab"] = "Forecast"
        st.session_state.pop("fc_team_person", None)
        st.rerun()


def rollup_frame(rows: list[RollupRow]) -> pd.DataFrame:
    """The roll-up as the table shows it (money as numbers, blanks where there is nothing)."""
    def number(value):
        return float(value) if value is not None else None

    data = [{
        "owner_id": row.owner_id, "Person": row.name, "Call": number(row.call.value if row.call else None),
        "Adjusted call": number(row.adjusted.value if row.adjusted else None), "Counted call": number(row.latest_call),
        "Closed": number(row.closed), "Commit": number(row.commit), "Best Case": number(row.best_case),
        "Weighted": number(row.weighted), "Baseline": number(row.baseline), "Baseline model": row.baseline_model,
        "Quota": number(row.quota), "Coverage": number(row.coverage),
    } for row in rows]
    return pd.DataFrame(data)
