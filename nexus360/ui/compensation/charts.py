"""Charts of the Commissions page, in the house style of `ui/charts.py`.

They take already aggregated rows (one per rep and period, from SQL); the few dozen rows are only
arranged here, never summed from raw deals. Views draw them through `figure()`, which builds each chart once
per data. Vega-Lite (st.altair_chart), not Plotly: the page's first chart then costs the browser half as much
(README, "Pages as a person feels them").
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st

from nexus360.ui.charts import BRAND, LAST_YEAR, label_axis, legend_top, money_axis

STATUS_COLOURS = {"draft": "#C7DFF7", "pending_approval": "#62ABF5", "approved": BRAND, "paid": "#107C10"}
STATUS_NAMES = {"draft": "Draft", "pending_approval": "Awaiting approval", "approved": "Approved", "paid": "Paid"}


FIGURE_TTL_SECONDS = 3600


def figure(kind: str, rows: Sequence | pd.DataFrame) -> alt.TopLevelMixin:
    """The chart `kind` ('my_history', 'earned_vs_quota' or 'team_by_period') of these rows, built once per
    data. The same chart object serves every rerun that shows the same rows (st.altair_chart only reads it),
    so nothing is copied or rebuilt."""
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame([row.model_dump() for row in rows])
    return _built(kind, frame)


@st.cache_resource(ttl=FIGURE_TTL_SECONDS, max_entries=200, show_spinner=False)
def _built(kind: str, frame: pd.DataFrame) -> alt.TopLevelMixin:
    return BUILDERS[kind](frame)


def _status_colours(statuses) -> alt.Scale:
    shown = [status for status in STATUS_COLOURS if status in set(statuses)]
    return alt.Scale(domain=[STATUS_NAMES[status] for status in shown], range=[STATUS_COLOURS[s] for s in shown])


def _periods(frame: pd.DataFrame, value: str, height: int) -> alt.Chart:
    """Bars per period (oldest first), coloured and stacked by the statement's status."""
    order = list(dict.fromkeys(frame.sort_values("period_start")["label"]))
    shown = frame.assign(status_name=frame["status"].map(STATUS_NAMES), **{value: frame[value].astype(float)})
    return alt.Chart(shown).mark_bar(size=28).encode(
        x=alt.X("label:N", sort=order, axis=alt.Axis(title=None, labelAngle=0, labelLimit=0, ticks=False)),
        y=alt.Y(f"sum({value}):Q", axis=money_axis()),
        color=alt.Color("status_name:N", scale=_status_colours(frame["status"]), legend=legend_top(),
                        sort=[STATUS_NAMES[s] for s in STATUS_COLOURS]),
        order=alt.Order("status_rank:Q"),
    ).transform_calculate(
        status_rank=f"indexof({list(STATUS_NAMES.values())!r}, datum.status_name)",
    ).properties(height=height)


def my_history(frame: pd.DataFrame) -> alt.Chart:
    """The rep's commission per period, oldest first, coloured by the statement's status."""
    chart = _periods(frame.assign(revenue=frame["revenue"].astype(float)), "commission", 260)
    return chart.encode(tooltip=[alt.Tooltip("label:N", title="Period"),
                                 alt.Tooltip("status_name:N", title="Status"),
                                 alt.Tooltip("sum(commission):Q", title="Commission", format="$,.2f"),
                                 alt.Tooltip("sum(revenue):Q", title="On revenue", format="$,.0f")])


def earned_vs_quota(frame: pd.DataFrame) -> alt.LayerChart:
    """Revenue per rep (horizontal bars, best on top) against their quota (a grey tick); names in full, as
    written."""
    frame = frame.sort_values("revenue", ascending=False).assign(
        revenue=lambda rows: rows["revenue"].astype(float), quota=lambda rows: rows["quota"].astype(float))
    order = list(frame["rep"])
    y = alt.Y("rep:N", sort=order, axis=label_axis())
    legend = alt.Scale(domain=["Revenue", "Quota"], range=[BRAND, LAST_YEAR])
    tooltip = [alt.Tooltip("rep:N", title="Rep"), alt.Tooltip("revenue:Q", title="Revenue", format="$,.0f"),
               alt.Tooltip("quota:Q", title="Quota", format="$,.0f"),
               alt.Tooltip("attainment_text:N", title="Of quota")]
    colour = alt.Color("shown:N", scale=legend, legend=legend_top())
    bars = alt.Chart(frame.assign(shown="Revenue")).mark_bar(size=20).encode(
        y=y, x=alt.X("revenue:Q", axis=money_axis()), color=colour, tooltip=tooltip)
    layers = [bars]
    if frame["quota"].notna().any():
        quotas = frame[frame["quota"].notna()].assign(shown="Quota")
        layers.append(alt.Chart(quotas).mark_tick(thickness=3, size=24).encode(
            y=y, x="quota:Q", color=colour, tooltip=tooltip))
    return alt.layer(*layers).properties(height=max(220, 34 * len(frame) + 30)).configure_view(stroke=None)


def team_by_period(frame: pd.DataFrame) -> alt.Chart:
    """The team's commission per period, stacked by statement status."""
    chart = _periods(frame, "commission", 280)
    return chart.encode(tooltip=[alt.Tooltip("label:N", title="Period"),
                                 alt.Tooltip("status_name:N", title="Status"),
                                 alt.Tooltip("sum(commission):Q", title="Commission", format="$,.0f")])


BUILDERS = {"my_history": my_history, "earned_vs_quota": earned_vs_quota, "team_by_period": team_by_period}
