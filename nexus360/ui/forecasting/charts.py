"""Charts of the Forecasts page, in the house style of `ui/charts.py`: "why this number" and movement
waterfalls, forecast against actual with the baseline's band, and who over- or under-calls."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd
import plotly.graph_objects as go

from nexus360.common.money import money
from nexus360.ui.charts import BRAND, LAST_YEAR, MONEY_AXIS, label_axis, legend_on_top, money_axis, style

UP, DOWN, TOTAL = "#107C10", "#C50F1F", BRAND
METHOD_COLOURS = {"weighted_pipeline": "#2886DE", "commit": "#107C10", "best_case": "#8A94A6", "call": "#C239B3",
                  "adjusted_call": "#CA5010"}


def waterfall(steps: Sequence[tuple[str, float]], *, total_label: str, start: tuple[str, float] | None = None,
              height: int | None = None) -> alt.LayerChart:
    """Parts adding up to a total, read top to bottom (`start`: a first absolute bar, for the movement from one
    snapshot to the next); horizontal, so every label reads in full.

    Drawn with Vega-Lite (st.altair_chart), not Plotly: it is the only chart of the Forecast tab, and the first
    Plotly chart of a page costs the browser twice what a Vega-Lite one does (README, "Pages as a person feels
    them"); the picture is the same bars."""
    rows, running = [], 0.0
    if start is not None:
        rows.append({"label": start[0], "from": 0.0, "to": start[1], "kind": "total",
                     "text": _signed(start[1], "absolute"), "value": start[1]})
        running = start[1]
    for label, value in steps:
        rows.append({"label": label, "from": running, "to": running + value, "kind": "up" if value >= 0 else "down",
                     "text": _signed(value, "relative"), "value": value})
        running += value
    rows.append({"label": total_label, "from": 0.0, "to": running, "kind": "total", "text": money(running),
                 "value": running})
    frame = pd.DataFrame(rows).assign(end=lambda f: f[["from", "to"]].max(axis=1))
    order = list(frame["label"])
    low, high = min(0.0, float(frame["from"].min()), float(frame["to"].min())), float(frame["end"].max())
    scale = alt.Scale(domain=[low * 1.2, (high or 1.0) * 1.22], nice=False)  # room for the printed amounts
    y = alt.Y("label:N", sort=order, axis=label_axis())
    bars = alt.Chart(frame).mark_bar(size=22).encode(
        y=y, x=alt.X("from:Q", scale=scale, axis=money_axis()),
        x2="to:Q",
        color=alt.Color("kind:N", scale=alt.Scale(domain=["up", "down", "total"], range=[UP, DOWN, TOTAL]),
                        legend=None),
        tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("value:Q", title="Amount", format="$,.2f")],
    )
    texts = alt.Chart(frame).mark_text(align="left", dx=6, fontSize=13, color="#1B1B1F").encode(
        y=y, x=alt.X("end:Q", scale=scale), text="text:N")
    rows_height = height or max(220, 38 * len(frame) + 50)
    return (bars + texts).properties(height=rows_height - 40).configure_view(stroke=None)


def _signed(value: float, measure: str) -> str:
    if measure == "total":
        return ""
    if measure == "absolute":
        return money(value)
    return ("+" if value >= 0 else "−") + money(abs(value))


def forecast_vs_actual(points: Sequence, *, current: dict | None = None) -> go.Figure:
    """Won per closed period (bars), each method at the period's midpoint (lines), the baseline's 80% band."""
    labels = [point.label for point in points]
    figure = go.Figure()
    lows = [float(p.baseline_low) if p.baseline_low is not None else None for p in points]
    highs = [float(p.baseline_high) if p.baseline_high is not None else None for p in points]
    if current is not None:
        labels.append(current["label"])
        lows.append(current.get("low"))
        highs.append(current.get("high"))
    if any(value is not None for value in lows):
        figure.add_scatter(x=labels, y=highs, mode="lines", line=dict(width=0), showlegend=False, hoverinfo="skip")
        figure.add_scatter(x=labels, y=lows, mode="lines", line=dict(width=0), fill="tonexty",
                           fillcolor="rgba(15,108,189,0.12)", name="Baseline 80% band", hoverinfo="skip")
    figure.add_bar(x=[p.label for p in points], y=[float(p.actual) for p in points], name="Won",
                   marker_color="#C7DFF7", hovertemplate="%{x}<br>won $%{y:,.0f}<extra></extra>")
    names = {"weighted_pipeline": "Weighted pipeline", "commit": "Commit", "best_case": "Best Case",
             "call": "Call", "adjusted_call": "Adjusted call"}
    for method, name in names.items():
        values = [float(p.forecasts[method]) if method in p.forecasts else None for p in points]
        if any(value is not None for value in values):
            figure.add_scatter(x=[p.label for p in points], y=values, mode="lines+markers", name=name,
                               line=dict(color=METHOD_COLOURS[method], width=2), connectgaps=False,
                               hovertemplate="%{x}<br>" + name + " $%{y:,.0f}<extra></extra>")
    baseline = [float(p.forecasts["baseline"]) if "baseline" in p.forecasts else None for p in points]
    if current is not None:
        baseline.append(current.get("value"))
    if any(value is not None for value in baseline):
        figure.add_scatter(x=labels, y=baseline, mode="lines+markers", name="Baseline",
                           line=dict(color=BRAND, width=2, dash="dot"),
                           hovertemplate="%{x}<br>baseline $%{y:,.0f}<extra></extra>")
    style(figure, height=360)
    figure.update_yaxes(**MONEY_AXIS)
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=labels)
    return legend_on_top(figure)


def call_bias(rows: Sequence) -> go.Figure:
    """Each rep's call bias: left of zero sandbagging, right of it over-calling (best-calibrated in the middle)."""
    ordered = sorted(rows, key=lambda row: row.bias)
    figure = go.Figure(go.Bar(
        y=[row.name for row in ordered], x=[row.bias for row in ordered], orientation="h",
        marker_color=[DOWN if row.bias > 0.1 else LAST_YEAR if row.bias >= -0.1 else "#2886DE" for row in ordered],
        text=[bias_text(row.bias) for row in ordered], textposition="outside", cliponaxis=False,
        customdata=[row.periods for row in ordered],
        hovertemplate="%{y}<br>calls %{x:+.0%} against won over %{customdata} periods<extra></extra>",
    ))
    style(figure, height=max(220, 34 * len(ordered) + 60))
    widest = max([abs(row.bias) for row in ordered] + [0.2])
    figure.update_xaxes(tickformat="+.0%", range=[-widest * 1.35, widest * 1.35], zeroline=True,
                        zerolinecolor="#8A94A6", showgrid=True, gridcolor="#E6E9EF")
    figure.update_yaxes(automargin=True, ticksuffix="  ", gridcolor="rgba(0,0,0,0)")
    return figure


def bias_text(value: float) -> str:
    text = f"{value:+.0%}"
    return "0%" if text in ("+0%", "-0%") else text


def rollup(rows: Sequence) -> go.Figure:
    """Per person: Commit to Best Case as a bar, their call (adjusted where adjusted) and quota as marks."""
    ordered = sorted(rows, key=lambda row: row.name, reverse=True)
    names = [row.name for row in ordered]
    figure = go.Figure()
    figure.add_bar(y=names, x=[float(row.commit) for row in ordered], orientation="h", name="Commit",
                   marker_color=BRAND, hovertemplate="%{y}<br>Commit $%{x:,.0f}<extra></extra>")
    figure.add_bar(y=names, x=[float(row.best_case - row.commit) for row in ordered], orientation="h",
                   name="Best Case on top", marker_color="#96C6FA",
                   hovertemplate="%{y}<br>Best Case adds $%{x:,.0f}<extra></extra>")
    calls = [(row.name, float(row.latest_call)) for row in ordered if row.latest_call is not None]
    if calls:
        figure.add_scatter(y=[c[0] for c in calls], x=[c[1] for c in calls], mode="markers", name="Call",
                           marker=dict(symbol="diamond", size=12, color="#C239B3"),
                           hovertemplate="%{y}<br>call $%{x:,.0f}<extra></extra>")
    quotas = [(row.name, float(row.quota)) for row in ordered if row.quota is not None]
    if quotas:
        figure.add_scatter(y=[q[0] for q in quotas], x=[q[1] for q in quotas], mode="markers", name="Quota",
                           marker=dict(symbol="line-ns-open", size=22, line=dict(width=3, color="#242424")),
                           hovertemplate="%{y}<br>quota $%{x:,.0f}<extra></extra>")
    figure.update_layout(barmode="stack")
    style(figure, height=max(240, 40 * len(ordered) + 70))
    figure.update_xaxes(**MONEY_AXIS, showgrid=True, gridcolor="#E6E9EF")
    figure.update_yaxes(automargin=True, ticksuffix="  ", gridcolor="rgba(0,0,0,0)")
    return legend_on_top(figure)


CATEGORY_COLOURS = {"closed": "#107C10", "commit": BRAND, "best_case": "#62ABF5", "pipeline": "#C7DFF7",
                    "omitted": "#D0D5DD"}
CATEGORY_NAMES = {"closed": "Closed", "commit": "Commit", "best_case": "Best Case", "pipeline": "Pipeline",
                  "omitted": "Omitted"}


def categories(sums: dict) -> go.Figure:
    """The period's deals by category, one stacked bar from Closed to Omitted (Omitted counts in no forecast)."""
    figure = go.Figure()
    for category, name in CATEGORY_NAMES.items():
        value = float(sums.get(category, 0) or 0)
        if value:
            figure.add_bar(y=["Deals"], x=[value], orientation="h", name=name,
                           marker_color=CATEGORY_COLOURS[category], text=[f"{name} {money(value)}"],
                           textposition="inside", insidetextanchor="middle",
                           hovertemplate=name + " $%{x:,.0f}<extra></extra>")
    figure.update_layout(barmode="stack", uniformtext=dict(minsize=11, mode="hide"))
    style(figure, height=120)
    figure.update_yaxes(visible=False)
    figure.update_xaxes(**MONEY_AXIS)
    legend_on_top(figure)
    figure.update_layout(legend=dict(traceorder="normal"))
    return figure
