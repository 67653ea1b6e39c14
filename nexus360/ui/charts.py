"""Plotly figures in one consistent style."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

BRAND = "#0F6CBD"
PLOTLY_CONFIG = {"displayModeBar": False}
SEQUENCE = ["#0F6CBD", "#2886DE", "#62ABF5", "#96C6FA", "#C7DFF7", "#107C10", "#C50F1F"]


def _style(figure: go.Figure, *, height: int = 340) -> go.Figure:
    figure.update_layout(
        height=height,
        margin=dict(l=8, r=8, t=8, b=8),
        plot_bgcolor="rgba(0,0,0,0)",
        paper_bgcolor="rgba(0,0,0,0)",
        font=dict(size=13),
        hoverlabel=dict(bgcolor="white"),
        showlegend=False,
    )
    figure.update_xaxes(showgrid=False, title=None)
    figure.update_yaxes(gridcolor="#E6E9EF", title=None)
    return figure


def monthly_revenue(frame: pd.DataFrame) -> go.Figure:
    figure = px.bar(frame, x="month", y="revenue", custom_data=["deals"], color_discrete_sequence=[BRAND])
    figure.update_traces(hovertemplate="%{x|%b %Y}<br>$%{y:,.0f} from %{customdata[0]} deals<extra></extra>")
    figure.update_yaxes(tickprefix="$", tickformat="~s")
    figure.update_xaxes(tickformat="%b %y", dtick="M3")
    return _style(figure)


def pipeline_by_stage(frame: pd.DataFrame) -> go.Figure:
    figure = go.Figure(
        go.Funnel(
            y=frame["stage"],
            x=frame["amount"],
            customdata=frame["deals"],
            texttemplate="$%{x:,.3s} · %{customdata} deals",
            hovertemplate="%{y}<br>$%{x:,.0f} in %{customdata} open deals<extra></extra>",
            marker=dict(color=SEQUENCE[: len(frame)]),
            connector=dict(fillcolor="#EEF2F7", line=dict(width=0)),
        )
    )
    return _style(figure)
