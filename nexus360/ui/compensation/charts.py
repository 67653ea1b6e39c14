"""Charts of the Commissions page, in the house style of `ui/charts.py`.

They take already aggregated rows (one per rep and period, from SQL); the few dozen rows are only
arranged here, never summed from raw deals. Views draw them through `figure()`, which builds each chart once
per data: building a Plotly figure costs tens of milliseconds, sending a built one a few.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from nexus360.ui.charts import BRAND, LAST_YEAR, MONEY_AXIS, legend_on_top, style
from nexus360.ui.formatting import chart_text

STATUS_COLOURS = {"draft": "#C7DFF7", "pending_approval": "#62ABF5", "approved": BRAND, "paid": "#107C10"}
STATUS_NAMES = {"draft": "Draft", "pending_approval": "Awaiting approval", "approved": "Approved", "paid": "Paid"}


FIGURE_TTL_SECONDS = 3600


def figure(kind: str, rows: Sequence | pd.DataFrame) -> go.Figure:
    """The chart `kind` ('my_history', 'earned_vs_quota' or 'team_by_period') of these rows, built once per
    data. The same figure object serves every rerun that shows the same rows (st.plotly_chart only reads it),
    so nothing is copied or rebuilt."""
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame([row.model_dump() for row in rows])
    return _built(kind, frame)


@st.cache_resource(ttl=FIGURE_TTL_SECONDS, max_entries=200, show_spinner=False)
def _built(kind: str, frame: pd.DataFrame) -> go.Figure:
    return BUILDERS[kind](frame)


def my_history(frame: pd.DataFrame) -> go.Figure:
    """The rep's commission per period, oldest first, coloured by the statement's status."""
    frame = frame.sort_values("period_start")
    figure = go.Figure()
    for status, colour in STATUS_COLOURS.items():
        part = frame[frame["status"] == status]
        if part.empty:
            continue
        figure.add_bar(
            x=part["label"], y=part["commission"].astype(float), name=STATUS_NAMES[status], marker_color=colour,
            customdata=part["revenue"].astype(float),
            hovertemplate="%{x}<br>$%{y:,.2f} commission on $%{customdata:,.0f} revenue<extra>"
            + STATUS_NAMES[status] + "</extra>",
        )
    style(figure, height=300)
    figure.update_yaxes(**MONEY_AXIS)
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=list(frame["label"]))
    return legend_on_top(figure)


def earned_vs_quota(frame: pd.DataFrame) -> go.Figure:
    """Revenue per rep (horizontal bars, best on top) against their quota (a tick); names stay readable and are
    shown as written (Plotly reads HTML in labels)."""
    frame = frame.sort_values("revenue", ascending=False).assign(rep=lambda rows: rows["rep"].map(chart_text))
    figure = go.Figure()
    figure.add_bar(
        y=frame["rep"], x=frame["revenue"].astype(float), name="Revenue", orientation="h", marker_color=BRAND,
        customdata=frame["attainment_text"],
        hovertemplate="%{y}<br>$%{x:,.0f} revenue · %{customdata} of quota<extra></extra>",
    )
    quotas = frame["quota"].astype(float)
    if quotas.notna().any():
        figure.add_scatter(
            y=frame["rep"], x=quotas, name="Quota", mode="markers",
            marker=dict(symbol="line-ns", size=22, line=dict(width=3, color=LAST_YEAR)),
            hovertemplate="%{y}<br>quota $%{x:,.0f}<extra></extra>",
        )
    style(figure, height=max(260, 34 * len(frame) + 70))
    figure.update_yaxes(autorange="reversed", type="category", gridcolor="rgba(0,0,0,0)", automargin=True,
                        ticksuffix="  ")
    figure.update_xaxes(showgrid=True, gridcolor="#E6E9EF", **MONEY_AXIS)
    return legend_on_top(figure)


def team_by_period(frame: pd.DataFrame) -> go.Figure:
    """The team's commission per period, stacked by statement status."""
    totals = (frame.assign(commission=frame["commission"].astype(float))
              .groupby(["period_start", "label", "status"], as_index=False)["commission"].sum()
              .sort_values("period_start"))
    order = list(dict.fromkeys(totals["label"]))
    figure = go.Figure()
    for status, colour in STATUS_COLOURS.items():
        part = totals[totals["status"] == status]
        if part.empty:
            continue
        figure.add_bar(
            x=part["label"], y=part["commission"], name=STATUS_NAMES[status], marker_color=colour,
            hovertemplate="%{x}<br>$%{y:,.0f}<extra>" + STATUS_NAMES[status] + "</extra>",
        )
    style(figure, height=320)
    figure.update_layout(barmode="stack")
    figure.update_yaxes(**MONEY_AXIS)
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=order)
    return legend_on_top(figure)


BUILDERS = {"my_history": my_history, "earned_vs_quota": earned_vs_quota, "team_by_period": team_by_period}
