"""Charts of the Commissions page, in the house style of `ui/charts.py`.

They take already aggregated rows (one per rep and period, from SQL); the few dozen rows are only
arranged here, never summed from raw deals.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from nexus360.ui.charts import BRAND, LAST_YEAR, MONEY_AXIS, legend_on_top, style

STATUS_COLOURS = {"draft": "#C7DFF7", "pending_approval": "#62ABF5", "approved": BRAND, "paid": "#107C10"}
STATUS_NAMES = {"draft": "Draft", "pending_approval": "Awaiting approval", "approved": "Approved", "paid": "Paid"}


def _frame(rows: Sequence) -> pd.DataFrame:
    return pd.DataFrame([row.model_dump() for row in rows])


def my_history(rows: Sequence) -> go.Figure:
    """The rep's commission per period, oldest first, coloured by the statement's status."""
    frame = _frame(rows).sort_values("period_start")
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
    """Revenue per rep (horizontal bars, best on top) against their quota (a tick); names stay readable."""
    frame = frame.sort_values("revenue", ascending=False)
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


def team_by_period(rows: Sequence) -> go.Figure:
    """The team's commission per period, stacked by statement status."""
    frame = _frame(rows)
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
